using System;
using System.Collections.Generic;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using PSChat.Engine.Framing;
using PSChat.Engine.Tls;

namespace PSChat.Engine.Transport
{
    /// <summary>
    /// A connection that speaks lines, as one state machine whatever moves its bytes: the driver feeds
    /// it bytes, the end of the stream, errors and quiet-time checks; it frames lines for its handler,
    /// queues whole messages in a bounded <see cref="SendQueue"/>, starts one writer at a time, and
    /// closes once. A handler that throws ends its own connection (never the thread that read it), on
    /// either driver. No thread is held per connection.
    /// </summary>
    internal sealed class LineConnection : ILineSink
    {
        private readonly LineConnectionOptions options;
        private readonly LineFramer framer;
        private readonly SendQueue queue;
        private readonly ConnectionDriver driver;
        private readonly FloodBudget? flood;
        private readonly FloodGate? floodGate;
        private ILineConnectionHandler handler;
        private List<ArraySegment<byte>> inFlight = new List<ArraySegment<byte>>();
        private string? closeReason;
        private int closeRequested;
        private int closed;

        // The receive side's, touched only from the driver's serial receive context.
        private bool receiveDone;
        private long readSequence;
        private long quietTicks;

        public LineConnection(Socket socket, ILineConnectionHandler handler, LineConnectionOptions options)
            : this(socket, null, null, handler, options)
        {
        }

        /// <summary>
        /// A connection over <paramref name="stream"/> (which owns the socket) on the stream driver: an
        /// SslStream after its handshake (<paramref name="tls"/> says what it settled), or the socket's own
        /// NetworkStream where a loop must not take the socket. Without a stream, the socket goes to an
        /// epoll loop where the options ask for one, else to its NetworkStream.
        /// </summary>
        public LineConnection(Socket socket, Stream? stream, TlsInfo? tls, ILineConnectionHandler handler, LineConnectionOptions options)
        {
            if (socket == null) throw new ArgumentNullException(nameof(socket));
            this.handler = handler ?? throw new ArgumentNullException(nameof(handler));
            this.options = options ?? throw new ArgumentNullException(nameof(options));
            framer = new LineFramer(options.MaxLineBytes);
            queue = new SendQueue(options.Clock, options.MaxSendQueueBytes, options.WriteDelay);
            socket.NoDelay = true;
            RemoteEndPoint = (IPEndPoint)socket.RemoteEndPoint;
            LocalEndPoint = (IPEndPoint)socket.LocalEndPoint;
            Tls = tls;
            if (options.Flood != null && !options.Flood.Exempts(RemoteEndPoint))
            {
                flood = new FloodBudget(options.Clock, options.Flood);
                floodGate = new FloodGate(this);
            }

            var loop = options.UseIoLoop && stream == null ? IoLoop.Next() : null;
            driver = stream != null ? new StreamDriver(this, stream, waitsWithoutBuffer: stream is NetworkStream)
                : loop != null ? new LoopDriver(this, socket, loop)
                : (ConnectionDriver)StreamDriver.ForSocket(this, socket);
        }

        public IPEndPoint RemoteEndPoint { get; }

        public IPEndPoint LocalEndPoint { get; }

        /// <summary>The TLS session of the connection; null for a plain one.</summary>
        public TlsInfo? Tls { get; }

        public long BytesReceived { get; private set; }

        public long BytesSent => queue.SentBytes;

        public bool IsClosed => Volatile.Read(ref closed) != 0;

        public string? CloseReason => Volatile.Read(ref closeReason);

        /// <summary>The limit that dropped the connection (the Start-ChatServer parameter that sets it), or null.</summary>
        public string? Limit { get; private set; }

        /// <summary>Bytes accepted by <see cref="Send(ArraySegment{byte})"/> and not yet written to the socket.</summary>
        public long QueuedBytes => queue.QueuedBytes;

        /// <summary>What counts against MaxSendQueueBytes now (bytes plus each queued message's bookkeeping).</summary>
        public long QueuedCost => queue.QueuedCost;

