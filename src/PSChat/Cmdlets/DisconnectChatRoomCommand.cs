using System.Management.Automation;
using PSChat.Commands.Completion;

namespace PSChat.Commands
{
    /// <summary>Leaves the server: says goodbye in the protocol and closes the session.</summary>
    [Cmdlet(VerbsCommunications.Disconnect, "ChatRoom", DefaultParameterSetName = SessionParameterSets.Session, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(ChatSession))]
    public sealed class DisconnectChatRoomCommand : PSChatCmdlet
    {
        [Parameter(Position = 0, ParameterSetName = SessionParameterSets.Session, ValueFromPipeline = true)]
        [ValidateNotNull]
        [ArgumentCompleter(typeof(SessionCompleter))]
        public ChatSession? Session { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = SessionParameterSets.SessionId, ValueFromPipelineByPropertyName = true, HelpMessage = "The id of the session to close.")]
        [ArgumentCompleter(typeof(SessionCompleter))]
        public int SessionId { get; set; }

        [Parameter]
        [ValidateNotNull]
        public string Reason { get; set; } = "Leaving";

        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override void ProcessRecord()
        {
            var session = ResolveSession(Session, SessionId);
            if (!ShouldProcess($"session {session.Id} ({session.Name}@{PSChat.Engine.Client.HostPort.Format(session.ComputerName, session.Port)})", "Disconnect chat session")) return;
            session.Disconnect(Reason);
            session.Completion.Wait(System.TimeSpan.FromSeconds(3));
            WriteVerbose($"Session {session.Id} left ('{Reason}'); the connection closed: {session.CloseReason}.");
            if (PassThru) Emit(session);
        }
    }

    /// <summary>The parameter-set names shared by cmdlets that act on a session.</summary>
    internal static class SessionParameterSets
    {
        public const string Session = "Session";
        public const string SessionId = "SessionId";
    }
}
