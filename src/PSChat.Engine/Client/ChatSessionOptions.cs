using System;
using System.Security;

namespace PSChat
{
    /// <summary>How to connect a <see cref="ChatSession"/>.</summary>
    public sealed class ChatSessionOptions
    {
        /// <summary>The room an IRC session joins when given none: where a PSChat server keeps its text clients by default.</summary>
        public const string LobbyRoom = "#lobby";

        public string ComputerName { get; set; } = "127.0.0.1";

        public int Port { get; set; } = ChatServerOptions.DefaultPort;

        /// <summary>The name to speak under (IRC nick); with Text, lines are prefixed "name:" only when set.</summary>
        public string? Name { get; set; }

        public string[] Rooms { get; set; } = new string[0];

        public ChatProtocol Protocol { get; set; } = ChatProtocol.Auto;

        /// <summary>Sent with IRC PASS when set and not empty; the caller owns (and disposes) the string.</summary>
        public SecureString? Password { get; set; }

        public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

        /// <summary>Speak TLS (SNI with <see cref="ComputerName"/>, the certificate checked against the system's trust store).</summary>
        public bool UseTls { get; set; }

        /// <summary>With TLS: accept any server certificate (tests with a self-signed one only).</summary>
        public bool SkipCertificateCheck { get; set; }

        /// <summary>With TLS: accept exactly the certificate with this SHA-1 thumbprint (hex; spaces and colons ignored), trusted or not.</summary>
        public string? CertificateThumbprint { get; set; }

        /// <summary>Messages kept for Receive-ChatMessage; beyond that the oldest are dropped and counted.</summary>
        public int BufferCapacity { get; set; } = 10000;

        public int MaxLineLength { get; set; } = 8192;

        public TimeSpan QuietTime { get; set; } = TimeSpan.FromMilliseconds(50);

        /// <summary>
        /// Auto: how long to listen for a server that speaks first before sending anything. Shorter than a
        /// PSChat server's DetectTimeout (250 ms), after which a silent client counts as a text listener.
        /// </summary>
        public TimeSpan GreetingWindow { get; set; } = TimeSpan.FromMilliseconds(150);

        /// <summary>Auto: how long a silent server has to answer the one probing line (CAP LS 302) like IRC.</summary>
        public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromSeconds(2);

        /// <summary>
        /// After the connection drops (anything but Disconnect), connect again with backoff, register
        /// under the name the session had and rejoin the rooms it was in; the session object, its id and
        /// its buffer stay the same.
        /// </summary>
        public bool Reconnect { get; set; }

        /// <summary>The first wait before reconnecting; each failed attempt doubles it, up to <see cref="MaxReconnectDelay"/>.</summary>
        public TimeSpan ReconnectDelay { get; set; } = TimeSpan.FromSeconds(1);

        public TimeSpan MaxReconnectDelay { get; set; } = TimeSpan.FromSeconds(60);

        /// <summary>Attempts in a row before the session gives up and closes; zero never gives up.</summary>
        public int MaxReconnectAttempts { get; set; }

        /// <summary>IRC: after this much silence from the server the session sends a PING; zero turns keepalive off.</summary>
        public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(60);

        /// <summary>IRC: how long the server has to answer that PING (with anything) before the link counts as dead.</summary>
        public TimeSpan KeepAliveTimeout { get; set; } = TimeSpan.FromSeconds(30);

        /// <summary>
        /// IRC: lines the session sends on its own account (messages, joins, nick changes), at most this
        /// many a second after a burst of <see cref="PaceBurst"/>, queued in order; zero sends at once.
        /// Real networks drop clients that flood (RFC 1459 8.10); answers such as PONG never wait.
        /// </summary>
        public double PaceLinesPerSecond { get; set; } = 1;

        /// <summary>IRC: lines that may go at once after a quiet spell before pacing starts.</summary>
        public int PaceBurst { get; set; } = 5;

        /// <summary>The clock of keepalive and pacing; tests drive their own.</summary>
        internal Engine.Timing.MonotonicClock Clock { get; set; } = Engine.Timing.MonotonicClock.System;

        /// <summary>How often the keepalive looks at the clock (real time).</summary>
        internal TimeSpan KeepAliveCheckPeriod { get; set; } = TimeSpan.FromSeconds(1);

        /// <summary>The default of <see cref="MaxPayloadBytes"/>: 4 MB.</summary>
        public const int DefaultMaxPayloadBytes = 4 * 1024 * 1024;

        /// <summary>The largest payload (a serialized object, before chunking) the session sends or accepts.</summary>
        public int MaxPayloadBytes { get; set; } = DefaultMaxPayloadBytes;

        /// <summary>Payloads one sender may have in progress at once; more are refused and counted.</summary>
        public int MaxIncompletePayloads { get; set; } = 4;

        /// <summary>How long a payload may go without a chunk before it is refused and forgotten.</summary>
        public TimeSpan IncompletePayloadTimeout { get; set; } = TimeSpan.FromSeconds(60);

        /// <summary>
        /// IRC: log in with SASL PLAIN as this account (user name and password) before registering; a
        /// refusal fails the connection with the server's reason. Only over TLS or to this machine, unless
        /// <see cref="AllowUnencryptedAuthentication"/>.
        /// </summary>
        public System.Net.NetworkCredential? Credential { get; set; }

        /// <summary>With TLS: show this certificate (it needs its private key) and log in with SASL EXTERNAL to the account it is bound to.</summary>
        public System.Security.Cryptography.X509Certificates.X509Certificate2? ClientCertificate { get; set; }

        /// <summary>Send <see cref="Credential"/> over plain TCP to another machine (the password crosses the network in clear).</summary>
        public bool AllowUnencryptedAuthentication { get; set; }

        public ChatSessionOptions Clone() => (ChatSessionOptions)MemberwiseClone();
    }
}
