using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;
using PSChat.Engine.Client;
using PSChat.Engine.Framing;
using PSChat.Engine.Tls;
using PSChat.Engine.Transport;

namespace PSChat
{
    public enum SessionState
    {
        Connecting,
        Connected,
        Closed,
    }

    /// <summary>
    /// A client connection to a chat server. Everything that arrives from the moment it connects is
    /// kept in a bounded buffer (overflow counted in <see cref="MessagesDropped"/>) for any number of
    /// readers on any threads, and raised as <see cref="MessageReceived"/>.
    /// </summary>
    public sealed class ChatSession : IDisposable, ILineConnectionHandler
    {
        private static int lastId;
        private readonly object roomsGate = new object();
        private readonly List<string> rooms = new List<string>();
        private readonly MessageBuffer<ChatMessage> buffer;
        private readonly TaskCompletionSource<bool> closedSignal = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        private LineConnection? connection;
        private volatile ClientProtocol protocol = null!;
        private long sent;
        private long received;
        private int state = (int)SessionState.Connecting;
        private int quitSent;

        // The receive side's: whether a line came yet, and whether the first one was a TLS record.
        private volatile bool heardLine;
        private volatile bool answeredWithTls;
        private volatile bool handshaking;

        private ChatSession(ChatSessionOptions options)
        {
            Options = options;
            Id = Interlocked.Increment(ref lastId);
            Name = options.Name;
            ComputerName = options.ComputerName;
            Port = options.Port;
            buffer = new MessageBuffer<ChatMessage>(options.BufferCapacity);
        }

        public int Id { get; }

        /// <summary>The name in use (for IRC, the nick the server gave us).</summary>
        public string? Name { get; internal set; }

        public string ComputerName { get; }

        public int Port { get; }

        public IPEndPoint? RemoteEndPoint => connection?.RemoteEndPoint;

        /// <summary>"TLS 1.3" or "TLS 1.2" on a TLS session; null on a plain one.</summary>
        public string? TlsProtocol => connection?.Tls?.Version;

        /// <summary>The certificate the server showed on a TLS session (its Thumbprint is what -CertificateThumbprint pins).</summary>
        public X509Certificate2? ServerCertificate => connection?.Tls?.RemoteCertificate;

        public ChatProtocol Protocol => protocol?.Name ?? Options.Protocol;

        public string[] Rooms
        {
            get { lock (roomsGate) return rooms.ToArray(); }
        }

        public SessionState State => (SessionState)Volatile.Read(ref state);

        public DateTime ConnectedAt { get; private set; }

        public long MessagesSent => Interlocked.Read(ref sent);

        public long MessagesReceived => Interlocked.Read(ref received);

        /// <summary>Messages dropped because the buffer was full (nobody read them in time).</summary>
        public long MessagesDropped => buffer.Dropped;

        /// <summary>Messages waiting to be read.</summary>
        public int MessagesPending => buffer.Count;

        public int BufferCapacity => buffer.Capacity;

        public string? CloseReason { get; private set; }

        /// <summary>What an IRC server said it supports (RPL_ISUPPORT tokens such as NICKLEN, CASEMAPPING, PREFIX).</summary>
        public IReadOnlyDictionary<string, string> ServerSupport =>
            (protocol as IrcClientProtocol)?.Support.Tokens ?? new Dictionary<string, string>();

        /// <summary>The IRCv3 capabilities the server acknowledged.</summary>
        public string[] Capabilities
        {
            get
            {
                if (!(protocol is IrcClientProtocol irc)) return new string[0];
                lock (irc.EnabledCapabilities) return irc.EnabledCapabilities.ToArray();
            }
        }

        /// <summary>The server's name for itself, where the protocol tells it (IRC).</summary>
        public string? ServerName { get; internal set; }

        internal ChatSessionOptions Options { get; }

        /// <summary>The room text messages belong to when the protocol does not say.</summary>
        internal string DefaultRoom => Rooms.FirstOrDefault() ?? Options.Rooms.FirstOrDefault() ?? string.Empty;

        /// <summary>Raised on an I/O thread for every message; handlers must not block.</summary>
        public event EventHandler<ChatMessageEventArgs>? MessageReceived;

        /// <summary>Raised once when the connection has closed.</summary>
        public event EventHandler? Closed;

        /// <summary>A task that completes when the session has closed.</summary>
        public Task Completion => closedSignal.Task;

        public static async Task<ChatSession> ConnectAsync(ChatSessionOptions options, CancellationToken cancel)
        {
            if (options == null) throw new ArgumentNullException(nameof(options));
            var session = new ChatSession(options);
            try
            {
                using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancel))
                {
                    timeout.CancelAfter(options.Timeout);
                    try
                    {
                        await session.ConnectCoreAsync(timeout.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
                    {
                        string within = $"within {options.Timeout.TotalSeconds:0.#} s";
                        if (session.handshaking)
                        {
                            throw new TimeoutException(TlsClientHandshake.NoHandshakeAnswer($"{options.ComputerName}:{options.Port}", options.Timeout));
                        }

                        if (session.protocol?.Unfinished is string step)
                        {
                            throw new ChatProtocolException($"{options.ComputerName}:{options.Port} accepted the connection but did not complete {step} {within}.");
                        }

                        throw new TimeoutException($"No connection to {options.ComputerName}:{options.Port} {within}.");
                    }
                }
            }
            catch
            {
                session.Dispose();
                throw;
            }

            return session;
        }

