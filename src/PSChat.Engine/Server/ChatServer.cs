using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using PSChat.Engine.Irc;
using PSChat.Engine.Rooms;
using PSChat.Engine.Server;
using PSChat.Engine.Tls;
using PSChat.Engine.Transport;

namespace PSChat
{
    /// <summary>
    /// The chat server: one listening socket, plain text and (when registered) IRC clients on the
    /// same port, protocol-neutral rooms in between. No thread per client; all I/O is asynchronous.
    /// </summary>
    public sealed partial class ChatServer : ServerBase
    {
        private readonly Socket listener;
        private readonly ConcurrentDictionary<LineConnection, IServerClient> clients = new ConcurrentDictionary<LineConnection, IServerClient>();
        private readonly ConcurrentDictionary<string, ChatRoom> rooms = new ConcurrentDictionary<string, ChatRoom>(StringComparer.Ordinal);
        private readonly ConcurrentDictionary<string, ChatMember> nicks = new ConcurrentDictionary<string, ChatMember>(StringComparer.Ordinal);
        private readonly IPEndPoint endPoint;
        private readonly IServerProtocol[] protocols;
        private readonly AddressGate addressGate;
        private readonly HashSet<string> reservedNicks;
        private readonly Timer deadlines;
        private readonly TlsAdmission? tls;
        private int guestCounter;
        private int roomCount;

        private ChatServer(ChatServerOptions options, Socket listener)
            : base(string.IsNullOrEmpty(options.Name) ? "Chat" + ((IPEndPoint)listener.LocalEndPoint).Port : options.Name)
        {
            Options = options;
            this.listener = listener;
            endPoint = (IPEndPoint)listener.LocalEndPoint;
            ConnectionOptions = new LineConnectionOptions
            {
                UseIoLoop = options.UseIoLoop,
                MaxLineBytes = options.MaxLineLength,
                MaxSendQueueBytes = options.MaxSendQueue,
                WriteDelay = options.WriteDelay,
                Clock = options.Clock,
                Flood = FloodLimitsOf(options),
            };
            addressGate = new AddressGate(options);
            // The server keeps a hash of the password, not the caller's secret.
            Password = ServerPassword.From(options.Password);
            options.Password = null;
            Logins = new LoginThrottle(options.Clock, options.LoginFailureDelay, options.MaxLoginFailures, options.LoginLockout);
            // As for the password: the server keeps keyed hashes of the operators' passwords, not the caller's secrets.
            Operators = new OperatorTable(options.Operators);
            options.Operators = new List<OperatorAccount>();
            Whowas = new WhowasHistory(options.MaxWhowasEntries);
            reservedNicks = new HashSet<string>(options.ReservedNames.Select(CaseMapping.Fold), StringComparer.Ordinal);
            // The default room is made before anyone can fill the table: MaxRooms is at least one.
            DefaultRoom = FindOrCreateRoom(options.DefaultRoom)!;
            protocols = new IServerProtocol[] { new IrcServerProtocol() };
            var period = SweepPeriod(options);
            deadlines = new Timer(_ => SweepDeadlines(), null, period, period);
            if (options.Certificate != null) tls = new TlsAdmission(this, options.Certificate);
            History = new Engine.History.HistoryStore(options.HistorySize, options.HistoryMaxBytes, OnHistoryEvicted);
        }

        /// <summary>
        /// The settings the server runs with. <see cref="ChatServerOptions.Password"/> is null here: the server
        /// keeps only a hash of it (<see cref="RequiresPassword"/> says whether there is one).
        /// </summary>
        public ChatServerOptions Options { get; }

        /// <summary>True when clients must give a password (IRC PASS) to get in.</summary>
        public bool RequiresPassword => Password != null;

        public override string Kind => "Chat";

        public override IPEndPoint EndPoint => endPoint;

        /// <summary>Clients, counting connections still in their TLS handshake.</summary>
        public override int ClientCount => clients.Count + (tls?.Pending ?? 0);

        /// <summary>True when the server has a certificate (TLS and plain clients share the port).</summary>
        public bool UsesTls => tls != null;

        /// <summary>What the server's limits did since it started.</summary>
        public ChatServerCounters Limits { get; } = new ChatServerCounters();

        /// <summary>The names of the rooms that exist now.</summary>
        public string[] Rooms => rooms.Values.Select(r => r.Name).OrderBy(n => n, StringComparer.OrdinalIgnoreCase).ToArray();