        /// <summary>
        /// After this long without bytes, an unterminated line is taken as a whole message
        /// (zero turns it off). The tutorial's programs never send line ends. Clamped to a day, like
        /// the write delay: the drivers wait it out with Task.Delay, which refuses more than
        /// int.MaxValue milliseconds on .NET Framework (uint on .NET).
        /// </summary>
        public TimeSpan QuietTime
        {
            get => TimeSpan.FromTicks(Interlocked.Read(ref quietTicks));
            set => Interlocked.Exchange(ref quietTicks, Math.Min(value.Ticks, TimeSpan.TicksPerDay));
        }

        internal LineConnectionOptions Options => options;

        internal ConnectionDriver Driver => driver;

        /// <summary>True once a close or an abort was asked for: lines still in the current read are not acted on.</summary>
        internal bool IsClosing => Volatile.Read(ref closeRequested) != 0 || Volatile.Read(ref closed) != 0;

        /// <summary>Whether the server's flood control applies to this connection (it may exempt its address).</summary>
        public bool IsFloodControlled => flood != null;

        /// <summary>
        /// Charges the flood budget for <paramref name="lines"/> more lines (a command whose reply was big).
        /// Called by the handler while it handles a line.
        /// </summary>
        public void ChargeFlood(int lines) => flood?.Charge(lines);

        /// <summary>Hands the connection to another protocol handler (after protocol detection).</summary>
        public void SetHandler(ILineConnectionHandler newHandler) => handler = newHandler ?? throw new ArgumentNullException(nameof(newHandler));

        public void Start() => driver.Start();

        /// <summary>
        /// Queues a whole message. The bytes must not change afterwards (they may be shared by many
        /// connections). Returns false when the connection is closed or the queue overflowed, in which
        /// case the connection is closed as a slow consumer.
        /// </summary>
        public bool Send(byte[] message) => Send(new ArraySegment<byte>(message));

        public bool Send(ArraySegment<byte> message)
        {
            switch (queue.Enqueue(message, out WriteDue due))
            {
                case SendAction.None:
                    return true;
                case SendAction.WriteNow:
                    StartWriter();
                    return true;
                case SendAction.WriteAt:
                    DelayWriter(TimeSpan.FromTicks(due.Ticks - options.Clock.NowTicks), due.Delay);
                    return true;
                case SendAction.Overflow:
                    if (!IsClosing) Limit = nameof(ChatServerOptions.MaxSendQueue);
                    Abort($"send queue full ({options.MaxSendQueueBytes} bytes): the client is not reading");
                    return false;
                default:
                    return false;
            }
        }

        /// <summary>Holds queued messages back until <see cref="ResumeSending"/> (used while the protocol is unknown).</summary>
        public void PauseSending() => queue.Pause();

        public void ResumeSending(bool discardQueued)
        {
            if (queue.Resume(discardQueued)) StartWriter();
        }

        /// <summary>Sends what is queued (for a bounded time), then closes both directions.</summary>
        public void Close(string reason)
        {
            if (Interlocked.Exchange(ref closeRequested, 1) != 0) return;
            Interlocked.CompareExchange(ref closeReason, reason, null);
            bool startWriter = queue.BeginClose(out bool drained);
            if (drained)
            {
                Shutdown(reason);
                return;
            }

            if (startWriter) StartWriter();
            // The writer shuts down when the queue drains; a peer that does not read gets this long.
            _ = Task.Delay(options.CloseFlushTimeout).ContinueWith(
                (_, state) => ((LineConnection)state!).Shutdown(reason), this, TaskScheduler.Default);
        }

        /// <summary>Closes at once, dropping anything queued.</summary>
        public void Abort(string reason)
        {
            Interlocked.Exchange(ref closeRequested, 1);
            Shutdown(reason);
        }

        private void Shutdown(string reason)
        {
            if (Interlocked.Exchange(ref closed, 1) != 0) return;
            Interlocked.CompareExchange(ref closeReason, reason, null);
            queue.Discard();
            driver.Shutdown();
        }

        // ---- The receive side: called by the driver, serially. ----

        /// <summary>Bytes from the peer; false when the driver should stop reading (closing, or the handler failed).</summary>
        internal bool OnReceived(byte[] buffer, int count)
        {
            if (receiveDone || IsClosing) return false;
            BytesReceived += count;
            readSequence++;
            queue.PeerSpoke();
            try
            {
                // Held lines whose time has come go first: a client that keeps sending still gets its turn.
                if (flood != null) RunDueLines();
                framer.Feed(buffer, 0, count, Sink);
            }
            catch (Exception ex)
            {
                Fail(ex);
                return false;
            }

            return !IsClosing;
        }

