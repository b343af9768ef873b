using System;
using System.Net;
using System.Security;
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

        /// <summary>
        /// Most clients at once. Lowered at start to what the process's descriptor limit (ulimit -n) can
        /// hold, with a margin, and the server says so in a Limited event.
        /// </summary>
        public int MaxClients { get; set; } = 20000;

        /// <summary>Most open connections from one address (IPv6: one /64); 0 for no bound. Loopback is exempt unless <see cref="LimitLoopback"/>.</summary>
        public int MaxConnectionsPerAddress { get; set; } = 64;

        /// <summary>Most connection attempts from one address in a minute (a token bucket: that many at once, then one every 60/N s); 0 for no bound.</summary>
        public int MaxConnectsPerMinute { get; set; } = 120;

        /// <summary>Applies the per-address limits to loopback clients too (they are exempt by default: local tools and tests connect in numbers).</summary>
        public bool LimitLoopback { get; set; }

        /// <summary>When not empty, only clients in these ranges (CIDR, or single addresses) may connect.</summary>
        public string[] AllowAddress { get; set; } = new string[0];

        /// <summary>Clients in these ranges (CIDR, or single addresses) may not connect; wins over <see cref="AllowAddress"/>.</summary>
        public string[] DenyAddress { get; set; } = new string[0];

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

        /// <summary>
        /// When set (and not empty), IRC clients must send this with PASS before registering. The server
        /// keeps only a salted hash of it, made when it starts; the caller owns (and disposes) the string.
        /// </summary>
        public SecureString? Password { get; set; }

        /// <summary>
        /// How long an address waits after a failed login before its next attempt is checked, times the
        /// failures in a row (1x, 2x, 3x ...); the failing client gets its refusal when the wait is over.
        /// Zero: no wait.
        /// </summary>
        public TimeSpan LoginFailureDelay { get; set; } = TimeSpan.FromSeconds(1);

        /// <summary>Failed logins in a row from one address that lock it out for <see cref="LoginLockout"/>; 0 never locks out.</summary>
        public int MaxLoginFailures { get; set; } = 10;

        /// <summary>How long a locked-out address is refused unchecked; failures are remembered this long after the last one.</summary>
        public TimeSpan LoginLockout { get; set; } = TimeSpan.FromMinutes(10);

        /// <summary>
        /// Nicks nobody may take, in either protocol (case-insensitive): by default the names of IRC
        /// services, which users trust to speak for the network. Empty allows every name.
        /// </summary>
        public string[] ReservedNames { get; set; } = { "BotServ", "ChanServ", "Global", "HostServ", "MemoServ", "NickServ", "OperServ" };

        /// <summary>Lines of the IRC message of the day; none means 422 (no MOTD).</summary>
        public string[] Motd { get; set; } = new string[0];

        /// <summary>
        /// An IRC client that has not registered within this time is dropped; so is a plain text client on
        /// a server with a password that stays silent this long (it cannot give one).
        /// </summary>
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

        /// <summary>Messages (PRIVMSG and NOTICE) each room keeps for CHATHISTORY, Get-ChatHistory and text replays; 0 keeps none.</summary>
        public int HistorySize { get; set; } = 2000;

        /// <summary>
        /// The memory all rooms' history may hold together (an estimate: the text, its tags and about
        /// 160 bytes of bookkeeping per message); past it the server's oldest messages go first, with a
        /// Limited event the first time.
        /// </summary>
        public long HistoryMaxBytes { get; set; } = 64L * 1024 * 1024;

        /// <summary>Most messages one CHATHISTORY request returns (ISUPPORT CHATHISTORY); larger limits are lowered to it.</summary>
        public int MaxHistoryLines { get; set; } = 100;

        /// <summary>Messages of its room a plain text client is sent when it joins; 0 (the default) sends none.</summary>
        public int TextHistoryLines { get; set; }

        /// <summary>
        /// Nicks given up (quits and renames) that WHOWAS remembers, in all; the oldest goes first, and one
        /// nick keeps at most its 8 most recent. 0 remembers none.
        /// </summary>
        public int MaxWhowasEntries { get; set; } = 1000;

        /// <summary>IRC operator accounts (OPER name password), each with the host mask it may be used from.</summary>
        public System.Collections.Generic.IList<OperatorAccount> Operators { get; set; } = new System.Collections.Generic.List<OperatorAccount>();

        /// <summary>Entries each channel list (bans +b, ban exceptions +e, invite exceptions +I) holds (MAXLIST).</summary>
        public int MaxListEntries { get; set; } = 100;

        /// <summary>Nicks one IRC client's MONITOR list holds (MONITOR in ISUPPORT).</summary>
        public int MaxMonitorEntries { get; set; } = 100;

        /// <summary>
        /// The accounts clients log in to (IRC SASL PLAIN and EXTERNAL, a text client's /login); null for
        /// none, and then sasl is not offered. Start-ChatServer -AccountStore opens a file store.
        /// </summary>
        public IAccountStore? Accounts { get; set; }

        /// <summary>Only clients logged in to an account get in: IRC clients by SASL before registering, text clients by /login.</summary>
        public bool RequireAccount { get; set; }

        /// <summary>How long clients keep the IRCv3 sts policy advertised when the server has a certificate (the duration key).</summary>
        public TimeSpan StsDuration { get; set; } = TimeSpan.FromMinutes(5);

        /// <summary>
        /// A folder where the server keeps history and channels (topic, modes, key, limit) in SQLite
        /// (pschat.db, WAL), so a restart with the same folder serves them again; null keeps history in
        /// memory only. With a folder, channels are kept when their last member leaves.
        /// </summary>
        public string? DataPath { get; set; }

        /// <summary>With <see cref="DataPath"/>: messages older than this are deleted (checked every minute); zero keeps them by count only.</summary>
        public TimeSpan HistoryRetention { get; set; } = TimeSpan.FromDays(30);

        /// <summary>
        /// With <see cref="DataPath"/>: messages waiting to be written (the writer batches them every 20 ms);
        /// past it new messages are still delivered and kept in memory but not written, with a Limited event.
        /// </summary>
        public int MaxPendingWrites { get; set; } = 100000;

        /// <summary>The default of <see cref="PayloadRate"/>: 1 MB a second.</summary>
        public const int DefaultPayloadRate = 1024 * 1024;

        /// <summary>
        /// With flood control: bytes a second of object chunks (TAGMSG carrying the +pschat client tag) an IRC
        /// client that negotiated the pschat.dev/payload capability may send, budgeted by bytes (a quarter
        /// second's worth at once) instead of as lines of <see cref="FloodRate"/>; the capability advertises
        /// both, and PSChat sessions pace themselves to them. 0 offers no capability (chunks count as lines).
        /// </summary>
        public int PayloadRate { get; set; } = DefaultPayloadRate;

        /// <summary>
        /// Keep private messages (PRIVMSG and NOTICE to a nick) between two clients logged in to accounts, in
        /// history (and with <see cref="DataPath"/> on disk), for the two of them to read back with CHATHISTORY;
        /// off by default: private messages are not kept.
        /// </summary>
        public bool KeepPrivateMessages { get; set; }

        /// <summary>
        /// IRCv3 metadata (draft/metadata-3): the most keys a user or a channel holds, and the most keys one
        /// client subscribes to (maxkey and maxsub); 0 turns metadata off.
        /// </summary>
        public int MaxMetadataKeys { get; set; } = 20;

        /// <summary>IRCv3 read markers (draft/read-marker): the most targets one IRC client keeps a MARKREAD timestamp for; 0 turns them off.</summary>
        public int MaxReadMarkers { get; set; } = 100;

        /// <summary>IRCv3 multiline (draft/multiline): the most bytes of text one batch holds (max-bytes; max-lines is 100); 0 turns it off.</summary>
        public int MaxMultilineBytes { get; set; } = 4096;

        /// <summary>
        /// Serve connections from the epoll loop threads where the platform has them (Linux); false
        /// keeps them on the thread pool (the tests run both).
        /// </summary>
        internal bool UseIoLoop { get; set; } = true;

        /// <summary>The clock of every deadline (write delay, quiet time, registration, ping); tests drive their own.</summary>
        internal Engine.Timing.MonotonicClock Clock { get; set; } = Engine.Timing.MonotonicClock.System;

        /// <summary>Hands out the accept loop's accepts (tests inject descriptor exhaustion); null accepts from the listener.</summary>
        internal Func<System.Net.Sockets.Socket, System.Threading.Tasks.Task<System.Net.Sockets.Socket>>? AcceptHook { get; set; }

        /// <summary>True when <paramref name="range"/> is an address or a CIDR range the allow and deny lists take; otherwise <paramref name="error"/> says why.</summary>
        public static bool IsAddressRange(string range, out string? error) => Engine.Server.AddressRange.TryParse(range, out error) != null;

        public ChatServerOptions Clone() => (ChatServerOptions)MemberwiseClone();
    }
}
