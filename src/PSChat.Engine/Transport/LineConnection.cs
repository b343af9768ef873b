using System;
using System.Buffers;
using System.Collections.Generic;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using PSChat.Engine.Framing;

namespace PSChat.Engine.Transport
{
    /// <summary>What a <see cref="LineConnection"/> tells its owner.</summary>
    public interface ILineConnectionHandler : ILineSink
    {
        /// <summary>Called once, when the connection has closed for any reason.</summary>
        void OnClosed(LineConnection connection, string reason);
    }

    /// <summary>Limits and timings of one connection.</summary>
    public sealed class LineConnectionOptions
    {
        public int MaxLineBytes { get; set; } = 8192;

        /// <summary>Most bytes waiting to be sent before the peer counts as a slow consumer and is dropped.</summary>
        public int MaxSendQueueBytes { get; set; } = 1024 * 1024;

        public int ReceiveBufferBytes { get; set; } = 4096;

        /// <summary>
        /// Write on a thread-pool thread instead of inline on the sending thread. A client that sends
        /// from a pipeline then pays for a queue entry, not a system call, per message, and messages
        /// queued while a write runs go out together.
        /// </summary>
        public bool WriteOnThreadPool { get; set; }

        /// <summary>
        /// How long a message may wait for more to the same peer before it is written (zero: at once).
        /// A few milliseconds turn one system call per message into one per burst under steady load.
        /// </summary>
        public TimeSpan WriteDelay
        {
            get => writeDelay;
            set
            {
                writeDelay = value;
                Coalescer = value > TimeSpan.Zero ? new WriteCoalescer(value) : null;
            }
        }

        private TimeSpan writeDelay;

        internal WriteCoalescer? Coalescer { get; private set; }

        /// <summary>
        /// Serve the connection from an epoll loop thread (<see cref="IoLoop"/>) where the platform has
        /// one, instead of from the thread pool. Servers set it; client sessions do not.
        /// </summary>
        public bool UseIoLoop { get; set; }

        /// <summary>How long to wait when tearing down gracefully for queued bytes to go out.</summary>
        public TimeSpan CloseFlushTimeout { get; set; } = TimeSpan.FromSeconds(2);
    }

    /// <summary>
    /// A TCP connection that speaks lines: one receive loop that frames lines, and a bounded send queue
    /// that writes whole messages in order from one writer at a time. No thread is held per connection:
    /// while idle it waits in a zero-byte receive and holds no receive buffer.
    /// </summary>
    public sealed partial class LineConnection
    {
        private static readonly byte[] Empty = new byte[0];

        private readonly Socket socket;
        private readonly LineConnectionOptions options;
        private readonly LineFramer framer;
        private readonly object sendGate = new object();
        private readonly TaskCompletionSource<bool> sendDrained = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        private ILineConnectionHandler handler;
        private List<ArraySegment<byte>> pending = new List<ArraySegment<byte>>();
        private List<ArraySegment<byte>> inFlight = new List<ArraySegment<byte>>();
        private long queuedBytes;
        private bool sending;
        /// <summary>The writer is claimed and waits in the coalescer; whoever clears this starts it.</summary>
        private bool coalescing;
        private bool paused;
        private bool closing;
        private int closed;
        private string? closeReason;
        private long quietTicks;

        public LineConnection(Socket socket, ILineConnectionHandler handler, LineConnectionOptions options)
        {
            this.socket = socket ?? throw new ArgumentNullException(nameof(socket));
            this.handler = handler ?? throw new ArgumentNullException(nameof(handler));
            this.options = options ?? throw new ArgumentNullException(nameof(options));
            framer = new LineFramer(options.MaxLineBytes);
            socket.NoDelay = true;
            // Non-blocking, so a write or a read that can finish at once is a plain system call
            // (no task, no event args); only one that cannot goes asynchronous.
            socket.Blocking = false;
            RemoteEndPoint = (IPEndPoint)socket.RemoteEndPoint;
            LocalEndPoint = (IPEndPoint)socket.LocalEndPoint;
            loop = options.UseIoLoop ? IoLoop.Next() : null;
            if (loop != null) fd = (int)socket.Handle;
        }

        public IPEndPoint RemoteEndPoint { get; }

        public IPEndPoint LocalEndPoint { get; }

