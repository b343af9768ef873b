using System;
using System.Management.Automation;
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

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? Password { get; set; }

        /// <summary>Seconds to wait for the connection (and, for IRC, registration).</summary>
        [Parameter]
        [ValidateRange(1, 3600)]
        public int Timeout { get; set; } = 10;

        [Parameter]
        [ValidateRange(1, 10000000)]
        public int BufferCapacity { get; set; } = 10000;

        /// <summary>Speak TLS: SNI with the host name, the server's certificate checked against the system's trust store.</summary>
        [Parameter]
        public SwitchParameter UseTls { get; set; }

        /// <summary>Accept any server certificate (self-signed test servers only); implies -UseTls.</summary>
        [Parameter]
        public SwitchParameter SkipCertificateCheck { get; set; }

        /// <summary>Accept exactly the server certificate with this thumbprint, trusted or not; implies -UseTls.</summary>
        [Parameter]
        [ValidatePattern(@"^[0-9A-Fa-f: ]+$")]
        public string? CertificateThumbprint { get; set; }

        protected override void ProcessRecord()
        {
            if (SkipCertificateCheck && CertificateThumbprint != null)
            {
                ThrowTerminatingError(Error(new ArgumentException("-SkipCertificateCheck accepts any certificate and -CertificateThumbprint only one: give one of them."), "ConflictingCertificateChecks", ErrorCategory.InvalidArgument, CertificateThumbprint));
            }

            if (SkipCertificateCheck)
            {
                WriteWarning($"-SkipCertificateCheck: the certificate of {ComputerName}:{Port} is not checked, so anyone between here and there can read and change the chat. Use it for tests only; pin a self-signed certificate with -CertificateThumbprint instead.");
            }

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
                UseTls = UseTls || SkipCertificateCheck || CertificateThumbprint != null,
                SkipCertificateCheck = SkipCertificateCheck,
                CertificateThumbprint = CertificateThumbprint,
            };

            string target = $"{ComputerName}:{Port}";
            WriteVerbose($"Connecting to {target} ({Protocol}{(options.UseTls ? ", TLS" : string.Empty)}).");
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
            catch (ChatTlsException ex)
            {
                WriteError(TlsError(ex, target));
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

        private static ErrorRecord TlsError(ChatTlsException ex, string target)
        {
            switch (ex.Failure)
            {
                case TlsFailure.CertificateRejected: return Error(ex, "CertificateValidationFailed", ErrorCategory.SecurityError, target);
                case TlsFailure.ServerNotTls: return Error(ex, "ServerNotTls", ErrorCategory.ProtocolError, target);
                case TlsFailure.ServerRequiresTls: return Error(ex, "ServerRequiresTls", ErrorCategory.ProtocolError, target);
                case TlsFailure.HandshakeFailed: return Error(ex, "TlsHandshakeFailed", ErrorCategory.SecurityError, target);
                default: throw new InvalidOperationException("Unknown TLS failure " + ex.Failure);
            }
        }
    }
}
