using System;
using System.Management.Automation;
using System.Security;
using System.Net.Sockets;
using System.Threading.Tasks;
using PSChat.Commands.Completion;

namespace PSChat.Commands
{
    /// <summary>Connects to a chat server and returns the session; it becomes the default session.</summary>
    [Cmdlet(VerbsCommunications.Connect, "ChatRoom")]
    [OutputType(typeof(ChatSession))]
    public sealed class ConnectChatRoomCommand : PSChatCmdlet
    {
        [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
        [Alias("Cn", "HostName")]
        [ValidateNotNullOrEmpty]
        public string ComputerName { get; set; } = "127.0.0.1";

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateRange(1, 65535)]
        public int Port { get; set; } = ChatServerOptions.DefaultPort;

        [Parameter]
        [Alias("Nick")]
        [ValidateNotNullOrEmpty]
        public string? Name { get; set; }

        /// <summary>IRC channels to join ('ops' means '#ops', '#room key' joins with a key); IRC joins #lobby when none is given.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(RoomCompleter))]
        public string[]? Room { get; set; }

        /// <summary>Auto tries IRC first and falls back to text when the server does not answer like IRC (see README).</summary>
        [Parameter]
        public ChatProtocol Protocol { get; set; } = ChatProtocol.Auto;

        /// <summary>Sent with IRC PASS (a SecureString: Read-Host -AsSecureString, or ConvertTo-SecureString).</summary>
        [Parameter]
        [ValidateNotNull]
        public SecureString? Password { get; set; }

        /// <summary>Seconds to wait for the connection (and, for IRC, registration).</summary>
        [Parameter]
        [ValidateRange(1, 3600)]
        public int Timeout { get; set; } = 10;

        [Parameter]
        [ValidateRange(1, 10000000)]
        public int BufferCapacity { get; set; } = 10000;

        protected override void ProcessRecord()
        {
            var options = new ChatSessionOptions
            {
                ComputerName = ComputerName,
                Port = Port,
                Name = Name,
                Rooms = Room ?? new string[0],
                Protocol = Protocol,
                Password = Password,
                Timeout = TimeSpan.FromSeconds(Timeout),
                BufferCapacity = BufferCapacity,
            };

            string target = $"{ComputerName}:{Port}";
            WriteVerbose($"Connecting to {target} ({Protocol}).");
            Task<ChatSession> connecting = ChatSession.ConnectAsync(options, StopToken);
            ChatSession session;
            try
            {
                session = connecting.GetAwaiter().GetResult();
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (TimeoutException ex)
            {
                WriteError(Error(ex, "ConnectionTimedOut", ErrorCategory.OperationTimeout, target));
                return;
            }
            catch (SocketException ex)
            {
                WriteError(Error(new InvalidOperationException($"Cannot connect to {target}: {ex.Message}", ex), "ConnectionFailed", ErrorCategory.ConnectionError, target));
                return;
            }
            catch (Exception ex) when (ex is ChatProtocolException || ex is NotSupportedException)
            {
                WriteError(Error(ex, "ProtocolFailed", ErrorCategory.ProtocolError, target));
                return;
            }

            ModuleState.AddSession(session);
            WriteVerbose($"Connected to {session.RemoteEndPoint} as session {session.Id} ({session.Protocol}, name '{session.Name}').");
            Emit(session);
        }
    }
}