        public long BytesReceived { get; private set; }

        public long BytesSent => Interlocked.Read(ref bytesSent);

        private long bytesSent;

        public bool IsClosed => Volatile.Read(ref closed) != 0;

        public string? CloseReason => closeReason;

        /// <summary>Bytes accepted by <see cref="Send"/> and not yet written to the socket.</summary>
        public long QueuedBytes
        {
            get { lock (sendGate) return queuedBytes; }
        }

        /// <summary>
        /// After this long without bytes, an unterminated line is taken as a whole message
        /// (zero turns it off). The tutorial's programs never send line ends.
        /// </summary>
        public TimeSpan QuietTime
        {
            get => TimeSpan.FromTicks(Interlocked.Read(ref quietTicks));
            set => Interlocked.Exchange(ref quietTicks, value.Ticks);
        }

        /// <summary>Hands the connection to another protocol handler (after protocol detection).</summary>
        public void SetHandler(ILineConnectionHandler newHandler) => handler = newHandler ?? throw new ArgumentNullException(nameof(newHandler));

        public void Start()
        {
            if (loop != null) StartOnLoop();
            else _ = ReceiveLoopAsync();
        }

        /// <summary>
        /// Queues a whole message. The bytes must not change afterwards (they may be shared by many
        /// connections). Returns false when the connection is closed or the queue overflowed, in which
        /// case the connection is closed as a slow consumer.
        /// </summary>
        public bool Send(byte[] message) => Send(new ArraySegment<byte>(message));

        [System.Runtime.CompilerServices.MethodImpl(HotPath.Optimize)]
        public bool Send(ArraySegment<byte> message)
        {
            bool startWriter = false;
            bool writeNow = false;
            bool overflow = false;
            lock (sendGate)
            {
                if (closing || closed != 0) return false;
                if (queuedBytes + message.Count > options.MaxSendQueueBytes)
                {
                    overflow = true;
                }
                else
                {
                    pending.Add(message);
                    queuedBytes += message.Count;
                    if (!sending && !paused)
                    {
                        sending = true;
                        startWriter = true;
                        coalescing = options.Coalescer != null;
                    }
                    else if (coalescing && queuedBytes >= WriteNowBytes)
                    {
                        // A flood does not wait for the delay: the thread that queues pays for the write,
                        // which keeps readers from outrunning the writers.
                        coalescing = false;
                        writeNow = true;
                    }
                }
            }

            if (overflow)
            {
                Abort($"send queue full ({options.MaxSendQueueBytes} bytes): the client is not reading");
                return false;
            }

            if (startWriter && options.Coalescer != null) Coalesce(options.Coalescer);
            else if (startWriter || writeNow) StartWriter();
            return true;
        }

        /// <summary>Queued bytes past which a connection waiting in the coalescer is written at once.</summary>
        private const int WriteNowBytes = 8 * 1024;

        /// <summary>Holds queued messages back until <see cref="ResumeSending"/> (used while the protocol is unknown).</summary>
        public void PauseSending()
        {
            lock (sendGate) paused = true;
        }

        public void ResumeSending(bool discardQueued)
        {
            bool startWriter = false;
            lock (sendGate)
            {
                paused = false;
                if (discardQueued)
                {
                    queuedBytes -= Sum(pending);
                    pending.Clear();
                }

                if (!sending && pending.Count > 0)
                {
                    sending = true;
                    startWriter = true;
                }
            }

            if (startWriter) StartWriter();
        }

        /// <summary>Sends what is queued (for a bounded time), then closes both directions.</summary>
        public void Close(string reason)
        {
            bool drained;
            bool startWriter = false;
            lock (sendGate)
            {
                if (closing || closed != 0) return;
                closing = true;
                closeReason ??= reason;
                paused = false;
                drained = !sending && pending.Count == 0;
                if (!drained && !sending)
                {
                    sending = true;
                    startWriter = true;
                }
                else if (coalescing)
                {
                    // The writer waits out the write delay: a goodbye does not wait.
                    coalescing = false;
                    startWriter = true;
                }
            }

            if (startWriter) StartWriter();
            if (drained)
            {
                Shutdown(reason);
                return;
            }

            _ = Task.WhenAny(sendDrained.Task, Task.Delay(options.CloseFlushTimeout))
                .ContinueWith(_ => Shutdown(reason), TaskScheduler.Default);
        }

