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

        /// <summary>
        /// IRC: lines a second the session sends after a burst of 5 (what real networks' flood control
        /// allows); 0 sends at once. Default: 1, or unpaced to a server on this machine (loopback).
        /// </summary>
        [Parameter]
        [ValidateRange(0.0, 1000.0)]
        public double MessagesPerSecond { get; set; } = 1;

        /// <summary>IRC: no outgoing pacing at all (for a server you own).</summary>
        [Parameter]
        public SwitchParameter NoThrottle { get; set; }

        /// <summary>Connect again after the connection drops, rejoining the session's rooms under its name.</summary>
        [Parameter]
        public SwitchParameter Reconnect { get; set; }

        /// <summary>With -Reconnect: attempts in a row before giving up (0, the default, never gives up).</summary>
        [Parameter]
        [ValidateRange(0, int.MaxValue)]
        public int ReconnectAttempts { get; set; }

        /// <summary>IRC: seconds of silence from the server before the session sends a PING; 0 turns keepalive off.</summary>
        [Parameter]
        [ValidateRange(0, 86400)]
        public int KeepAliveSeconds { get; set; } = 60;

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

        /// <summary>The largest object (serialized, in bytes) the session sends or accepts.</summary>
        [Parameter]
        [ValidateRange(1024, int.MaxValue)]
        public int MaxPayloadBytes { get; set; } = ChatSessionOptions.DefaultMaxPayloadBytes;

        /// <summary>Objects one sender may have on the way at once; more are refused and counted.</summary>
        [Parameter]
        [ValidateRange(1, 1000)]
        public int MaxIncompletePayloads { get; set; } = 4;

        /// <summary>Seconds an object may take to arrive whole before it is refused.</summary>
        [Parameter]
        [ValidateRange(1, 86400)]
        public int IncompletePayloadTimeoutSeconds { get; set; } = 60;

        /// <summary>IRC: log in to this account with SASL PLAIN; a refusal fails the connection. Needs TLS to another machine.</summary>
        [Parameter]
        [Credential]
        [ValidateNotNull]
        public PSCredential? Credential { get; set; }

        /// <summary>IRC over TLS: show this certificate and log in with SASL EXTERNAL to the account it is bound to.</summary>
        [Parameter]
        [ValidateNotNull]
        public System.Security.Cryptography.X509Certificates.X509Certificate2? ClientCertificate { get; set; }

        /// <summary>Send -Credential's password over plain TCP to another machine anyway (anyone on the way can read it).</summary>
        [Parameter]
        public SwitchParameter AllowUnencryptedAuthentication { get; set; }

        protected override void ProcessRecord()
        {
            if (SkipCertificateCheck && CertificateThumbprint != null)
            {
                ThrowTerminatingError(Error(new ArgumentException("-SkipCertificateCheck accepts any certificate and -CertificateThumbprint only one: give one of them."), "ConflictingCertificateChecks", ErrorCategory.InvalidArgument, CertificateThumbprint));
            }

            if (SkipCertificateCheck)
            {
                WriteWarning($"-SkipCertificateCheck: the certificate of {PSChat.Engine.Client.HostPort.Format(ComputerName, Port)} is not checked, so anyone between here and there can read and change the chat. Use it for tests only; pin a self-signed certificate with -CertificateThumbprint instead.");
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
                PaceLinesPerSecond = PaceRate(),
                Reconnect = Reconnect,
                MaxReconnectAttempts = ReconnectAttempts,
                KeepAliveInterval = TimeSpan.FromSeconds(KeepAliveSeconds),
                UseTls = UseTls || SkipCertificateCheck || CertificateThumbprint != null,
                SkipCertificateCheck = SkipCertificateCheck,
                CertificateThumbprint = CertificateThumbprint,
                MaxPayloadBytes = MaxPayloadBytes,
                MaxIncompletePayloads = MaxIncompletePayloads,
                IncompletePayloadTimeout = TimeSpan.FromSeconds(IncompletePayloadTimeoutSeconds),
                Credential = Credential?.GetNetworkCredential(),
                ClientCertificate = ClientCertificate,
                AllowUnencryptedAuthentication = AllowUnencryptedAuthentication,
            };

            if (Credential != null || ClientCertificate != null)
            {
                // SASL is IRC's: a login must never quietly become a text session without one.
                if (Protocol == ChatProtocol.Text)
                {
                    ThrowTerminatingError(Error(new ArgumentException("-Credential and -ClientCertificate log in with IRC SASL: use -Protocol Irc (or Auto)."), "CredentialNeedsIrc", ErrorCategory.InvalidArgument, Protocol));
                }

                options.Protocol = ChatProtocol.Irc;
                if (ChatSession.CredentialRefusal(options) is string refusal)
                {
                    ThrowTerminatingError(Error(new InvalidOperationException(refusal), "CredentialNeedsTls", ErrorCategory.SecurityError, PSChat.Engine.Client.HostPort.Format(ComputerName, Port)));
                }
            }

            string target = PSChat.Engine.Client.HostPort.Format(ComputerName, Port);
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
            catch (ArgumentException ex)
            {
                WriteError(Error(ex, "InvalidName", ErrorCategory.InvalidArgument, ex.ParamName == "Name" ? (object?)Name : Room));
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

            if (Name != null && !string.Equals(session.Name, Name, StringComparison.Ordinal))
            {
                // The server refused the nick (taken, too long, characters it does not allow): say which one we got.
                WriteWarning($"The server did not accept the name '{Name}'; session {session.Id} took '{session.Name}' instead. " +
                    $"IRC nicks are ASCII letters, digits and []\\`_^{{|}}- not starting with a digit, at most {LengthOf(session)} characters on this server.");
            }

            ModuleState.AddSession(session);
            WriteVerbose($"Connected to {session.RemoteEndPoint} as session {session.Id} ({session.Protocol}, name '{session.Name}').");
            Emit(session);
        }

        /// <summary>-NoThrottle, an explicit -MessagesPerSecond, or the default: paced, except to this machine.</summary>
        private double PaceRate()
        {
            if (NoThrottle) return 0;
            if (MyInvocation.BoundParameters.ContainsKey(nameof(MessagesPerSecond))) return MessagesPerSecond;
            bool loopback = string.Equals(ComputerName, "localhost", StringComparison.OrdinalIgnoreCase) ||
                (System.Net.IPAddress.TryParse(ComputerName.Trim('[', ']'), out var address) && System.Net.IPAddress.IsLoopback(address));
            return loopback ? 0 : MessagesPerSecond;
        }

        private static string LengthOf(ChatSession session) =>
            session.ServerSupport.TryGetValue("NICKLEN", out string? length) ? length : "9 (RFC 1459; the server did not say)";

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
