using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using PSChat.Commands.Completion;
using PSChat.Engine.Client;

namespace PSChat.Commands
{
    /// <summary>A room's kept messages: from a server this session runs, or through a session (IRCv3 draft/chathistory).</summary>
    [Cmdlet(VerbsCommon.Get, "ChatHistory", DefaultParameterSetName = ServerSet)]
    [OutputType(typeof(ChatMessage))]
    public sealed class GetChatHistoryCommand : PSChatCmdlet
    {
        private const string ServerSet = "Server";
        private const string SessionSet = "Session";

        /// <summary>The server whose rooms to read; by default the one chat server this PowerShell session runs.</summary>
        [Parameter(ParameterSetName = ServerSet, ValueFromPipeline = true)]
        [ValidateNotNull]
        public ChatServer? Server { get; set; }

        /// <summary>A session to a server that offers draft/chathistory; it must be in the room.</summary>
        [Parameter(Mandatory = true, ParameterSetName = SessionSet, ValueFromPipeline = true, HelpMessage = "The session to read the history through.")]
        [ValidateNotNull]
        [ArgumentCompleter(typeof(SessionCompleter))]
        public ChatSession? Session { get; set; }

        /// <summary>The room; by default the server's default room, or the session's first room.</summary>
        [Parameter(Position = 0)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(RoomCompleter))]
        public string? Room { get; set; }

        /// <summary>Only messages sent at or after this time.</summary>
        [Parameter]
        public DateTime Since { get; set; } = DateTime.MinValue;

        /// <summary>Only messages sent before this time.</summary>
        [Parameter]
        public DateTime Until { get; set; } = DateTime.MaxValue;

        /// <summary>At most this many, the newest.</summary>
        [Parameter]
        [ValidateRange(1, int.MaxValue)]
        public int Count { get; set; } = int.MaxValue;

        protected override void ProcessRecord()
        {
            switch (ParameterSetName)
            {
                case ServerSet:
                    FromServer(Server ?? DefaultServer());
                    break;
                case SessionSet:
                    FromSession(Session!);
                    break;
                default:
                    throw new InvalidOperationException("Unknown parameter set " + ParameterSetName);
            }
        }

        private ChatServer DefaultServer()
        {
            var chat = ModuleState.Servers.OfType<ChatServer>().ToArray();
            if (chat.Length == 1) return chat[0];
            ThrowTerminatingError(chat.Length == 0
                ? Error(new InvalidOperationException("No chat server runs in this PowerShell session. Start one with Start-ChatServer, or read a remote server's history with -Session."), "NoChatServer", ErrorCategory.ObjectNotFound, null)
                : Error(new InvalidOperationException($"{chat.Length} chat servers run in this PowerShell session; say which with -Server (Get-ChatServer -Name ... | Get-ChatHistory)."), "AmbiguousChatServer", ErrorCategory.InvalidArgument, null));
            throw new InvalidOperationException("unreachable");
        }

        private void FromServer(ChatServer server)
        {
            string room = Room ?? server.Options.DefaultRoom;
            var messages = server.GetHistory(room, Since, Until, Count);
            if (messages == null)
            {
                WriteError(Error(new ItemNotFoundException($"The server {server.Name} has no room '{room}' (a room's history goes with it when its last member leaves)."), "RoomNotFound", ErrorCategory.ObjectNotFound, room));
                return;
            }

            foreach (var message in messages) Emit(message);
        }

        private void FromSession(ChatSession session)
        {
            string? room = Room ?? session.Rooms.FirstOrDefault();
            if (room == null)
            {
                WriteError(Error(new ArgumentException($"Session {session.Id} is in no room; name one with -Room."), "NoRoom", ErrorCategory.InvalidArgument, session));
                return;
            }

            IReadOnlyList<ChatMessage> messages;
            try
            {
                messages = session.GetHistoryAsync(room, Since, Until, Count, StopToken).GetAwaiter().GetResult();
            }
            catch (NotSupportedException ex)
            {
                WriteError(Error(ex, "HistoryNotSupported", ErrorCategory.NotImplemented, session));
                return;
            }
            catch (ChatProtocolException ex)
            {
                WriteError(Error(ex, "HistoryRefused", ErrorCategory.PermissionDenied, room));
                return;
            }
            catch (TimeoutException ex)
            {
                WriteError(Error(ex, "HistoryTimedOut", ErrorCategory.OperationTimeout, session));
                return;
            }
            catch (InvalidOperationException ex)
            {
                WriteError(Error(ex, "HistoryUnavailable", ErrorCategory.InvalidOperation, session));
                return;
            }

            foreach (var message in messages) Emit(message);
        }
    }
}