        // The framer's sink: a line is acted on only while the connection is not closing. An abort (a
        // full send queue, a flood, a kick from another thread) stops the framer between two lines of
        // one read, so a client cannot make the server run the rest of a 16 KB read after dropping it.
        // Lines go on to the handler, through flood control when the connection has it.
        void ILineSink.OnLine(byte[] buffer, int offset, int count, LineTerminator terminator)
        {
            if (StopIfClosing()) return;
            Next.OnLine(buffer, offset, count, terminator);
            StopIfClosing();
        }

        void ILineSink.OnOverlongLine(int bytesSeen)
        {
            if (StopIfClosing()) return;
            Next.OnOverlongLine(bytesSeen);
            StopIfClosing();
        }

        private bool StopIfClosing()
        {
            if (!IsClosing) return false;
            framer.Stop();
            return true;
        }

        /// <summary>The peer closed its side: a pending unterminated line is taken as whole, then the receive side ends.</summary>
        internal void OnEndOfStream()
        {
            if (receiveDone) return;
            // Lines flood control still holds are dropped with the connection, as IRC servers do.
            if (!IsClosing) Guarded(() => framer.FlushPartial(Sink));
            FinishReceive(options.PeerName + " closed the connection");
        }

        /// <summary>The read sequence number the quiet time of the latest read is checked against.</summary>
        internal long ReadSequence => readSequence;

        /// <summary>True when an unterminated line waits and a quiet time is set.</summary>
        internal bool WantsQuietCheck(out TimeSpan quiet)
        {
            quiet = QuietTime;
            return quiet > TimeSpan.Zero && !receiveDone && framer.HasPartial;
        }

        /// <summary>No byte came within the quiet time after read <paramref name="sequence"/>: the partial line is a message.</summary>
        internal void OnQuiet(long sequence)
        {
            if (receiveDone || IsClosing || readSequence != sequence || !framer.HasPartial) return;
            Guarded(() => framer.FlushPartial(Sink));
        }

        /// <summary>True when flood control holds lines: the driver calls <see cref="OnFloodDue"/> after <paramref name="wait"/> (on the connection's clock).</summary>
        internal bool WantsFloodWake(out TimeSpan wait)
        {
            wait = TimeSpan.Zero;
            if (flood == null || flood.HeldCount == 0 || receiveDone || IsClosing) return false;
            wait = flood.UntilNextDue;
            return true;
        }

        /// <summary>The wait asked for by <see cref="WantsFloodWake"/> is over: runs the held lines whose time has come.</summary>
        internal void OnFloodDue()
        {
            if (receiveDone || IsClosing || flood == null) return;
            Guarded(RunDueLines);
        }

        /// <summary>Where the framer puts lines: this connection, which acts on a line only while it is open.</summary>
        private ILineSink Sink => this;

        /// <summary>Where an accepted line goes: straight to the handler, or through flood control.</summary>
        private ILineSink Next => floodGate ?? (ILineSink)handler;

        private void RunDueLines()
        {
            while (!IsClosing && flood!.TryTakeDue(out var line))
            {
                if (line.Overlong) handler.OnOverlongLine(line.Count);
                else handler.OnLine(line.Bytes!, line.Offset, line.Count, line.Terminator);
            }
        }

        /// <summary>Held input passed its bound: the handler tells the client and closes (a plain handler is aborted).</summary>
        private void ExcessFlood()
        {
            flood!.Discard();
            if (handler is IFloodListener listener) listener.OnExcessFlood(options.Flood!.MaxHeldBytes);
            if (!IsClosing) Abort($"excess flood (more than {options.Flood!.MaxHeldBytes} bytes of input held)");
        }

        /// <summary>The receive side is over: tell the handler, once (the send side may still drain).</summary>
        internal void FinishReceive(string reason)
        {
            if (receiveDone) return;
            receiveDone = true;
            framer.Dispose();
            flood?.Discard();
            Close(reason);
            try
            {
                handler.OnClosed(this, CloseReason ?? reason);
            }
            catch (Exception)
            {
                // A handler's failure must not reach the driver's thread, nor keep the socket open.
            }
        }