        internal ChatRoom DefaultRoom { get; }

        /// <summary>The messages rooms keep (HistorySize, HistoryMaxBytes).</summary>
        internal Engine.History.HistoryStore History { get; }

        /// <summary>The password clients must give; null when there is none.</summary>
        internal ServerPassword? Password { get; }

        /// <summary>The accounts clients log in to; null when the server has none.</summary>
        public IAccountStore? Accounts => Options.Accounts;

        /// <summary>The account whose name <paramref name="nick"/> is (a nick only its owner may use), or null.</summary>
        internal string? AccountNamed(string nick) => Options.Accounts?.Find(nick)?.Name;

        /// <summary>Failed logins per address: the growing delay and the lockout.</summary>
        internal LoginThrottle Logins { get; }

        /// <summary>The IRC operator accounts (OPER).</summary>
        internal OperatorTable Operators { get; }

        /// <summary>Nicks given up, for WHOWAS.</summary>
        internal WhowasHistory Whowas { get; }

        /// <summary>Who watches which nick (IRCv3 MONITOR).</summary>
        internal MonitorTable Monitors { get; } = new MonitorTable();

        internal LineConnectionOptions ConnectionOptions { get; }

        /// <summary>Lets the connection that will come from <paramref name="client"/> run without flood control (tests' probes).</summary>
        internal void ExemptFromFloodControl(IPEndPoint client) => ConnectionOptions.Flood?.ExemptEndPoint(client);

        internal IEnumerable<ChatRoom> RoomObjects => rooms.Values;

        internal IEnumerable<IServerClient> Clients => clients.Values;

        /// <summary>Binds and starts accepting. Throws <see cref="SocketException"/> when the port is taken.</summary>
        /// <param name="options">The settings; copied, so later changes do not reach the server.</param>
        /// <param name="listener">Subscribed before anything happens, so it sees the Started event too.</param>
        public static ChatServer Start(ChatServerOptions options, EventHandler<ServerEvent>? listener = null)
        {
            if (options == null) throw new ArgumentNullException(nameof(options));
            options = options.Clone();
            // Bad settings fail here, before the port is taken.
            FloodLimitsOf(options);
            if (options.MaxRooms < 1 || options.MaxTargets < 1 || options.MaxChannelsPerClient < 1)
            {
                throw new ArgumentException("MaxRooms, MaxTargets and MaxChannelsPerClient must be at least 1.", nameof(options));
            }

            CheckHistoryOptions(options);
            AddressGate.ParseAll(options.AllowAddress);
            AddressGate.ParseAll(options.DenyAddress);
            int asked = options.MaxClients;
            long? descriptors = DescriptorLimit.Read();
            if (descriptors != null) options.MaxClients = Math.Min(asked, DescriptorLimit.ClientCeiling(descriptors.Value, DescriptorLimit.OpenNow() ?? 256));

            if (options.Certificate != null && !options.Certificate.HasPrivateKey)
            {
                throw new ArgumentException($"The certificate '{options.Certificate.Subject}' has no private key: a server needs one to prove it is the certificate's owner.", nameof(options));
            }

            if (options.RequireTls && options.Certificate == null)
            {
                throw new ArgumentException("RequireTls needs a certificate.", nameof(options));
            }

            if (options.RequireAccount && options.Accounts == null)
            {
                throw new ArgumentException("RequireAccount needs an account store (AccountStore).", nameof(options));
            }

            var persistence = Persistence.Open(options);
            var socket = new Socket(options.Address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                if (options.Address.AddressFamily == AddressFamily.InterNetworkV6 && options.Address.Equals(IPAddress.IPv6Any))
                {
                    socket.DualMode = true;
                }

                socket.Bind(new IPEndPoint(options.Address, options.Port));
                socket.Listen(512);
                // The port clients use (sts advertises it), also when the caller asked for any.
                options.Port = ((IPEndPoint)socket.LocalEndPoint).Port;
            }
            catch
            {
                socket.Dispose();
                persistence?.Dispose();
                throw;
            }

            var server = new ChatServer(options, socket);
            persistence?.Attach(server);
            if (listener != null) server.EventRaised += listener;
            server.Raise(ServerEventKind.Started, e => e.Text = "listening on " + server.EndPoint);
            if (options.MaxClients < asked)
            {
                server.Raise(ServerEventKind.Limited, e =>
                {
                    e.Limit = nameof(ChatServerOptions.MaxClients);
                    e.Reason = $"MaxClients lowered from {asked} to {options.MaxClients}: the process may open {descriptors} files (ulimit -n)";
                });
            }

            server.StartAccepting(socket, options.MaxClients, server.Admit, options.AcceptHook);
            return server;
        }

