using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using PSChat.Commands.Completion;

namespace PSChat.Commands
{
    /// <summary>
    /// Sends text to a room or a person; each pipeline object and each line of text is one message. With
    /// -AsObject each object goes as itself (CliXml), with one readable line for people; -ReplyTo answers a
    /// message (a request) where it was asked.
    /// </summary>
    [Cmdlet(VerbsCommunications.Send, "ChatMessage", DefaultParameterSetName = SessionParameterSets.Session)]
    [OutputType(typeof(ChatMessage))]
    public sealed class SendChatMessageCommand : PSChatCmdlet
    {
        private ChatSession? resolved;

        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, HelpMessage = "The text to send; objects are sent in their text form, or as objects with -AsObject.")]
        [AllowEmptyString]
        [Alias("InputObject")]
        public object? Text { get; set; }

        [Parameter(ParameterSetName = SessionParameterSets.Session)]
        [ValidateNotNull]
        [ArgumentCompleter(typeof(SessionCompleter))]
        public ChatSession? Session { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = SessionParameterSets.SessionId, ValueFromPipelineByPropertyName = true, HelpMessage = "The id of the session to send through.")]
        [ArgumentCompleter(typeof(SessionCompleter))]
        public int SessionId { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(RoomCompleter))]
        public string? Room { get; set; }

        /// <summary>A nick to send a private message to (IRC).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(NickCompleter))]
        public string? To { get; set; }

        [Parameter]
        public SwitchParameter PassThru { get; set; }

        /// <summary>Send each object as itself (serialized like remoting does), not its text form.</summary>
        [Parameter]
        public SwitchParameter AsObject { get; set; }

        /// <summary>How deep -AsObject serializes properties that are themselves objects.</summary>
        [Parameter]
        [ValidateRange(1, 100)]
        public int Depth { get; set; } = 2;

        /// <summary>The message (request) to answer: the reply goes where it was asked and reaches the waiting Invoke-ChatRequest.</summary>
        [Parameter]
        [ValidateNotNull]
        public ChatMessage? ReplyTo { get; set; }

        protected override void BeginProcessing()
        {
            base.BeginProcessing();
            ChatMessage.Codec ??= CliXmlCodec.Instance;
            if (ReplyTo != null && (Room != null || To != null))
            {
                ThrowTerminatingError(Error(new ArgumentException("-ReplyTo answers where the message was asked: give neither -Room nor -To with it."), "ReplyToWithTarget", ErrorCategory.InvalidArgument, ReplyTo));
            }

            if (ReplyTo != null && ReplyTo.Sender == null)
            {
                ThrowTerminatingError(Error(new ArgumentException("The message given to -ReplyTo has no sender to answer."), "ReplyToWithoutSender", ErrorCategory.InvalidArgument, ReplyTo));
            }
        }

        protected override void ProcessRecord()
        {
            if (Text == null) return;
            var session = resolved != null && ParameterSetName == SessionParameterSets.Session ? resolved : ResolveSession(Session ?? ReplyTo?.Session, SessionId);
            resolved = session;
            foreach (object value in ValuesOf(Text))
            {
                string text;
                try
                {
                    text = SendOne(session, value);
                }
                catch (Exception ex) when (SendFailure.Of(ex, session, Room, To, value) is ErrorRecord failure)
                {
                    WriteError(failure);

                    // One object refused for its size: the next may fit. Anything else fails the rest too.
                    if (ex is ChatPayloadException) continue;
                    return;
                }

                if (PassThru)
                {
                    string? room = ReplyTo != null ? ReplyTo.ReplyRoom : Room ?? session.DefaultRoom;
                    string? to = ReplyTo != null ? ReplyTo.ReplyTarget : To;
                    var kind = to != null ? ChatMessageKind.Private : ChatMessageKind.Message;
                    Emit(new ChatMessage(kind, room, session.Name, text, DateTime.Now, session.Id) { Target = to });
                }
            }
        }

        /// <summary>
        /// Sends one value: text, or an object (with -AsObject; with -ReplyTo anything but text). Returns the
        /// text a person sees.
        /// </summary>
        private string SendOne(ChatSession session, object value)
        {
            object unwrapped = value is PSObject ps ? ps.BaseObject : value;
            if (!AsObject && ReplyTo?.RequestId is string request && ErrorReply.Of(unwrapped) is ErrorReply failure)
            {
                // An error answers a request as an error: the requester's Invoke-ChatRequest writes it to its error stream.
                session.SendErrorReply(failure.Text, failure.Category.ToString(), ReplyTo.ReplyRoom, ReplyTo.ReplyTarget, request);
                return failure.Text;
            }

            bool asObject = AsObject || (ReplyTo != null && !(unwrapped is string) && !(unwrapped is ChatMessage));
            string text = asObject ? CliXmlCodec.Instance.Summarize(value) : unwrapped is ChatMessage message ? message.Text : LanguagePrimitives.ConvertTo<string>(value) ?? string.Empty;
            if (!asObject && ReplyTo == null)
            {
                session.Send(text, Room, To);
                return text;
            }

            byte[]? payload = asObject ? CliXmlCodec.Instance.Serialize(value, Depth) : null;
            string? answers = ReplyTo?.RequestId ?? ReplyTo?.PayloadId;
            if (ReplyTo != null && payload == null && answers == null)
            {
                session.Send(text, ReplyTo.ReplyRoom, ReplyTo.ReplyTarget);
                return text;
            }

            if (ReplyTo != null) session.SendEnvelope(text, payload, ReplyTo.ReplyRoom, ReplyTo.ReplyTarget, request: false, inReplyTo: answers);
            else session.SendEnvelope(text, payload, Room, To, request: false, inReplyTo: null);
            return text;
        }

        /// <summary>
        /// -Text 'a','b' sends two messages, as the pipeline would (with -AsObject a hashtable is one object,
        /// not its entries; with -ReplyTo any collection is one answer); each is sent by <see cref="SendOne"/>.
        /// </summary>
        private IEnumerable<object> ValuesOf(object value)
        {
            object unwrapped = value is PSObject ps ? ps.BaseObject : value;
            // A reply is one answer: -ReplyTo sends a collection as one object; -AsObject sends a hashtable as one.
            bool whole = ReplyTo != null || (AsObject && unwrapped is IDictionary);
            if (unwrapped is IEnumerable items && !(unwrapped is string) && !whole)
            {
                foreach (object? item in items)
                {
                    if (item == null) continue;
                    foreach (object inner in ValuesOf(item)) yield return inner;
                }
            }
            else
            {
                yield return value;
            }
        }
    }

    /// <summary>An ErrorRecord or exception given as a reply: the one line it says, and its category.</summary>
    internal sealed class ErrorReply
    {
        private ErrorReply(string text, ErrorCategory category)
        {
            Text = text;
            Category = category;
        }

        public string Text { get; }

        public ErrorCategory Category { get; }

        public static ErrorReply? Of(object value)
        {
            var record = value as ErrorRecord ?? (value as IContainsErrorRecord)?.ErrorRecord;
            if (record != null)
            {
                // A category outside the enum (possible from C#) would not travel by name.
                var category = Enum.IsDefined(typeof(ErrorCategory), record.CategoryInfo.Category) ? record.CategoryInfo.Category : ErrorCategory.NotSpecified;
                return new ErrorReply(OneLine(record.ErrorDetails?.Message ?? record.Exception?.Message ?? record.ToString()), category);
            }

            if (value is Exception exception) return new ErrorReply(OneLine(exception.Message), ErrorCategory.NotSpecified);
            return null;
        }

        private static string OneLine(string text) => string.Join(" ", text.Split(new[] { '\r', '\n' }, StringSplitOptions.RemoveEmptyEntries)).Trim();
    }
}