        /// <summary>Sends text to a room (or privately to a nick); each line of it becomes one message.</summary>
        public void Send(string text, string? room = null, string? to = null)
        {
            if (text == null) throw new ArgumentNullException(nameof(text));
            EnsureOpen();
            foreach (string line in Engine.Text.TextRules.SplitLines(text))
            {
                protocol.SendText(room, to, Engine.Text.TextRules.StripControls(line));
                Interlocked.Increment(ref sent);
            }
        }

        public void Join(string room, string? key = null)
        {
            EnsureOpen();
            protocol.Join(room, key);
        }

        public void Part(string room, string? reason = null)
        {
            EnsureOpen();
            protocol.Part(room, reason);
        }

        /// <summary>Asks for another name; <see cref="Name"/> changes when the server agrees (IRC).</summary>
        public void ChangeName(string name)
        {
            EnsureOpen();
            protocol.ChangeName(name);
        }

        /// <summary>Asks who is in a room; the answer arrives as messages (IRC).</summary>
        public void RequestMembers(string room)
        {
            EnsureOpen();
            protocol.RequestMembers(room);
        }

        /// <summary>Waits for the next message. A negative timeout waits until a message, the close, or cancellation.</summary>
        internal TakeResult Receive(TimeSpan timeout, CancellationToken cancel, out ChatMessage? message) =>
            buffer.Take(timeout, cancel, out message);

        /// <summary>Says goodbye in the protocol, then closes (flushing what is queued).</summary>
        public void Disconnect(string reason = "Leaving")
        {
            if (State == SessionState.Closed) return;
            try
            {
                // Once only: Dispose after Disconnect must not say goodbye into a closing connection.
                if (State == SessionState.Connected && Interlocked.Exchange(ref quitSent, 1) == 0) protocol.Quit(reason);
            }
            catch (InvalidOperationException)
            {
                // The server closed first (e.g. it was stopped): the goodbye has nobody to go to.
            }
            finally
            {
                connection?.Close(reason);
            }
        }

        public void Dispose()
        {
            Disconnect("session disposed");
            if (connection == null) MarkClosed("not connected");
        }

        public override string ToString() => $"#{Id} {Name} @ {ComputerName}:{Port} ({State})";

        // ---- for protocols ----

        internal void Deliver(ChatMessage message)
        {
            Interlocked.Increment(ref received);
            buffer.Add(message);
            var handler = MessageReceived;
            if (handler == null) return;
            try
            {
                handler(this, new ChatMessageEventArgs(message));
            }
            catch (Exception)
            {
                // A subscriber's failure must never stop the reader.
            }
        }

        internal void SendBytes(byte[] bytes)
        {
            if (connection == null || !connection.Send(bytes))
            {
                throw new InvalidOperationException($"Session {Id} is closed: {CloseReason ?? connection?.CloseReason ?? "not connected"}.");
            }
        }

        /// <summary>Auto found a server that does not speak IRC: from now on the text protocol reads and writes.</summary>
        internal void HandOverToText()
        {
            protocol = new TextClientProtocol(this);
            SetQuietTime(true);
        }

        /// <summary>Gives a line that was read before a hand-over to the protocol now in charge.</summary>
        internal void ReplayLine(ArraySegment<byte> line, LineTerminator terminator) =>
            protocol.OnLine(line.Array!, line.Offset, line.Count, terminator);

        internal void SetQuietTime(bool on)
        {
            if (connection != null) connection.QuietTime = on ? Options.QuietTime : TimeSpan.Zero;
        }

        internal void SetRooms(IEnumerable<string> joined)
        {
            lock (roomsGate)
            {
                rooms.Clear();
                rooms.AddRange(joined);
            }
        }

        internal void AddRoom(string room)
        {
            lock (roomsGate)
            {
                if (!rooms.Contains(room, StringComparer.OrdinalIgnoreCase)) rooms.Add(room);
            }
        }

        internal void RemoveRoom(string room)
        {
            lock (roomsGate) rooms.RemoveAll(r => string.Equals(r, room, StringComparison.OrdinalIgnoreCase));
        }

        // ---- ILineConnectionHandler ----

        void ILineSink.OnLine(byte[] data, int offset, int count, LineTerminator terminator)
        {
            if (!heardLine)
            {
                heardLine = true;
                // A plain session at a TLS port: the server's alert (or handshake) is no line to show.
                if (!Options.UseTls && TlsRecord.StartsRecord(data, offset, count))
                {
                    answeredWithTls = true;
                    connection?.Abort("the server answered with TLS: it is a TLS port (connect with -UseTls)");
                    return;
                }
            }

            protocol.OnLine(data, offset, count, terminator);
        }

