using System.Management.Automation;
using PSChat.Commands.Completion;

namespace PSChat.Commands
{
    /// <summary>Removes people from a room (IRC KICK) and returns once the server did it.</summary>
    [Cmdlet(VerbsCommon.Remove, "ChatMember", DefaultParameterSetName = SessionParameterSets.Session, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(ChatSession))]
    public sealed class RemoveChatMemberCommand : ChatOperationCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, HelpMessage = "The room to remove them from.")]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(RoomCompleter))]
        public string Room { get; set; } = string.Empty;

        [Parameter(Mandatory = true, Position = 1, HelpMessage = "The nicks to remove.")]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(NickCompleter))]
        public string[] Nick { get; set; } = new string[0];

        /// <summary>What the room sees as the reason.</summary>
        [Parameter]
        [ValidateNotNull]
        public string? Reason { get; set; }

        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override void ProcessRecord()
        {
            var session = ActingSession;
            foreach (string nick in Nick)
            {
                if (!ShouldProcess($"{nick} in {Room} (session {session.Id}, {session.Name})", "Remove from chat room")) continue;
                Perform(session, nick, cancel => session.KickAsync(Room, nick, Reason, cancel));
            }

            if (PassThru) Emit(session);
        }
    }
}
