using System;
using System.Management.Automation;
using PSChat.Commands.Completion;
using PSChat.Engine.Client;

namespace PSChat.Commands
{
    /// <summary>
    /// Sends a request (text, and an object with -InputObject) to a person or a room and writes the replies
    /// that answer it: each reply carries the request's id back, and goes to this cmdlet, not the session's
    /// buffer, so another reader of the session (Receive-ChatMessage -Wait) neither takes it nor misses
    /// anything else.
    /// </summary>
    [Cmdlet(VerbsLifecycle.Invoke, "ChatRequest", DefaultParameterSetName = SessionParameterSets.Session)]
    [OutputType(typeof(ChatMessage), typeof(PSObject))]
    public sealed class InvokeChatRequestCommand : PSChatCmdlet
    {
        [Parameter(ParameterSetName = SessionParameterSets.Session)]
        [ValidateNotNull]
        [ArgumentCompleter(typeof(SessionCompleter))]
        public ChatSession? Session { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = SessionParameterSets.SessionId, ValueFromPipelineByPropertyName = true, HelpMessage = "The id of the session to send through.")]
        [ArgumentCompleter(typeof(SessionCompleter))]
        public int SessionId { get; set; }

        /// <summary>The nick to ask privately, or the room (#name) to ask in.</summary>
        [Parameter(Mandatory = true, Position = 0, HelpMessage = "The nick or room (#name) to send the request to.")]
        [ValidateNotNullOrEmpty]
        public string To { get; set; } = string.Empty;

        /// <summary>The request as text (what a person in the room reads).</summary>
        [Parameter(Mandatory = true, Position = 1, HelpMessage = "The text of the request, such as '!status'.")]
        [ValidateNotNullOrEmpty]
        public string Text { get; set; } = string.Empty;

        /// <summary>An object sent with the request; the responder finds it in the request's Object.</summary>
        [Parameter(ValueFromPipeline = true)]
        public object? InputObject { get; set; }

        [Parameter]
        [ValidateRange(1, 100)]
        public int Depth { get; set; } = 2;

        /// <summary>Seconds to wait for the replies.</summary>
        [Parameter]
        [ValidateRange(1, 86400)]
        public int Timeout { get; set; } = 10;

        /// <summary>How many replies to wait for (a room may have several responders); zero waits the whole timeout for all of them.</summary>
        [Parameter]
        [ValidateRange(0, int.MaxValue)]
        public int Count { get; set; } = 1;

        /// <summary>Write the replies' objects (or their text when they carried none) instead of the reply messages.</summary>
        [Parameter]
        public SwitchParameter AsObject { get; set; }

        protected override void BeginProcessing()
        {
            base.BeginProcessing();
            ChatMessage.Codec ??= CliXmlCodec.Instance;
        }

        protected override void ProcessRecord()
        {
            var session = ResolveSession(Session, SessionId);
            bool room = To[0] == '#' || To[0] == '&';
            byte[]? payload = null;
            if (InputObject != null)
            {
                payload = CliXmlCodec.Instance.Serialize(InputObject, Depth);
            }

            ReplyWaiter waiter;
            try
            {
                waiter = session.SendRequest(Text, payload, room ? To : null, room ? null : To);
            }
            catch (Exception ex) when (SendFailure.Of(ex, session, room ? To : null, room ? null : To, InputObject) is ErrorRecord failure)
            {
                ThrowTerminatingError(failure);
                return;
            }

            using (waiter)
            {
                WriteReplies(session, waiter);
            }
        }

        private void WriteReplies(ChatSession session, ReplyWaiter waiter)
        {
            var clock = Engine.Timing.MonotonicClock.System;
            long deadline = clock.NowTicks + TimeSpan.FromSeconds(Timeout).Ticks;
            int written = 0;
            while (Count == 0 || written < Count)
            {
                var left = TimeSpan.FromTicks(deadline - clock.NowTicks);
                if (left <= TimeSpan.Zero) break;

                // In slices: a session that closes while we wait is noticed (its replies can no longer come).
                var slice = left < StopPollInterval ? left : StopPollInterval;
                switch (waiter.Replies.Take(slice, StopToken, out var reply))
                {
                    case TakeResult.Taken:
                        WriteReply(reply!);
                        written++;
                        continue;
                    case TakeResult.Cancelled:
                        return;
                    case TakeResult.TimedOut:
                        if (session.State == PSChat.SessionState.Closed)
                        {
                            WriteError(Error(new InvalidOperationException($"Session {session.Id} closed while waiting for replies to '{Text}': {session.CloseReason}."), "SessionClosed", ErrorCategory.ConnectionError, session));
                            return;
                        }

                        continue;
                    default:
                        throw new InvalidOperationException("Unknown take result.");
                }
            }

            if (Count > 0 && written < Count)
            {
                WriteError(Error(
                    new TimeoutException($"{To} sent {written} of {Count} replies to '{Text}' within {Timeout} s."),
                    "RequestTimedOut",
                    ErrorCategory.OperationTimeout,
                    To));
            }
        }

        private void WriteReply(ChatMessage reply)
        {
            if (reply.IsError)
            {
                // The responder failed (a bot command that threw, a script's ReplyError): an error here, as a remote command's would be.
                var category = Enum.TryParse(reply.ErrorCategory, ignoreCase: false, out ErrorCategory parsed) && Enum.IsDefined(typeof(ErrorCategory), parsed) ? parsed : ErrorCategory.NotSpecified;
                string text = reply.Text.StartsWith("error: ", StringComparison.Ordinal) ? reply.Text.Substring("error: ".Length) : reply.Text;
                WriteError(Error(new ChatRequestException($"{reply.Sender} answered '{Text}' with an error: {text}", reply.ErrorCategory!), "RequestFailed", category, reply));
                return;
            }

            if (!AsObject)
            {
                Emit(reply);
                return;
            }

            if (!reply.HasObject)
            {
                Emit(reply.Text);
                return;
            }

            object? value = reply.Object;
            if (reply.ObjectError != null)
            {
                WriteError(Error(new ChatPayloadException($"The object from {reply.Sender} was refused: {reply.ObjectError}"), "ObjectRefused", ErrorCategory.InvalidData, reply));
            }
            else if (value != null)
            {
                // A reply of several objects (a bot command's output) writes them one by one, as a command's output would.
                AssertPipelineThread();
                WriteObject(value, enumerateCollection: true);
            }
        }
    }

    /// <summary>A request answered with an error: the responder's message, and the name of its error category.</summary>
    public sealed class ChatRequestException : Exception
    {
        public ChatRequestException(string message, string errorCategory)
            : base(message)
        {
            RemoteCategory = errorCategory;
        }

        /// <summary>The error category the responder gave, by name (as it travelled).</summary>
        public string RemoteCategory { get; }
    }
}
