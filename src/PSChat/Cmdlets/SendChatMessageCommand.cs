using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using PSChat.Commands.Completion;

namespace PSChat.Commands
{
    /// <summary>Sends text to a room or a person; each pipeline object and each line of text is one message.</summary>
    [Cmdlet(VerbsCommunications.Send, "ChatMessage", DefaultParameterSetName = SessionParameterSets.Session)]
    [OutputType(typeof(ChatMessage))]
    public sealed class SendChatMessageCommand : PSChatCmdlet
    {
        private ChatSession? resolved;

        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, HelpMessage = "The text to send; objects are sent in their text form.")]
        [AllowEmptyString]
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

        protected override void ProcessRecord()
        {
            if (Text == null) return;
            var session = resolved != null && ParameterSetName == SessionParameterSets.Session ? resolved : ResolveSession(Session, SessionId);
            resolved = session;
            foreach (string text in TextsOf(Text))
            {
                try
                {
                    session.Send(text, Room, To);
                }
                catch (NotSupportedException ex)
                {
                    WriteError(Error(ex, "NotSupportedByProtocol", ErrorCategory.NotImplemented, session));
                    return;
                }
                catch (ArgumentException ex)
                {
                    // A name that would break the protocol line (ParamName set), or no room to send to.
                    WriteError(Error(ex, ex.ParamName != null ? "InvalidName" : "NoRoom", ErrorCategory.InvalidArgument, ex.ParamName == "to" ? (object?)To : ex.ParamName == "room" ? Room : session));
                    return;
                }
                catch (ChatTargetException ex)
                {
                    WriteError(Error(ex, "NotInRoom", ErrorCategory.InvalidOperation, ex.Target));
                    return;
                }
                catch (InvalidOperationException ex)
                {
                    WriteError(Error(ex, "SessionClosed", ErrorCategory.ConnectionError, session));
                    return;
                }

                if (PassThru)
                {
                    var kind = To != null ? ChatMessageKind.Private : ChatMessageKind.Message;
                    Emit(new ChatMessage(kind, Room ?? session.DefaultRoom, session.Name, text, DateTime.Now, session.Id) { Target = To });
                }
            }
        }

        /// <summary>
        /// -Text 'a','b' sends two messages, as the pipeline would; a message's text stays itself (relay
        /// bots); anything else takes PowerShell's string form.
        /// </summary>
        private static IEnumerable<string> TextsOf(object value)
        {
            object unwrapped = value is PSObject ps ? ps.BaseObject : value;
            if (unwrapped is ChatMessage message)
            {
                yield return message.Text;
            }
            else if (unwrapped is IEnumerable items && !(unwrapped is string))
            {
                foreach (object? item in items)
                {
                    if (item == null) continue;
                    foreach (string text in TextsOf(item)) yield return text;
                }
            }
            else
            {
                yield return LanguagePrimitives.ConvertTo<string>(value) ?? string.Empty;
            }
        }
    }
}
