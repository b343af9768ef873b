using System;
using System.Net;

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

        public ChatProtocol Protocol { get; set; } = ChatProtocol.Auto;

        /// <summary>An unterminated text line is taken as a message after this much silence.</summary>
        public TimeSpan QuietTime { get; set; } = TimeSpan.FromMilliseconds(50);

        /// <summary>A client silent this long after connecting is a plain text listener.</summary>
        public TimeSpan DetectTimeout { get; set; } = TimeSpan.FromMilliseconds(250);

        /// <summary>Rejected lines in a row (invalid UTF-8, control bytes, overlong) before a client is dropped.</summary>
        public int MaxRejectedLines { get; set; } = 10;

        public ChatServerOptions Clone() => (ChatServerOptions)MemberwiseClone();
    }
}
