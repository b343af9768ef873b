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
    public sealed class ChatServer : ServerBase
    {
        private readonly Socket listener;
        private readonly ConcurrentDictionary<LineConnection, IServerClient> clients = new ConcurrentDictionary<LineConnection, IServerClient>();
        private readonly ConcurrentDictionary<string, ChatRoom> rooms = new ConcurrentDictionary<string, ChatRoom>(StringComparer.Ordinal);
        private readonly ConcurrentDictionary<string, ChatMember> nicks = new ConcurrentDictionary<string, ChatMember>(StringComparer.Ordinal);
        private readonly IPEndPoint endPoint;
        private readonly IServerProtocol[] protocols;
        private readonly TlsAdmission? tls;
        private int guestCounter;

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
            };
            DefaultRoom = GetOrCreateRoom(options.DefaultRoom);
            protocols = new IServerProtocol[] { new IrcServerProtocol(this) };
            if (options.Certificate != null) tls = new TlsAdmission(this, options.Certificate);
        }

        public ChatServerOptions Options { get; }

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

        internal LineConnectionOptions ConnectionOptions { get; }

        internal IEnumerable<ChatRoom> RoomObjects => rooms.Values;

        internal IEnumerable<IServerClient> Clients => clients.Values;

        /// <summary>Binds and starts accepting. Throws <see cref="SocketException"/> when the port is taken.</summary>
        /// <param name="options">The settings; copied, so later changes do not reach the server.</param>
        /// <param name="listener">Subscribed before anything happens, so it sees the Started event too.</param>
        public static ChatServer Start(ChatServerOptions options, EventHandler<ServerEvent>? listener = null)
        {
            if (options == null) throw new ArgumentNullException(nameof(options));
            options = options.Clone();
            if (options.Certificate != null && !options.Certificate.HasPrivateKey)
            {
                throw new ArgumentException($"The certificate '{options.Certificate.Subject}' has no private key: a server needs one to prove it is the certificate's owner.", nameof(options));
            }

            if (options.RequireTls && options.Certificate == null)
            {
                throw new ArgumentException("RequireTls needs a certificate.", nameof(options));
            }

            var socket = new Socket(options.Address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                if (options.Address.AddressFamily == AddressFamily.InterNetworkV6 && options.Address.Equals(IPAddress.IPv6Any))
                {
                    socket.DualMode = true;
                }

                socket.Bind(new IPEndPoint(options.Address, options.Port));
                socket.Listen(512);
            }
            catch
            {
                socket.Dispose();
                throw;
            }

            var server = new ChatServer(options, socket);
            if (listener != null) server.EventRaised += listener;
            server.Raise(ServerEventKind.Started, e => e.Text = "listening on " + server.EndPoint);
            server.StartAccepting(socket, options.MaxClients, server.Admit);
            return server;
        }

        private ChatRoom GetOrCreateRoom(string name) => rooms.GetOrAdd(CaseMapping.Fold(name), _ => new ChatRoom(name));

        internal ChatRoom? FindRoom(string name) => rooms.TryGetValue(CaseMapping.Fold(name), out var room) ? room : null;

        /// <summary>
        /// Puts a member in the room of that name, made when missing; null when it is in already or
        /// <paramref name="admits"/> (which sees the very room it would join) refuses. A room that
        /// empties on another thread is dropped under its own lock and takes nobody after, so a joiner
        /// that finds it so looks the name up again and never lands in a room the server no longer lists.
        /// </summary>
        internal ChatRoom? Enter(string name, ChatMember member, Func<ChatRoom, bool> admits)
        {
            while (true)
            {
                var room = GetOrCreateRoom(name);
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
            if (!ReferenceEquals(room, DefaultRoom) && room.DetachIfEmpty()) Unlist(room);
        }

        /// <summary>Takes a detached room out of the table, unless another room has its name by now.</summary>
        private void Unlist(ChatRoom room) =>
            ((ICollection<KeyValuePair<string, ChatRoom>>)rooms).Remove(new KeyValuePair<string, ChatRoom>(CaseMapping.Fold(room.Name), room));

        internal ChatMember? FindMember(string nick) => nicks.TryGetValue(CaseMapping.Fold(nick), out var m) ? m : null;

        internal IEnumerable<ChatMember> Members => nicks.Values;

        /// <summary>Claims a nick for a member; false when another member holds it.</summary>
        internal bool TryClaimNick(ChatMember member, string nick)
        {
            string folded = CaseMapping.Fold(nick);
            if (nicks.TryAdd(folded, member)) return true;
            return nicks.TryGetValue(folded, out var holder) && ReferenceEquals(holder, member);
        }

        internal void ReleaseNick(ChatMember member, string nick)
        {
            ((ICollection<KeyValuePair<string, ChatMember>>)nicks).Remove(new KeyValuePair<string, ChatMember>(CaseMapping.Fold(nick), member));
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

        /// <summary>A free name of the form guestN.</summary>
        internal string NextGuestName()
        {
            while (true)
            {
                string name = "guest" + Interlocked.Increment(ref guestCounter);
                if (!nicks.ContainsKey(CaseMapping.Fold(name))) return name;
            }
        }

        internal void Forget(IServerClient client) => clients.TryRemove(client.Connection, out _);

        protected override void StopCore()
        {
            listener.Dispose();
            foreach (var protocol in protocols) protocol.Dispose();
            foreach (var client in clients.Values.ToArray())
            {
                client.Shutdown("server is shutting down");
            }
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
            var connection = new LineConnection(socket, stream, tlsInfo, NullHandler.Instance, ConnectionOptions);
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