        private void Guarded(Action action)
        {
            try
            {
                action();
            }
            catch (Exception ex)
            {
                Fail(ex);
            }
        }

        /// <summary>A handler's bug ends its own connection, never the thread that serves the others.</summary>
        private void Fail(Exception ex) => Abort("internal error: " + ex.Message);

        // ---- The send side. ----

        /// <summary>Starts a claimed writer: at the end of the running turn, on the thread pool, or inline.</summary>
        private void StartWriter()
        {
            var turn = WriteTurn.Current;
            if (turn != null)
            {
                turn.WriteAtEnd(this);
                return;
            }

            if (options.WriteOnThreadPool)
            {
                ThreadPool.UnsafeQueueUserWorkItem(state => ((LineConnection)state!).RunWriter(), this);
                return;
            }

            RunWriter();
        }

        /// <summary>Starts a writer claimed with a write delay when the delay is up.</summary>
        private void DelayWriter(TimeSpan wait, long delay)
        {
            if (wait <= TimeSpan.Zero)
            {
                // Due already (time passed since the queue decided): the writer is ours at once.
                if (queue.TryEndDelay(delay)) StartWriter();
                return;
            }

            // On a loop thread the loop holds the wait; elsewhere the server's coalescer (there is
            // one whenever there is a write delay).
            var turn = WriteTurn.Current;
            if (turn != null) turn.WriteAfter(this, wait, delay);
            else options.Coalescer!.Add(this, delay);
        }

        /// <summary>Delay <paramref name="delay"/> is up: starts the writer unless a flood or a close already did.</summary>
        internal void EndDelay(long delay)
        {
            if (queue.TryEndDelay(delay)) RunWriter();
        }

        /// <summary>Runs the writer the caller claimed.</summary>
        internal void RunWriter() => _ = WriteLoopAsync();

        private async Task WriteLoopAsync()
        {
            while (true)
            {
                long total = queue.TakeBatch(ref inFlight, out bool drained);
                if (total == 0)
                {
                    // The writer is given up: from here on inFlight may be another writer's.
                    if (drained) Shutdown(CloseReason ?? "connection closed");
                    return;
                }

                try
                {
                    await driver.WriteAsync(inFlight, total).ConfigureAwait(false);
                }
                catch (Exception ex)
                {
                    // Any failure ends the connection: a writer that stopped still claimed would leave
                    // every later message stuck in the queue.
                    inFlight.Clear();
                    queue.ReleaseWriter();
                    Abort("write failed: " + ex.Message);
                    return;
                }

                inFlight.Clear();
                queue.Written(total);
            }
        }

        /// <summary>Lines on their way to the handler through the flood budget: run now, held, or excess flood.</summary>
        private sealed class FloodGate : ILineSink
        {
            private readonly LineConnection connection;

            public FloodGate(LineConnection connection) => this.connection = connection;

            public void OnLine(byte[] buffer, int offset, int count, LineTerminator terminator)
            {
                if (connection.IsClosing) return;
                var flood = connection.flood!;
                var payloadLines = flood.BudgetsPayload ? connection.handler as IPayloadLines : null;
                bool payload = payloadLines != null && payloadLines.IsPayloadLine(buffer, offset, count);
                switch (flood.Offer(buffer, offset, count, terminator, payload))
                {
                    case FloodVerdict.Run:
                        connection.handler.OnLine(buffer, offset, count, terminator);
                        break;
                    case FloodVerdict.Held when payload:
                        // First of an episode only when nothing is ahead of it: behind a held line, the line budget holds it.
                        payloadLines!.OnPayloadHeld(flood.HeldCount == 1);
                        break;
                    case FloodVerdict.Held:
                        Held();
                        break;
                    default:
                        connection.ExcessFlood();
                        break;
                }
            }

            public void OnOverlongLine(int bytesSeen)
            {
                if (connection.IsClosing) return;
                switch (connection.flood!.OfferOverlong(bytesSeen))
                {
                    case FloodVerdict.Run:
                        connection.handler.OnOverlongLine(bytesSeen);
                        break;
                    case FloodVerdict.Held:
                        Held();
                        break;
                    default:
                        connection.ExcessFlood();
                        break;
                }
            }

            private void Held() => (connection.handler as IFloodListener)?.OnLineHeld(connection.flood!.HeldCount == 1);
        }
    }
}
