using System.Management.Automation;
using PSChat.Commands.Completion;

namespace PSChat.Commands
{
    /// <summary>Leaves rooms on an IRC session (IRC PART) and returns once the server let the session go.</summary>
    [Cmdlet(VerbsCommon.Exit, "ChatRoom", DefaultParameterSetName = SessionParameterSets.Session, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(ChatSession))]
    public sealed class ExitChatRoomCommand : ChatOperationCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, HelpMessage = "The rooms to leave, e.g. '#ops'.")]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(RoomCompleter))]
        public string[] Room { get; set; } = new string[0];

        /// <summary>What the others in the room see as the reason.</summary>
        [Parameter]
        [ValidateNotNull]
        public string? Reason { get; set; }

        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override void ProcessRecord()
        {
            var session = ActingSession;
            foreach (string room in Room)
            {
                if (!ShouldProcess($"{room} (session {session.Id}, {session.Name})", "Leave chat room")) continue;
                if (Perform(session, room, cancel => session.PartAsync(room, Reason, cancel))) WriteVerbose($"Session {session.Id} left {room}.");
            }

            if (PassThru) Emit(session);
        }
    }
}
