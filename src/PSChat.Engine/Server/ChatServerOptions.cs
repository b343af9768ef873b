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
        /// Per-client flood control of every line (IRC and plain text): a burst of
        /// <see cref="FloodBurst"/> lines, then <see cref="FloodRate"/> lines a second; lines over that are
        /// held and run later, and a client whose held lines pass <see cref="MaxReceiveQueue"/> bytes is
        /// dropped for excess flood. False turns it off (the benchmark does, as for the other servers).
        /// </summary>
        public bool FloodControl { get; set; } = true;

        /// <summary>Lines a client may send at once before <see cref="FloodRate"/> applies.</summary>
        public int FloodBurst { get; set; } = 10;

        /// <summary>Lines a second a client may send once its burst is spent.</summary>
        public double FloodRate { get; set; } = 2;

        /// <summary>Bytes of lines flood control may hold for one client before it is dropped for excess flood.</summary>
        public int MaxReceiveQueue { get; set; } = 16 * 1024;

        /// <summary>Addresses or CIDR blocks ("127.0.0.1", "10.0.0.0/8", "::1") whose clients have no flood control (a trusted local bot).</summary>
        public string[] FloodExemptAddress { get; set; } = new string[0];

        /// <summary>Targets one IRC command may name (PRIVMSG, NOTICE, TAGMSG, KICK, NAMES, WHOIS), duplicates removed (TARGMAX, MAXTARGETS).</summary>
        public int MaxTargets { get; set; } = 4;

        /// <summary>Channels one IRC client may be in at once (CHANLIMIT); more draw 405.</summary>
        public int MaxChannelsPerClient { get; set; } = 10;

        /// <summary>Rooms the server holds at once (the default room included); a JOIN that would make another draws 405.</summary>
        public int MaxRooms { get; set; } = 10000;

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