        /// <summary>Closes at once, dropping anything queued.</summary>
        public void Abort(string reason)
        {
            lock (sendGate)
            {
                closeReason ??= reason;
                closing = true;
                queuedBytes = 0;
                pending.Clear();
            }

            Shutdown(reason);
        }

        private void Shutdown(string reason)
        {
            if (Interlocked.Exchange(ref closed, 1) != 0) return;
            closeReason ??= reason;
            if (loop != null)
            {
                ShutdownOnLoop();
                return;
            }

            try
            {
                socket.Shutdown(SocketShutdown.Both);
            }
            catch (SocketException)
            {
            }
            catch (ObjectDisposedException)
            {
            }

            socket.Dispose();
            // The receive loop notices the closed socket and reports OnClosed.
        }

        /// <summary>
        /// Writes inline, on the thread that queued the message: a socket with room in its kernel buffer
        /// takes the bytes at once, so no message waits for a thread-pool thread. While a receive loop
        /// is handling one read, writes are deferred to its end, so many lines cut from one read go
        /// out to each recipient in one system call.
        /// </summary>
        private void StartWriter()
        {
            var current = IoLoop.Current;
            if (current != null)
            {
                current.Defer(this);
                return;
            }

            var batch = deferred;
            if (batch != null)
            {
                batch.Add(this);
                return;
            }

            if (options.WriteOnThreadPool)
            {
                ThreadPool.UnsafeQueueUserWorkItem(state => _ = ((LineConnection)state!).WriteLoopAsync(), this);
                return;
            }

            _ = WriteLoopAsync();
        }

        [ThreadStatic]
        private static List<LineConnection>? deferred;

        [ThreadStatic]
        private static List<LineConnection>? spareBatch;

        private void FeedDeferringWrites(byte[] buffer, int count)
        {
            var batch = spareBatch ?? new List<LineConnection>();
            spareBatch = null;
            deferred = batch;
            try
            {
                framer.Feed(buffer, 0, count, handler);
            }
            finally
            {
                deferred = null;
                foreach (var connection in batch) _ = connection.WriteLoopAsync();
                batch.Clear();
                spareBatch = batch;
            }
        }

        private async Task ReceiveLoopAsync()
        {
            string reason = "connection closed";
            try
            {
                while (true)
                {
                    // A zero-byte receive waits for data without holding a buffer.
                    Task<int> ready = socket.ReceiveAsync(new ArraySegment<byte>(Empty), SocketFlags.None);
                    await FlushPartialWhenQuiet(ready).ConfigureAwait(false);
                    await ready.ConfigureAwait(false);
                    byte[] buffer = ArrayPool<byte>.Shared.Rent(options.ReceiveBufferBytes);
                    try
                    {
                        // Non-blocking: a zero-byte receive that completed with no data waiting (a stale
                        // readiness, seen on Linux) gives WouldBlock, and the loop waits again, with the
                        // quiet time running.
                        int count = socket.Receive(buffer, 0, buffer.Length, SocketFlags.None, out SocketError error);
                        if (error == SocketError.WouldBlock) continue;
                        if (error != SocketError.Success) throw new SocketException((int)error);
                        if (count == 0)
                        {
                            framer.FlushPartial(handler);
                            reason = "client closed the connection";
                            break;
                        }

                        BytesReceived += count;
                        FeedDeferringWrites(buffer, count);
                    }
                    finally
                    {
                        ArrayPool<byte>.Shared.Return(buffer);
                    }

                    if (closing || closed != 0) break;
                }
            }
            catch (SocketException ex)
            {
                reason = ex.SocketErrorCode == SocketError.ConnectionReset ? "connection reset by peer" : ex.Message;
            }
            catch (ObjectDisposedException)
            {
            }
            finally
            {
                framer.Dispose();
            }

            if (!closing) Close(reason);
            handler.OnClosed(this, closeReason ?? reason);
        }

