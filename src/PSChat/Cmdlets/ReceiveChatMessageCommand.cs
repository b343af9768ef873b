using System;
using System.Management.Automation;
using PSChat.Engine.Client;
using PSChat.Commands.Completion;

namespace PSChat.Commands
{
    /// <summary>Writes the messages a session has received; with -Wait, streams them as they come; with -AsObject, the objects they carried.</summary>
    [Cmdlet(VerbsCommunications.Receive, "ChatMessage", DefaultParameterSetName = SessionParameterSets.Session)]
    [OutputType(typeof(ChatMessage), typeof(PSObject))]
    public sealed class ReceiveChatMessageCommand : PSChatCmdlet
    {
        [Parameter(Position = 0, ParameterSetName = SessionParameterSets.Session, ValueFromPipeline = true)]
        [ValidateNotNull]
        [ArgumentCompleter(typeof(SessionCompleter))]
        public ChatSession? Session { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = SessionParameterSets.SessionId, ValueFromPipelineByPropertyName = true, HelpMessage = "The id of the session to read from.")]
        [ArgumentCompleter(typeof(SessionCompleter))]
        public int SessionId { get; set; }

        /// <summary>Keep writing messages as they arrive until Ctrl+C, -Count, -Timeout or the session closes.</summary>
        [Parameter]
        public SwitchParameter Wait { get; set; }

        /// <summary>Stop after this many messages, waiting for them if need be.</summary>
        [Parameter]
        [ValidateRange(1, int.MaxValue)]
        public int Count { get; set; }

        /// <summary>
        /// The kinds written when -Kind is not given: all but the comings and goings of others (Join, Part,
        /// Quit, Nick), which would otherwise come before the message a script waits for.
        /// </summary>
        internal static readonly ChatMessageKind[] DefaultKinds =
        {
            ChatMessageKind.Message, ChatMessageKind.Notice, ChatMessageKind.Private, ChatMessageKind.Topic, ChatMessageKind.Kick, ChatMessageKind.System,
        };

        /// <summary>Only messages of these kinds (by default <see cref="DefaultKinds"/>); the others are taken from the buffer and passed over.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public ChatMessageKind[]? Kind { get; set; }

        /// <summary>Seconds to wait in all; without -Wait or -Count, how long to wait for the first message.</summary>
        [Parameter]
        [ValidateRange(0, int.MaxValue)]
        public int Timeout { get; set; } = -1;

        /// <summary>Write the objects messages carried (Send-ChatMessage -AsObject) instead of the messages; messages without one are passed over.</summary>
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
            bool waitForMore = Wait || Count > 0;
            var deadline = Timeout >= 0 ? DateTime.UtcNow.AddSeconds(Timeout) : (DateTime?)null;
            int written = 0;
            WarnOfDrops(session);
            while (Count == 0 || written < Count)
            {
                TimeSpan wait;
                if (deadline != null) wait = Max(deadline.Value - DateTime.UtcNow, TimeSpan.Zero);
                else wait = waitForMore ? System.Threading.Timeout.InfiniteTimeSpan : TimeSpan.Zero;

                // Without -Wait/-Count, wait only for the first message; after that, take what is there.
                if (!waitForMore && written > 0) wait = TimeSpan.Zero;

                switch (session.Receive(wait, StopToken, out var message))
                {
                    case TakeResult.Taken:
                        WarnOfDrops(session);
                        if (Array.IndexOf(Kind ?? DefaultKinds, message!.Kind) < 0) continue;
                        if (AsObject)
                        {
                            if (!message!.HasObject) continue;
                            if (!EmitObject(message)) continue;
                        }
                        else
                        {
                            Emit(message!);
                        }

                        written++;
                        continue;
                    case TakeResult.TimedOut:
                        if (Count > 0 && deadline != null)
                        {
                            WriteError(Error(
                                new TimeoutException($"Received {written} of {Count} messages within {Timeout} s."),
                                "ReceiveTimedOut",
                                ErrorCategory.OperationTimeout,
                                session));
                        }

                        return;
                    case TakeResult.Completed:
                        if (Count > 0 && written < Count)
                        {
                            WriteError(Error(
                                new InvalidOperationException($"Session {session.Id} closed after {written} of {Count} messages: {session.CloseReason}."),
                                "SessionClosed",
                                ErrorCategory.ConnectionError,
                                session));
                        }

                        return;
                    case TakeResult.Cancelled:
                        return;
                    default:
                        throw new InvalidOperationException("Unknown take result.");
                }
            }
        }

        /// <summary>Writes the object a message carried; a refused one is an error (and counted on the session).</summary>
        private bool EmitObject(ChatMessage message)
        {
            object? value = message.Object;
            if (message.ObjectError != null)
            {
                WriteError(Error(new ChatPayloadException($"The object from {message.Sender} was refused: {message.ObjectError}"), "ObjectRefused", ErrorCategory.InvalidData, message));
                return false;
            }

            if (value != null) Emit(value);
            return true;
        }

        /// <summary>A full buffer drops the oldest messages; the reader hears of it once, with what to do about it.</summary>
        private void WarnOfDrops(ChatSession session)
        {
            long dropped = session.TakeUnreportedDrops();
            if (dropped == 0) return;
            WriteWarning($"{dropped} message(s) to session {session.Id} were dropped before they were read: its buffer holds {session.BufferCapacity}. " +
                "Read more often (Receive-ChatMessage -Wait, or in a thread job), or connect with a larger -BufferCapacity.");
        }

        private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
    }
}
