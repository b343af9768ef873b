using System;
using System.Net;
using System.Security.Cryptography.X509Certificates;

namespace PSChat
{
    /// <summary>Which protocols a chat server accepts on its port.</summary>
    public enum ChatProtocol
    {
        /// <summary>The first line decides: IRC registration commands start IRC, anything else is text.</summary>
        Auto,
        Text,
        Irc,
    }

    /// <summary>Settings of a chat server; the defaults are those documented for Start-ChatServer.</summary>
    public sealed class ChatServerOptions
    {
        public const int DefaultPort = 9999;

        public IPAddress Address { get; set; } = IPAddress.Loopback;

        public int Port { get; set; } = DefaultPort;

        /// <summary>The server's name in Get-ChatServer; empty means "Chat" and the port.</summary>
        public string Name { get; set; } = string.Empty;

        /// <summary>The room plain text clients live in.</summary>
        public string DefaultRoom { get; set; } = "#lobby";

        /// <summary>Longest text line in bytes, terminator excluded.</summary>
        public int MaxLineLength { get; set; } = 8192;

        /// <summary>Bytes queued for one client before it is dropped as a slow consumer.</summary>
        public int MaxSendQueue { get; set; } = 1024 * 1024;

        public int MaxClients { get; set; } = 20000;

        /// <summary>
        /// How long messages to a busy client may wait to go out together: a client written to within
        /// the last WriteDelay gets its next messages in one write when the delay is up; one that was
        /// not is written at once. Zero writes every message at once.
        /// </summary>
        public TimeSpan WriteDelay { get; set; } = TimeSpan.FromMilliseconds(8);

        public ChatProtocol Protocol { get; set; } = ChatProtocol.Auto;

        /// <summary>An unterminated text line is taken as a message after this much silence.</summary>
        public TimeSpan QuietTime { get; set; } = TimeSpan.FromMilliseconds(50);

        /// <summary>A client silent this long after connecting is a plain text listener.</summary>
        public TimeSpan DetectTimeout { get; set; } = TimeSpan.FromMilliseconds(250);

        /// <summary>Rejected lines in a row (invalid UTF-8, control bytes, overlong) before a client is dropped.</summary>
        public int MaxRejectedLines { get; set; } = 10;

        /// <summary>The server's IRC name, the source of its numerics and notices.</summary>
        public string HostName { get; set; } = "pschat.local";

        /// <summary>The IRC network name (ISUPPORT NETWORK and the welcome line).</summary>
        public string NetworkName { get; set; } = "PSChat";

        /// <summary>When set, IRC clients must send this with PASS before registering.</summary>
        public string? Password { get; set; }

        /// <summary>Lines of the IRC message of the day; none means 422 (no MOTD).</summary>
        public string[] Motd { get; set; } = new string[0];

        /// <summary>An IRC client that has not registered within this time is dropped.</summary>
        public TimeSpan RegistrationTimeout { get; set; } = TimeSpan.FromSeconds(60);

        /// <summary>An IRC client silent this long is sent a PING.</summary>
        public TimeSpan PingInterval { get; set; } = TimeSpan.FromSeconds(120);

        /// <summary>An IRC client that stays silent this long after a PING is dropped.</summary>
        public TimeSpan PingTimeout { get; set; } = TimeSpan.FromSeconds(60);

        /// <summary>
        /// The server's TLS certificate (with its private key). When set, the port serves TLS and plain
        /// clients alike: a connection whose first byte opens a TLS handshake gets TLS.
        /// </summary>
        public X509Certificate2? Certificate { get; set; }

        /// <summary>With a certificate: refuse plain connections (with a line saying TLS is required).</summary>
        public bool RequireTls { get; set; }

        /// <summary>
        /// With a certificate: how long a new connection has to start a TLS handshake before it counts as
        /// a plain client (a silent one then becomes a listener, after the usual DetectTimeout). Longer
        /// than DetectTimeout: a process's first TLS connection can take a few hundred milliseconds to
        /// send its ClientHello (the TLS library loads), and a late one would meet a plain connection.
        /// </summary>
        public TimeSpan TlsDetectTimeout { get; set; } = TimeSpan.FromSeconds(1);

        /// <summary>A TLS client must finish its handshake within this time of connecting, or is dropped.</summary>
        public TimeSpan TlsHandshakeTimeout { get; set; } = TimeSpan.FromSeconds(10);

        /// <summary>
        /// Serve connections from the epoll loop threads where the platform has them (Linux); false
        /// keeps them on the thread pool (the tests run both).
        /// </summary>
        internal bool UseIoLoop { get; set; } = true;

        /// <summary>The clock of every deadline (write delay, quiet time, registration, ping); tests drive their own.</summary>
        internal Engine.Timing.MonotonicClock Clock { get; set; } = Engine.Timing.MonotonicClock.System;

        public ChatServerOptions Clone() => (ChatServerOptions)MemberwiseClone();
    }
}