        /// <summary>Takes an unterminated line as whole when no byte comes within the quiet time.</summary>
        private async Task FlushPartialWhenQuiet(Task pending)
        {
            long quiet = Interlocked.Read(ref quietTicks);
            if (quiet > 0 && framer.HasPartial && !pending.IsCompleted)
            {
                Task delay = Task.Delay(TimeSpan.FromTicks(quiet));
                if (await Task.WhenAny(pending, delay).ConfigureAwait(false) != pending)
                {
                    framer.FlushPartial(handler);
                }
            }
        }

        /// <summary>Starts writing what is queued (the writer was claimed when the first message came).</summary>
        internal void WriteQueued()
        {
            lock (sendGate)
            {
                if (!coalescing) return;
                coalescing = false;
            }

            _ = WriteLoopAsync();
        }

        /// <summary>Runs the writer the caller claimed (a deferred start).</summary>
        internal void RunWriter() => _ = WriteLoopAsync();

        private async Task WriteLoopAsync()
        {
            try
            {
                while (true)
                {
                    long batchBytes;
                    lock (sendGate)
                    {
                        if (pending.Count == 0 || (paused && !closing) || closed != 0)
                        {
                            sending = false;
                            if (closing) sendDrained.TrySetResult(true);
                            return;
                        }

                        var swap = inFlight;
                        inFlight = pending;
                        pending = swap;
                        batchBytes = Sum(inFlight);
                    }

                    await SendAllAsync(inFlight, batchBytes).ConfigureAwait(false);
                    lastWrite = Stopwatch.GetTimestamp();
                    Interlocked.Add(ref bytesSent, batchBytes);
                    inFlight.Clear();
                    lock (sendGate) queuedBytes -= batchBytes;
                }
            }
            catch (Exception ex)
            {
                // Any failure ends the connection: a writer that stopped with sending still set
                // would leave every later message stuck in the queue.
                lock (sendGate) sending = false;
                sendDrained.TrySetResult(false);
                Abort("write failed: " + ex.Message);
            }
        }

        private async Task SendAllAsync(List<ArraySegment<byte>> segments, long total)
        {
            int sent = SendNow(segments, total);
            if (sent == total) return;

            // A partial write: send the rest, never lose bytes (the tutorial's send() did).
            foreach (var segment in segments)
            {
                if (sent >= segment.Count)
                {
                    sent -= segment.Count;
                    continue;
                }

                var rest = new ArraySegment<byte>(segment.Array!, segment.Offset + sent, segment.Count - sent);
                sent = 0;
                while (rest.Count > 0)
                {
                    int n = await socket.SendAsync(rest, SocketFlags.None).ConfigureAwait(false);
                    rest = new ArraySegment<byte>(rest.Array!, rest.Offset + n, rest.Count - n);
                }
            }
        }

        /// <summary>
        /// Up to this many queued bytes are copied into one pooled buffer and written with one plain
        /// send: a gathered send pins every segment with a GCHandle of its own, which costs more than
        /// copying a chat line.
        /// </summary>
        private const int CoalesceBytes = 64 * 1024;

        /// <summary>Writes what the kernel takes without waiting; 0 when it takes nothing now.</summary>
        [System.Runtime.CompilerServices.MethodImpl(HotPath.Optimize)]
        private int SendNow(List<ArraySegment<byte>> segments, long total)
        {
            if (segments.Count == 1) return SendNow(segments[0]);
            if (total > CoalesceBytes) return Checked(socket.Send(segments, SocketFlags.None, out SocketError error), error);

            byte[] joined = ArrayPool<byte>.Shared.Rent((int)total);
            try
            {
                int at = 0;
                foreach (var segment in segments)
                {
                    Buffer.BlockCopy(segment.Array!, segment.Offset, joined, at, segment.Count);
                    at += segment.Count;
                }

                return SendNow(new ArraySegment<byte>(joined, 0, at));
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(joined);
            }
        }

        private int SendNow(ArraySegment<byte> bytes) =>
            Checked(socket.Send(bytes.Array!, bytes.Offset, bytes.Count, SocketFlags.None, out SocketError error), error);

        private static int Checked(int sent, SocketError error)
        {
            if (error == SocketError.WouldBlock) return 0;
            if (error != SocketError.Success) throw new SocketException((int)error);
            return sent;
        }

        private static long Sum(List<ArraySegment<byte>> segments)
        {
            long total = 0;
            foreach (var s in segments) total += s.Count;
            return total;
        }
    }
}