        /// <summary>The flood-control settings of the options (null when it is off); throws <see cref="ArgumentException"/> for bad ones.</summary>
        private static FloodLimits? FloodLimitsOf(ChatServerOptions options)
        {
            if (!options.FloodControl) return null;
            var exempt = AddressGate.ParseAll(options.FloodExemptAddress, nameof(ChatServerOptions.FloodExemptAddress));

            try
            {
                return new FloodLimits(options.FloodBurst, options.FloodRate, options.MaxReceiveQueue, exempt, options.PayloadRate);
            }
            catch (ArgumentOutOfRangeException ex)
            {
                throw new ArgumentException("FloodBurst, FloodRate and MaxReceiveQueue must be positive, and PayloadRate not negative.", ex);
            }
        }

        /// <summary>The room of that name, made when missing; null when that would make more than MaxRooms.</summary>
        private ChatRoom? FindOrCreateRoom(string name)
        {
            string key = CaseMapping.Fold(name);
            while (true)
            {
                if (rooms.TryGetValue(key, out var room)) return room;
                // Counted before it is made, so racing joiners cannot all pass the bound.
                if (Interlocked.Increment(ref roomCount) > Options.MaxRooms)
                {
                    Interlocked.Decrement(ref roomCount);
                    return null;
                }

                var made = new ChatRoom(name);
                if (rooms.TryAdd(key, made)) return made;
                Interlocked.Decrement(ref roomCount);
            }
        }

        internal ChatRoom? FindRoom(string name) => rooms.TryGetValue(CaseMapping.Fold(name), out var room) ? room : null;

        /// <summary>
        /// Puts a member in the room of that name, made when missing; null when it is in already,
        /// <paramref name="admits"/> (which sees the very room it would join) refuses, or the room would
        /// be one more than MaxRooms (<paramref name="serverFull"/>). A room that
        /// empties on another thread is dropped under its own lock and takes nobody after, so a joiner
        /// that finds it so looks the name up again and never lands in a room the server no longer lists.
        /// </summary>
        internal ChatRoom? Enter(string name, ChatMember member, Func<ChatRoom, bool> admits, out bool serverFull)
        {
            serverFull = false;
            while (true)
            {
                var room = FindOrCreateRoom(name);
                if (room == null)
                {
                    serverFull = true;
                    return null;
                }

                switch (room.Add(member, MemberStatus.None, admits))
                {
                    case RoomEntry.Added:
                        return room;
                    case RoomEntry.AlreadyIn:
                    case RoomEntry.Refused:
                        return null;
                    default:
                        // Whoever detached it may not have taken it out of the table yet; taking it out
                        // here spares a spin until they do.
                        Unlist(room);
                        break;
                }
            }
        }

        /// <summary>Drops a room once its last member has gone (the default room stays).</summary>
        internal void RemoveRoomIfEmpty(ChatRoom room)
        {
            // With -DataPath channels are kept, like registered ones.
            if (Database != null) return;
            if (!ReferenceEquals(room, DefaultRoom) && room.DetachIfEmpty())
            {
                Unlist(room);
                History.Forget(room);
            }
        }

        /// <summary>Takes a detached room out of the table, unless another room has its name by now.</summary>
        private void Unlist(ChatRoom room)
        {
            if (((ICollection<KeyValuePair<string, ChatRoom>>)rooms).Remove(new KeyValuePair<string, ChatRoom>(CaseMapping.Fold(room.Name), room)))
            {
                Interlocked.Decrement(ref roomCount);
            }
        }

        internal ChatMember? FindMember(string nick) => nicks.TryGetValue(CaseMapping.Fold(nick), out var m) ? m : null;

        internal IEnumerable<ChatMember> Members => nicks.Values;

        /// <summary>Claims a nick for a member; false when another member holds it.</summary>
        internal bool TryClaimNick(ChatMember member, string nick)
        {
            string folded = CaseMapping.Fold(nick);
            if (nicks.TryAdd(folded, member)) return true;
            return nicks.TryGetValue(folded, out var holder) && ReferenceEquals(holder, member);
        }

