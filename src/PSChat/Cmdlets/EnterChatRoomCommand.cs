using System;
using System.Management.Automation;
using System.Management.Automation.Host;
using PSChat.Commands.Completion;
using PSChat.Commands.Interactive;

namespace PSChat.Commands
{
    /// <summary>
    /// Chats at the console like the tutorial's client: incoming messages appear above the line being
    /// typed, slash commands do the common actions, and "exit" returns to the prompt (the session stays open).
    /// </summary>
    [Cmdlet(VerbsCommon.Enter, "ChatRoom", DefaultParameterSetName = SessionParameterSets.Session)]
    [OutputType(typeof(void))]
    public sealed class EnterChatRoomCommand : PSChatCmdlet
    {
        [Parameter(Position = 0, ParameterSetName = SessionParameterSets.Session, ValueFromPipeline = true)]
        [ArgumentCompleter(typeof(SessionCompleter))]
        [ValidateNotNull]
        public ChatSession? Session { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = SessionParameterSets.SessionId, ValueFromPipelineByPropertyName = true, HelpMessage = "The id of the session to chat in.")]
        [ArgumentCompleter(typeof(SessionCompleter))]
        public int SessionId { get; set; }

        /// <summary>The room plain lines go to at first; /join changes it.</summary>
        [Parameter]
        [ArgumentCompleter(typeof(RoomCompleter))]
        [ValidateNotNullOrEmpty]
        public string? Room { get; set; }

        protected override void ProcessRecord()
        {
            var session = ResolveSession(Session, SessionId);
            if (session.State == PSChat.SessionState.Closed)
            {
                ThrowTerminatingError(Error(new InvalidOperationException($"Session {session.Id} is closed: {session.CloseReason}."), "SessionClosed", ErrorCategory.ConnectionError, session));
            }

            var ui = InteractiveUI(Host);
            WriteVerbose($"Interactive chat on session {session.Id} ({session.Protocol}, name '{session.Name}').");
            using (var chat = new InteractiveChat(session, ui, Room ?? session.DefaultRoom))
            {
                var end = chat.Run(StopToken);
                WriteVerbose($"Left the interactive chat: {end}.");
            }
        }

        /// <summary>The host's console, or a terminating error where there is none to read keys from.</summary>
        private PSHostUserInterface InteractiveUI(PSHost host)
        {
            var ui = host.UI;
            try
            {
                if (ui?.RawUI != null)
                {
                    _ = ui.RawUI.KeyAvailable;
                    return ui;
                }
            }
            catch (Exception ex) when (ex is NotImplementedException || ex is NotSupportedException || ex is InvalidOperationException || ex is System.IO.IOException || ex is HostException)
            {
            }

            ThrowTerminatingError(Error(
                new PSInvalidOperationException($"Enter-ChatRoom needs an interactive console to read keys from; the host '{host.Name}' has none (input redirected?). Use Receive-ChatMessage and Send-ChatMessage in scripts."),
                "InteractiveConsoleRequired",
                ErrorCategory.ResourceUnavailable,
                host.Name));
            throw new InvalidOperationException("unreachable");
        }
    }
}
