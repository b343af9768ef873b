using System;
using System.Net;

namespace PSChat
{
    /// <summary>Settings of a TCP or UDP greeting server; the defaults are the tutorial's.</summary>
    public sealed class GreetingServerOptions
    {
        public const string DefaultWelcome = "welcome!";

        public const string DefaultTcpReply = "hello {0}";

        public const string DefaultUdpReply = "Hello, {0}!";

        public IPAddress Address { get; set; } = IPAddress.Loopback;

        public int Port { get; set; } = ChatServerOptions.DefaultPort;

        /// <summary>The server's name in Get-ChatServer; empty means the kind and the port.</summary>
        public string Name { get; set; } = string.Empty;

        /// <summary>Sent to a TCP client on connect, with no line end; empty sends nothing.</summary>
        public string Welcome { get; set; } = DefaultWelcome;

        /// <summary>A composite format with {0} for the message; null takes the default of the transport.</summary>
        public string? Reply { get; set; }

        /// <summary>Longest message in bytes (a TCP line without its terminator, or a whole datagram).</summary>
        public int MaxMessageLength { get; set; } = 8192;

        /// <summary>Bytes queued for one TCP client before it is dropped as a slow consumer.</summary>
        public int MaxSendQueue { get; set; } = 1024 * 1024;

        public int MaxClients { get; set; } = 20000;

        /// <summary>An unterminated TCP message is answered after this much silence (the tutorial sends no line ends).</summary>
        public TimeSpan QuietTime { get; set; } = TimeSpan.FromMilliseconds(50);

        /// <summary>Refused TCP messages in a row (overlong) before the client is dropped.</summary>
        public int MaxRejectedLines { get; set; } = 10;

        /// <summary>
        /// UDP: most datagrams answered per sender (address and port) per second; the rest of that
        /// second is read and dropped, so one flooding sender cannot starve the others.
        /// </summary>
        public int RepliesPerSecond { get; set; } = 10000;

        public GreetingServerOptions Clone() => (GreetingServerOptions)MemberwiseClone();
    }
}
