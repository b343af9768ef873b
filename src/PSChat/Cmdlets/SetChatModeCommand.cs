using System.Management.Automation;
using PSChat.Commands.Completion;

namespace PSChat.Commands
{
    /// <summary>Changes the modes of a room (or of the session's own nick) and returns once the server answered.</summary>
    [Cmdlet(VerbsCommon.Set, "ChatMode", DefaultParameterSetName = SessionParameterSets.Session, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(ChatSession))]
    public sealed class SetChatModeCommand : ChatOperationCmdlet
    {
        /// <summary>A room, or the session's own nick for user modes.</summary>
        [Parameter(Mandatory = true, Position = 0, HelpMessage = "The room (or the session's own nick) whose modes to change.")]
        [ValidateNotNullOrEmpty]
        [Alias("Room")]
        [ArgumentCompleter(typeof(RoomCompleter))]
        public string Target { get; set; } = string.Empty;

        /// <summary>Mode changes, e.g. '+o', '-v', '+mt'.</summary>
        [Parameter(Mandatory = true, Position = 1, HelpMessage = "The mode changes, e.g. '+o' or '-t'.")]
        [ValidateNotNullOrEmpty]
        public string Mode { get; set; } = string.Empty;

        /// <summary>The modes' arguments in order, e.g. the nick for +o or the key for +k.</summary>
        [Parameter(Position = 2)]
        [ValidateNotNull]
        [ArgumentCompleter(typeof(NickCompleter))]
        public string[] Argument { get; set; } = new string[0];

        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override void ProcessRecord()
        {
            var session = ActingSession;
            string change = (Mode + " " + string.Join(" ", Argument)).Trim();
            if (!ShouldProcess($"{Target} (session {session.Id}, {session.Name})", $"Set mode {change}")) return;
            if (Perform(session, Target, cancel => session.SetModeAsync(Target, Mode, Argument, cancel)) && PassThru) Emit(session);
        }
    }
}
