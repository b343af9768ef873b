using System.Management.Automation;

namespace PSChat.Commands
{
    /// <summary>Joins rooms on an IRC session and returns once the server let the session in.</summary>
    [Cmdlet(VerbsCommon.Join, "ChatRoom", DefaultParameterSetName = SessionParameterSets.Session)]
    [OutputType(typeof(ChatSession))]
    public sealed class JoinChatRoomCommand : ChatOperationCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, HelpMessage = "The rooms to join, e.g. '#ops'.")]
        [ValidateNotNullOrEmpty]
        public string[] Room { get; set; } = new string[0];

        /// <summary>The key (password) of rooms that have one (mode +k).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? Key { get; set; }

        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override void ProcessRecord()
        {
            var session = ActingSession;
            foreach (string room in Room)
            {
                if (Perform(session, room, cancel => session.JoinAsync(room, Key, cancel))) WriteVerbose($"Session {session.Id} is in {room}.");
            }

            if (PassThru) Emit(session);
        }
    }
}
