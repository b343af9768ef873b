using System.Management.Automation;
using PSChat.Commands.Completion;

namespace PSChat.Commands
{
    /// <summary>Sets a room's topic on an IRC session and returns once the server took it.</summary>
    [Cmdlet(VerbsCommon.Set, "ChatTopic", DefaultParameterSetName = SessionParameterSets.Session, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(ChatSession))]
    public sealed class SetChatTopicCommand : ChatOperationCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, HelpMessage = "The room whose topic to set.")]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(RoomCompleter))]
        public string Room { get; set; } = string.Empty;

        /// <summary>The new topic; an empty string clears it.</summary>
        [Parameter(Mandatory = true, Position = 1, HelpMessage = "The new topic; an empty string clears it.")]
        [AllowEmptyString]
        public string Topic { get; set; } = string.Empty;

        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override void ProcessRecord()
        {
            var session = ActingSession;
            if (!ShouldProcess($"{Room} (session {session.Id}, {session.Name})", $"Set topic to '{Topic}'")) return;
            if (Perform(session, Room, cancel => session.SetTopicAsync(Room, Topic, cancel)) && PassThru) Emit(session);
        }
    }
}
