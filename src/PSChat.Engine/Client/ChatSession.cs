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

        /// <summary>The connection dropped and the session is connecting again (ChatSessionOptions.Reconnect).</summary>
        Reconnecting,
    }

    /// <summary>
    /// A client connection to a chat server. Everything that arrives from the moment it connects is
    /// kept in a bounded buffer (overflow counted in <see cref="MessagesDropped"/>) for any number of
    /// readers on any threads, and raised as <see cref="MessageReceived"/>.
    /// </summary>
    public sealed partial class ChatSession : IDisposable, ILineConnectionHandler
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
        private string? serverGoodbye;
        private long dropsReported;

        // Reconnect and keepalive: "leaving" is the user's Disconnect; a link is one connection of the session.
        private readonly CancellationTokenSource lifetime = new CancellationTokenSource();
        private volatile bool leaving;
        private int reconnects;
        private TaskCompletionSource<bool> linkClosed = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        private string? linkCloseReason;
        private Timer? keepAlive;
        private long lastHeardTicks;
        private int keepAliveAsked;
        private OutgoingPacer? pacer;

        // The receive side's: whether a line came yet, and whether the first one was a TLS record.
        private volatile bool heardLine;
        private volatile bool answeredWithTls;
        private volatile bool handshaking;

        private ChatSession(ChatSessionOptions options)
        {
            Options = options;
            Id = Interlocked.Increment(ref lastId);
            Name = options.Name;
            RegistrationName = options.Name;
            RoomsToJoin = options.Rooms;
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

        /// <summary>This end of the connection (the client's address and port).</summary>
        internal System.Net.EndPoint? LocalEndPoint => connection?.LocalEndPoint;

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

        /// <summary>
        /// Messages dropped since the last call (the first call counts from the start): what a reader
        /// warns about once, so that a drop is never silent and never reported twice.
        /// </summary>
        internal long TakeUnreportedDrops()
        {
            long now = buffer.Dropped;
            long before = Interlocked.Exchange(ref dropsReported, now);
            return Math.Max(0, now - before);
        }

        /// <summary>Lines waiting for their turn to be sent (IRC pacing).</summary>
        public int SendsPending => pacer?.Waiting ?? 0;

        /// <summary>Messages waiting to be read.</summary>
        public int MessagesPending => buffer.Count;

        public int BufferCapacity => buffer.Capacity;

        public string? CloseReason { get; private set; }

        /// <summary>How many times the session reconnected after its connection dropped.</summary>
        public int Reconnects => Volatile.Read(ref reconnects);

        /// <summary>The name to register under: the one asked for, then, after a reconnect, the one the session had.</summary>
        internal string? RegistrationName { get; private set; }

        /// <summary>The rooms to join on connecting: the ones asked for, then, after a reconnect, the ones the session was in.</summary>
        internal string[] RoomsToJoin { get; private set; }

        /// <summary>Completes when the current connection closes (a reconnect starts a new one).</summary>
        internal Task LinkClosed => linkClosed.Task;

        /// <summary>Why the current (or last) connection closed.</summary>
        internal string? LinkCloseReason => linkCloseReason;

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
            CheckOptions(options);
            var session = new ChatSession(options);
            try
            {
                using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancel))
                {
                    timeout.CancelAfter(options.Timeout);
                    try
                    {
                        await session.ConnectCoreAsync(options.Protocol, timeout.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
                    {
                        string within = $"within {options.Timeout.TotalSeconds:0.#} s";
                        if (session.handshaking)
                        {
                            throw new TimeoutException(TlsClientHandshake.NoHandshakeAnswer(HostPort.Format(options.ComputerName, options.Port), options.Timeout));
                        }

                        if (session.protocol?.Unfinished is string step)
                        {
                            throw new ChatProtocolException($"{HostPort.Format(options.ComputerName, options.Port)} accepted the connection but did not complete {step} {within}.");
                        }

                        throw new TimeoutException($"No connection to {HostPort.Format(options.ComputerName, options.Port)} {within}.");
                    }
                }
            }
            catch
            {
                session.Dispose();
                throw;
            }

            Interlocked.CompareExchange(ref session.state, (int)SessionState.Connected, (int)SessionState.Connecting);
            if (session.State == SessionState.Closed)
            {
                session.Dispose();
                throw new SocketException((int)SocketError.ConnectionReset);
            }

            session.StartKeepAlive();
            session.StartPacing();
            return session;
        }

        /// <summary>Refuses names that would break or multiply protocol lines before anything is sent.</summary>
        private static void CheckOptions(ChatSessionOptions options)
        {
            // A name the server may not like (a space, '!') is its to refuse: the session then takes a
            // cleaned nick and the cmdlet says so; only what would break the line is refused here.
            if (!string.IsNullOrEmpty(options.Name)) ClientNames.CheckOneLine(options.Name!, "Name", "name");
            foreach (string entry in options.Rooms)
            {
                // "#room key": a channel name cannot hold a space, so the rest is the key.
                string[] parts = (entry ?? string.Empty).Split(new[] { ' ' }, 2, StringSplitOptions.RemoveEmptyEntries);
                if (parts.Length == 0) throw new ArgumentException("A room name is empty.", "Rooms");
                ClientNames.CheckRoom(parts[0], "Rooms");
                if (parts.Length > 1) ClientNames.CheckKey(parts[1], "Rooms");
            }

            if (CredentialRefusal(options) is string refusal) throw new ArgumentException(refusal, nameof(options.Credential));
        }

        /// <summary>
        /// Why these options must not log in as they are: a password over plain TCP to another machine
        /// (unless forced), a client certificate without TLS or without its key; null when they may.
        /// </summary>
        public static string? CredentialRefusal(ChatSessionOptions options)
        {
            if (options.ClientCertificate is global::System.Security.Cryptography.X509Certificates.X509Certificate2 certificate)
            {
                if (!options.UseTls) return "A client certificate (SASL EXTERNAL) is shown only in a TLS handshake: connect with -UseTls.";
                if (!certificate.HasPrivateKey) return $"The client certificate '{certificate.Subject}' has no private key, so it cannot prove it is yours.";
            }

            if (options.Credential == null || options.UseTls || options.AllowUnencryptedAuthentication || IsThisMachine(options.ComputerName)) return null;
            return $"-Credential over plain TCP to {options.ComputerName} would send the password in clear: connect with -UseTls (the server needs a certificate), or add -AllowUnencryptedAuthentication to send it anyway.";
        }

        private static bool IsThisMachine(string host) =>
            string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase) ||
            (global::System.Net.IPAddress.TryParse(host, out var address) && global::System.Net.IPAddress.IsLoopback(address));

        /// <summary>Sends text to a room (or privately to a nick); each line of it becomes one message.</summary>
        public void Send(string text, string? room = null, string? to = null)
        {
            if (text == null) throw new ArgumentNullException(nameof(text));
            if (!string.IsNullOrEmpty(room)) ClientNames.CheckRoom(room!, nameof(room));
            if (to != null) ClientNames.CheckNick(to, nameof(to));
            EnsureOpen();
            foreach (string line in Engine.Text.TextRules.SplitLines(text))
            {
                protocol.SendText(room, to, Engine.Text.TextRules.StripControls(line));
                Interlocked.Increment(ref sent);
            }
        }

        public void Join(string room, string? key = null)
        {
            ClientNames.CheckRoom(room, nameof(room));
            if (key != null) ClientNames.CheckKey(key, nameof(key));
            EnsureOpen();
            protocol.Join(room, key);
        }

        public void Part(string room, string? reason = null)
        {
            ClientNames.CheckRoom(room, nameof(room));
            if (reason != null) ClientNames.CheckOneLine(reason, nameof(reason), "part reason");
            EnsureOpen();
            protocol.Part(room, reason);
        }

        /// <summary>Asks for another name; <see cref="Name"/> changes when the server agrees (IRC).</summary>
        public void ChangeName(string name)
        {
            ClientNames.CheckNick(name, nameof(name));
            EnsureOpen();
            protocol.ChangeName(name);
        }

        /// <summary>Asks who is in a room; the answer arrives as messages (IRC).</summary>
        public void RequestMembers(string room)
        {
            ClientNames.CheckRoom(room, nameof(room));
            EnsureOpen();
            protocol.RequestMembers(room);
        }

        /// <summary>Waits for the next message. A negative timeout waits until a message, the close, or cancellation.</summary>
        internal TakeResult Receive(TimeSpan timeout, CancellationToken cancel, out ChatMessage? message) =>
            buffer.Take(timeout, cancel, out message);

        /// <summary>Says goodbye in the protocol, then closes (flushing what is queued).</summary>
        /// <summary>
        /// Says goodbye in the protocol, then closes: lines still waiting for their turn (IRC pacing) go
        /// first, the goodbye after them, and the connection closes once they are out.
        /// </summary>
        public void Disconnect(string reason = "Leaving") => Leave(reason, flush: true);

        private void Leave(string reason, bool flush)
        {
            leaving = true;
            try
            {
                lifetime.Cancel();
            }
            catch (ObjectDisposedException)
            {
            }

            if (State == SessionState.Closed) return;
            if (State == SessionState.Reconnecting)
            {
                // Between connections there is nobody to say goodbye to.
                connection?.Abort(reason);
                MarkClosed(reason);
                return;
            }

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
                var link = connection;
                var paced = pacer;
                if (flush && paced != null && paced.Waiting > 0 && link != null)
                {
                    paced.Drained += () => link.Close(reason);
                    if (paced.Waiting == 0) link.Close(reason); // drained while we subscribed
                }
                else
                {
                    link?.Close(reason);
                }
            }
        }

        /// <summary>Closes at once: what waits to be sent is dropped.</summary>
        public void Dispose()
        {
            Leave("session disposed", flush: false);
            if (connection == null) MarkClosed("not connected");
        }

        public override string ToString() => SafeText.Render($"#{Id} {Name} @ {HostPort.Format(ComputerName, Port)} ({State})");

        // ---- for protocols ----

        internal void Deliver(ChatMessage message)
        {
            Interlocked.Increment(ref received);
            message.Session = this;
            (protocol as IrcClientProtocol)?.Collect(message);
            if (!RouteReply(message)) buffer.Add(message);
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
                if (State == SessionState.Reconnecting)
                {
                    throw new InvalidOperationException($"Session {Id} is reconnecting (the connection dropped: {linkCloseReason}); send again once its State is Connected.");
                }

                throw new InvalidOperationException($"Session {Id} is closed: {CloseReason ?? connection?.CloseReason ?? "not connected"}.");
            }
        }

        /// <summary>
        /// A line the session sends on its own account: through the pacer on IRC when pacing is on, at once
        /// otherwise. Errors as <see cref="SendBytes"/>.
        /// </summary>
        internal void SendPaced(byte[] bytes)
        {
            var paced = pacer;
            if (paced == null || State != SessionState.Connected)
            {
                SendBytes(bytes);
                return;
            }

            if (connection == null || connection.IsClosing) SendBytes(bytes); // throws the closed-session error
            paced.Enqueue(bytes);
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

            Heard();
            protocol.OnLine(data, offset, count, terminator);
        }

        void ILineSink.OnOverlongLine(int bytesSeen) =>
            System($"A line of {bytesSeen} bytes from the server was longer than {Options.MaxLineLength} bytes and was dropped.");

        void ILineConnectionHandler.OnClosed(LineConnection closedConnection, string reason)
        {
            if (closedConnection != connection) return; // late news of an earlier connection
            string? goodbye = Interlocked.Exchange(ref serverGoodbye, null);
            if (goodbye != null) reason = "the server closed the connection: " + goodbye;
            linkCloseReason = reason;
            linkClosed.TrySetResult(true);
            StopPacing();
            switch (State)
            {
                case SessionState.Reconnecting:
                    return; // a failed attempt: the reconnect loop hears of it through LinkClosed
                case SessionState.Connected when Options.Reconnect && !leaving:
                    BeginReconnect(reason);
                    return;
                default:
                    MarkClosed(reason);
                    return;
            }
        }

        /// <summary>The server said why it is closing (IRC ERROR); the close reason will say so instead of a bare end of stream.</summary>
        internal void NoteServerGoodbye(string text) => Volatile.Write(ref serverGoodbye, text);

        private void MarkClosed(string reason)
        {
            StopKeepAlive();
            if (Interlocked.Exchange(ref state, (int)SessionState.Closed) == (int)SessionState.Closed) return;
            CloseReason = reason;
            buffer.Complete();
            (protocol as IrcClientProtocol)?.AbandonHistory(reason);
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

        private void BeginReconnect(string reason)
        {
            Interlocked.Exchange(ref state, (int)SessionState.Reconnecting);
            StopKeepAlive();
            RegistrationName = Name ?? Options.Name;
            var inRooms = Rooms;
            if (inRooms.Length > 0) RoomsToJoin = inRooms;
            SetRooms(new string[0]); // back in a room only once the server says so
            System($"The connection to {HostPort.Format(ComputerName, Port)} dropped ({reason}); reconnecting.");
            _ = ReconnectAsync();
        }

        /// <summary>Connects again with a doubling delay until it works, the user disconnects, or the attempts run out.</summary>
        private async Task ReconnectAsync()
        {
            var delay = Options.ReconnectDelay;
            for (int attempt = 1; ; attempt++)
            {
                try
                {
                    await Task.Delay(delay, lifetime.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return; // Disconnect closed the session
                }

                string why;
                try
                {
                    using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(lifetime.Token))
                    {
                        timeout.CancelAfter(Options.Timeout);
                        await ConnectCoreAsync(protocol.Name, timeout.Token).ConfigureAwait(false);
                    }

                    if (Interlocked.CompareExchange(ref state, (int)SessionState.Connected, (int)SessionState.Reconnecting) != (int)SessionState.Reconnecting)
                    {
                        connection?.Close("session disposed");
                        return;
                    }

                    Interlocked.Increment(ref reconnects);
                    StartKeepAlive();
                    StartPacing();
                    var rooms = Rooms;
                    System($"Reconnected to {HostPort.Format(ComputerName, Port)} as {Name}" + (rooms.Length > 0 ? "; back in " + string.Join(", ", rooms) + "." : "."));
                    return;
                }
                catch (Exception ex) when (ex is SocketException || ex is OperationCanceledException || ex is ChatProtocolException || ex is InvalidOperationException || ex is ObjectDisposedException)
                {
                    connection?.Abort("reconnect attempt failed");
                    if (leaving) return;
                    why = ex is OperationCanceledException ? $"no answer within {Options.Timeout.TotalSeconds:0.#} s" : ex.Message;
                }

                if (Options.MaxReconnectAttempts > 0 && attempt >= Options.MaxReconnectAttempts)
                {
                    MarkClosed($"gave up reconnecting after {attempt} attempt(s): {why}");
                    return;
                }

                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, Options.MaxReconnectDelay.Ticks));
                System($"Reconnect attempt {attempt} failed ({why}); next in {delay.TotalSeconds:0.#} s.");
            }
        }

        private void System(string text) =>
            Deliver(new ChatMessage(ChatMessageKind.System, DefaultRoom, null, text, DateTime.Now, Id));

        private void Heard()
        {
            Volatile.Write(ref lastHeardTicks, Options.Clock.NowTicks);
            Volatile.Write(ref keepAliveAsked, 0);
        }

        private void StartKeepAlive()
        {
            if (protocol?.Name != ChatProtocol.Irc || Options.KeepAliveInterval <= TimeSpan.Zero) return;
            Heard();
            var timer = new Timer(_ => CheckKeepAlive(), null, Options.KeepAliveCheckPeriod, Options.KeepAliveCheckPeriod);
            Interlocked.Exchange(ref keepAlive, timer)?.Dispose();
        }

        private void StopKeepAlive() => Interlocked.Exchange(ref keepAlive, null)?.Dispose();

        /// <summary>Pacing starts once registered: registration and joins at connect go at once (the server expects them together).</summary>
        private void StartPacing()
        {
            var serverPace = (protocol as IrcClientProtocol)?.PayloadPace;
            if (protocol?.Name != ChatProtocol.Irc || !(Options.PaceLinesPerSecond > 0 || serverPace != null)) return;
            var link = connection!;
            var created = NewPacer(serverPace, bytes => link.Send(bytes));
            Interlocked.Exchange(ref pacer, created)?.Dispose();
        }

        /// <summary>The link is gone: lines still waiting can never go out on it; the reader hears how many.</summary>
        private void StopPacing()
        {
            var old = Interlocked.Exchange(ref pacer, null);
            if (old == null) return;
            int dropped = old.Clear();
            old.Dispose();
            if (dropped > 0) System($"{dropped} line(s) waiting to be sent were not sent: the connection closed.");
        }

        /// <summary>A quiet link gets a PING; one that stays quiet past the timeout is dead and closed (or reconnected).</summary>
        private void CheckKeepAlive()
        {
            var link = connection;
            if (State != SessionState.Connected || link == null) return;
            protocol.ExpirePayloads();
            if (SendingProgressed(link)) NoteSendProgress();
            var grace = BacklogGrace(link);
            var silent = Options.Clock.Since(Volatile.Read(ref lastHeardTicks));
            if (silent >= Options.KeepAliveInterval + Options.KeepAliveTimeout + PingGrace)
            {
                link.Abort($"the server did not answer for {silent.TotalSeconds:0} s (keepalive)");
                return;
            }

            if (silent >= Options.KeepAliveInterval && Interlocked.Exchange(ref keepAliveAsked, 1) == 0)
            {
                PingGrace = grace;
                try
                {
                    protocol.SendKeepAlive();
                }
                catch (InvalidOperationException)
                {
                }
            }
        }

        private void EnsureOpen()
        {
            if (State == SessionState.Closed)
            {
                throw new InvalidOperationException($"Session {Id} is closed: {CloseReason}.");
            }
        }

        private async Task ConnectCoreAsync(ChatProtocol wanted, CancellationToken cancel)
        {
            linkClosed = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            linkCloseReason = null;
            // The process's first ClientHello is built before the socket connects: a PSChat server that shares
            // its port between TLS and plain clients takes a connection silent for a second for a plain one.
            if (Options.UseTls) await TlsWarmUp.EnsureAsync().ConfigureAwait(false);
            var socket = await ConnectSocketAsync(Options.ComputerName, Options.Port, cancel).ConfigureAwait(false);
            var connectionOptions = new LineConnectionOptions { MaxLineBytes = Options.MaxLineLength, WriteOnThreadPool = true, PeerName = "server" };
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

            protocol = CreateProtocol(wanted);
            SetQuietTime(protocol.UsesQuietTime);
            connection.Start();
            using (cancel.Register(() => connection.Abort("connection timed out")))
            {
                Task start = protocol.StartAsync(cancel);
                // A server that closes before its first line would otherwise leave the protocol waiting out its timeouts.
                if (await Task.WhenAny(start, LinkClosed).ConfigureAwait(false) != start)
                {
                    // Our own timeout closed it: that is a timeout, not a server that hung up.
                    cancel.ThrowIfCancellationRequested();
                    ThrowIfClosedUnheard();
                }
                await start.ConfigureAwait(false);
            }

            if (wanted == ChatProtocol.Text || protocol.Name == ChatProtocol.Text)
            {
                SetRooms(RoomsToJoin.Take(1));
            }

            ConnectedAt = DateTime.Now;
            if (linkClosed.Task.IsCompleted)
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
            string target = HostPort.Format(Options.ComputerName, Options.Port);
            if (answeredWithTls)
            {
                throw new ChatTlsException(TlsFailure.ServerRequiresTls,
                    $"{target} answered with TLS: it is a TLS port. Connect with -UseTls (with -CertificateThumbprint or -SkipCertificateCheck for a self-signed certificate).");
            }

            if (!heardLine)
            {
                string during = Options.Protocol == ChatProtocol.Irc ? "IRC registration" : "protocol detection";
                string hint = Options.UseTls ? string.Empty : $" It said nothing before it closed: if {target} is a TLS port, connect with -UseTls.";
                throw new ChatProtocolException($"The server closed the connection during {during}: {LinkCloseReason}.{hint}");
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
