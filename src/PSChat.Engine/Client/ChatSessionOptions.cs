using System;

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

        public string? Password { get; set; }

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
    }
}