        /// <summary>Frees a member's nick (a rename or a quit); WHOWAS remembers it when others could see the member.</summary>
        internal void ReleaseNick(ChatMember member, string nick)
        {
            if (((ICollection<KeyValuePair<string, ChatMember>>)nicks).Remove(new KeyValuePair<string, ChatMember>(CaseMapping.Fold(nick), member)) &&
                !member.Hidden && !(member is IrcMember { IsRegistered: false }))
            {
                var gone = new MemberIdentity(nick, member.Identity.User, member.Identity.Host);
                Whowas.Record(gone, member.RealName);
                Monitors.Announce(gone, online: false);
            }
        }

        /// <summary>A name every protocol of the server can carry, so any member may take it as a nick.</summary>
        internal bool IsValidNick(string nick)
        {
            foreach (var protocol in protocols)
            {
                if (!protocol.IsValidNick(nick)) return false;
            }

            return true;
        }

        /// <summary>A name nobody may take (ChatServerOptions.ReservedNames), in any protocol.</summary>
        internal bool IsReservedNick(string nick) => reservedNicks.Contains(CaseMapping.Fold(nick));

        /// <summary>Why <paramref name="room"/> will not take <paramref name="member"/> (a protocol's +i, +k, +l, bans); null when it will.</summary>
        internal string? RefusesEntry(ChatRoom room, ChatMember member)
        {
            foreach (var protocol in protocols)
            {
                if (protocol.RefusesEntry(room, member) is string reason) return reason;
            }

            return null;
        }

        /// <summary>Why <paramref name="member"/> may not speak in <paramref name="room"/> (a protocol's +m, bans); null when it may.</summary>
        internal string? RefusesSpeech(ChatRoom room, ChatMember member)
        {
            foreach (var protocol in protocols)
            {
                if (protocol.RefusesSpeech(room, member) is string reason) return reason;
            }

            return null;
        }

        /// <summary>A free name of the form guestN.</summary>
        internal string NextGuestName()
        {
            while (true)
            {
                string name = "guest" + Interlocked.Increment(ref guestCounter);
                if (!nicks.ContainsKey(CaseMapping.Fold(name))) return name;
            }
        }

        /// <summary>A connection the gate admitted that never became a client (a failed TLS handshake, a refusal) gives its count back.</summary>
        internal void ReleaseAddress(IPAddress? address)
        {
            if (address != null) addressGate.Release(address);
        }

        internal void Forget(IServerClient client)
        {
            if (!clients.TryRemove(client.Connection, out _)) return;
            addressGate.Release(client.Connection.RemoteEndPoint.Address);
            if (client.Connection.Limit == nameof(ChatServerOptions.MaxSendQueue)) Limits.Add(LimitCounter.SendQueueDisconnects);
        }

        protected override void StopCore()
        {
            listener.Dispose();
            deadlines.Dispose();
            foreach (var client in clients.Values.ToArray())
            {
                client.Shutdown("server is shutting down");
            }

            Database?.Dispose();
        }

        private protected override Refusal? Screen(Socket socket) =>
            socket.RemoteEndPoint is IPEndPoint remote ? addressGate.TryAdmit(remote.Address) : null;

        private protected override void Count(LimitCounter counter) => Limits.Add(counter);

        /// <summary>
        /// The protocol is not known at accept: a server that speaks IRC sends an IRC ERROR (which a person
        /// reads as well), a text-only server a text client's error line.
        /// </summary>
        private protected override byte[]? RefusalLine(string reason) =>
            System.Text.Encoding.UTF8.GetBytes(Options.Protocol == ChatProtocol.Text ? $"*** error: {reason}\n" : $"ERROR :Closing link: {reason}\r\n");
        /// <summary>
        /// A quarter of the shortest deadline keeps the overshoot small without waking often. The timer only
        /// wakes the check; the deadlines are measured on the server's monotonic clock.
        /// </summary>
        private static TimeSpan SweepPeriod(ChatServerOptions options)
        {
            long shortest = Math.Min(options.RegistrationTimeout.Ticks, Math.Min(options.PingInterval.Ticks, options.PingTimeout.Ticks));
            if (options.LoginFailureDelay > TimeSpan.Zero) shortest = Math.Min(shortest, options.LoginFailureDelay.Ticks);
            return TimeSpan.FromTicks(Math.Max(TimeSpan.FromMilliseconds(20).Ticks, Math.Min(TimeSpan.TicksPerSecond, shortest / 4)));
        }

