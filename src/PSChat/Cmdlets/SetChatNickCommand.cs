using System.Management.Automation;

namespace PSChat.Commands
{
    /// <summary>Takes another nick on an IRC session and returns once the server agreed.</summary>
    [Cmdlet(VerbsCommon.Set, "ChatNick", DefaultParameterSetName = SessionParameterSets.Session, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(ChatSession))]
    public sealed class SetChatNickCommand : ChatOperationCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, HelpMessage = "The nick to take.")]
        [ValidateNotNullOrEmpty]
        public string Nick { get; set; } = string.Empty;

        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override void ProcessRecord()
        {
            var session = ActingSession;
            if (!ShouldProcess($"session {session.Id} ({session.Name})", $"Change nick to '{Nick}'")) return;
            if (Perform(session, Nick, cancel => session.ChangeNameAsync(Nick, cancel)))
            {
                WriteVerbose($"Session {session.Id} is now {session.Name}.");
                if (PassThru) Emit(session);
            }
        }
    }
}