        void ILineSink.OnOverlongLine(int bytesSeen) =>
            Deliver(new ChatMessage(ChatMessageKind.System, DefaultRoom, null, $"A line of {bytesSeen} bytes from the server was longer than {Options.MaxLineLength} bytes and was dropped.", DateTime.Now, Id));

        void ILineConnectionHandler.OnClosed(LineConnection closedConnection, string reason) => MarkClosed(reason);

        private void MarkClosed(string reason)
        {
            if (Interlocked.Exchange(ref state, (int)SessionState.Closed) == (int)SessionState.Closed) return;
            CloseReason = reason;
            buffer.Complete();
            try
            {
                // Before Completion: whoever waits on it (Disconnect-ChatRoom) must find the session
                // already gone from the module's list, which a Closed handler takes it out of.
                Closed?.Invoke(this, EventArgs.Empty);
            }
            finally
            {
                closedSignal.TrySetResult(true);
            }
        }

        private void EnsureOpen()
        {
            if (State == SessionState.Closed)
            {
                throw new InvalidOperationException($"Session {Id} is closed: {CloseReason}.");
            }
        }

        private async Task ConnectCoreAsync(CancellationToken cancel)
        {
            var socket = await ConnectSocketAsync(Options.ComputerName, Options.Port, cancel).ConfigureAwait(false);
            var connectionOptions = new LineConnectionOptions { MaxLineBytes = Options.MaxLineLength, WriteOnThreadPool = true };
            if (Options.UseTls)
            {
                handshaking = true;
                SslStream tls = await TlsClientHandshake.AuthenticateAsync(socket, Options, cancel).ConfigureAwait(false);
                handshaking = false;
                connection = new LineConnection(socket, tls, TlsInfo.Of(tls), this, connectionOptions);
            }
            else
            {
                connection = new LineConnection(socket, this, connectionOptions);
            }

            protocol = CreateProtocol(Options.Protocol);
            SetQuietTime(protocol.UsesQuietTime);
            connection.Start();
            using (cancel.Register(() => connection.Abort("connection timed out")))
            {
                Task start = protocol.StartAsync(cancel);
                // A server that closes before its first line would otherwise leave the protocol waiting out its timeouts.
                if (await Task.WhenAny(start, Completion).ConfigureAwait(false) != start) ThrowIfClosedUnheard();
                await start.ConfigureAwait(false);
            }

            if (Options.Protocol == ChatProtocol.Text || protocol.Name == ChatProtocol.Text)
            {
                SetRooms(Options.Rooms.Take(1));
            }

            ConnectedAt = DateTime.Now;
            Interlocked.CompareExchange(ref state, (int)SessionState.Connected, (int)SessionState.Connecting);
            if (State == SessionState.Closed)
            {
                throw new SocketException((int)SocketError.ConnectionReset);
            }
        }

        /// <summary>
        /// The session closed while connecting, before the server said a line: a TLS port it spoke plain
        /// text to does this (with an alert, or in silence).
        /// </summary>
        private void ThrowIfClosedUnheard()
        {
            string target = $"{Options.ComputerName}:{Options.Port}";
            if (answeredWithTls)
            {
                throw new ChatTlsException(TlsFailure.ServerRequiresTls,
                    $"{target} answered with TLS: it is a TLS port. Connect with -UseTls (with -CertificateThumbprint or -SkipCertificateCheck for a self-signed certificate).");
            }

            if (!heardLine)
            {
                string during = Options.Protocol == ChatProtocol.Irc ? "IRC registration" : "protocol detection";
                string hint = Options.UseTls ? string.Empty : $" It said nothing before it closed: if {target} is a TLS port, connect with -UseTls.";
                throw new ChatProtocolException($"The server closed the connection during {during}: {CloseReason}.{hint}");
            }
        }

        private ClientProtocol CreateProtocol(ChatProtocol wanted)
        {
            switch (wanted)
            {
                case ChatProtocol.Text: return new TextClientProtocol(this);
                case ChatProtocol.Irc: return new IrcClientProtocol(this, probe: false);
                case ChatProtocol.Auto: return new IrcClientProtocol(this, probe: true);
                default: throw new NotSupportedException($"The {wanted} protocol is not available.");
            }
        }

        private static async Task<Socket> ConnectSocketAsync(string host, int port, CancellationToken cancel)
        {
            IPAddress[] addresses = IPAddress.TryParse(host, out var literal)
                ? new[] { literal }
                : await Dns.GetHostAddressesAsync(host).ConfigureAwait(false);
            if (addresses.Length == 0) throw new SocketException((int)SocketError.HostNotFound);

            Exception? last = null;
            foreach (var address in addresses)
            {
                var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
                try
                {
                    using (cancel.Register(() => socket.Dispose()))
                    {
                        await socket.ConnectAsync(new IPEndPoint(address, port)).ConfigureAwait(false);
                    }

                    cancel.ThrowIfCancellationRequested();
                    return socket;
                }
                catch (Exception ex) when (ex is SocketException || ex is ObjectDisposedException)
                {
                    socket.Dispose();
                    cancel.ThrowIfCancellationRequested();
                    last = ex;
                }
            }

            throw last!;
        }
    }
}