        /// <summary>Every client's deadlines (registration, ping, a failed login's delayed refusal), from one timer per server.</summary>
        private void SweepDeadlines()
        {
            long now = Options.Clock.NowTicks;
            foreach (var client in clients.Values) client.CheckDeadlines(now);
        }

        private void Admit(Socket socket)
        {
            if (tls != null)
            {
                _ = tls.AdmitAsync(socket);
                return;
            }

            Serve(socket, null, null);
        }

        /// <summary>
        /// Serves an admitted connection: plain on the usual driver (no stream), plain on its own
        /// NetworkStream, or TLS over <paramref name="stream"/>.
        /// </summary>
        internal void Serve(Socket socket, Stream? stream, TlsInfo? tlsInfo)
        {
            LineConnection connection;
            try
            {
                connection = new LineConnection(socket, stream, tlsInfo, NullHandler.Instance, ConnectionOptions);
            }
            catch
            {
                // Admitted by the gate but never a client: Forget will not run for it.
                ReleaseAddress((socket.RemoteEndPoint as IPEndPoint)?.Address);
                throw;
            }

            // Text and Auto start as text (Auto hands over on the first line); a protocol named in the
            // options has the connection from the start.
            string only = Options.Protocol.ToString();
            var client = Array.Find(protocols, p => p.Name == only)?.Accept(this, connection)
                ?? new TextMember(this, connection, detect: Options.Protocol == ChatProtocol.Auto);

            clients[connection] = client;
            connection.SetHandler(client);
            Raise(ServerEventKind.Connected, e =>
            {
                e.Client = connection.RemoteEndPoint.ToString();
                e.Text = tlsInfo?.Version;
            });
            connection.Start();
            // A TLS handshake may end after Stop has closed the clients it knew of.
            if (State != ServerState.Running) client.Shutdown("server is shutting down");
        }

        /// <summary>
        /// Refuses a plain connection to a server that requires TLS with one line that says so, in IRC's
        /// words when the peeked bytes are an IRC registration, else in text's.
        /// </summary>
        internal void RefusePlain(Socket socket, Stream? stream, byte[] peeked, int count)
        {
            Limits.Add(LimitCounter.RefusedPlain);
            var connection = new LineConnection(socket, stream, null, NullHandler.Instance, ConnectionOptions);
            int lineEnd = Array.FindIndex(peeked, 0, count, b => b == (byte)'\r' || b == (byte)'\n');
            bool irc = count > 0 && Array.Exists(protocols, p => p.RecognizesFirstLine(peeked, 0, lineEnd < 0 ? count : lineEnd));
            const string Why = "this port requires TLS; reconnect with TLS (Connect-ChatRoom -UseTls, or openssl s_client)";
            string line = irc ? $"ERROR :Closing link: {Why}\r\n" : $"*** error: {Why}\n";
            connection.Start();
            connection.Send(System.Text.Encoding.UTF8.GetBytes(line));
            connection.Close("plain connection on a port that requires TLS");
            Raise(ServerEventKind.Rejected, e =>
            {
                e.Client = connection.RemoteEndPoint.ToString();
                e.Reason = "plain connection on a port that requires TLS";
                e.Limit = nameof(ChatServerOptions.RequireTls);
            });
        }

        /// <summary>Moves a connection to another protocol after its first line (called by the text codec).</summary>
        internal IServerClient? HandOver(LineConnection connection, byte[] buffer, int offset, int count)
        {
            var protocol = Array.Find(protocols, p => p.RecognizesFirstLine(buffer, offset, count));
            if (protocol == null) return null;
            var client = protocol.Accept(this, connection);
            clients[connection] = client;
            connection.SetHandler(client);
            return client;
        }

        private sealed class NullHandler : ILineConnectionHandler
        {
            public static readonly NullHandler Instance = new NullHandler();

            public void OnLine(byte[] buffer, int offset, int count, Engine.Framing.LineTerminator terminator)
            {
            }

            public void OnOverlongLine(int bytesSeen)
            {
            }

            public void OnClosed(LineConnection connection, string reason)
            {
            }
        }
    }
}
