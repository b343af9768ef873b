using System;
using System.Buffers;
using System.Collections.Generic;
using System.IO;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;

namespace PSChat.Engine.Transport
{
    /// <summary>
    /// Drives a connection over a <see cref="Stream"/> on the thread pool: one read loop, which waits for
    /// data with a zero-byte read where the stream supports it (so an idle connection holds no receive
    /// buffer), runs the quiet-time check between reads, and feeds each read to the connection inside a
    /// <see cref="WriteTurn"/>. A plain socket is a NetworkStream; TLS is an SslStream over it: a choice of
    /// stream, not another driver.
    /// </summary>
    internal sealed class StreamDriver : ConnectionDriver
    {
        private static readonly byte[] Empty = new byte[0];

        private readonly Stream stream;
        private readonly bool waitsWithoutBuffer;
        private readonly ReadTurn turn = new ReadTurn();
        private int started;

        /// <param name="waitsWithoutBuffer">True when a zero-byte read waits for data (NetworkStream does).</param>
        public StreamDriver(LineConnection connection, Stream stream, bool waitsWithoutBuffer)
            : base(connection)
        {
            this.stream = stream;
            this.waitsWithoutBuffer = waitsWithoutBuffer;
        }

        /// <summary>A driver over a connected socket's own stream, which owns and closes the socket.</summary>
        public static StreamDriver ForSocket(LineConnection connection, Socket socket) =>
            new StreamDriver(connection, StreamOf(socket), waitsWithoutBuffer: true);

        /// <summary>A connected socket's own stream, which owns and closes the socket.</summary>
        public static NetworkStream StreamOf(Socket socket)
        {
            // A NetworkStream needs a blocking socket; its asynchronous calls do not block a thread.
            socket.Blocking = true;
            return new NetworkStream(socket, ownsSocket: true);
        }

        /// <summary>
        /// Starts the read loop on the thread pool: run inline, bytes already there would reach the
        /// handler on the caller's thread (the accept loop) before Start returns, and a peer that
        /// keeps data coming would keep that thread.
        /// </summary>
        public override void Start()
        {
            if (Interlocked.Exchange(ref started, 1) == 0) _ = Task.Run(ReadLoopAsync);
        }

        public override void Shutdown()
        {
            // Disposing the stream ends a pending read; the read loop then finishes the receive side.
            try
            {
                stream.Dispose();
            }
            catch (IOException)
            {
            }

            // Never started: no read loop will finish the receive side, so this is its one context.
            if (Interlocked.Exchange(ref started, 1) == 0) Connection.FinishReceive(Connection.CloseReason ?? "connection closed");
        }

        public override async Task WriteAsync(List<ArraySegment<byte>> batch, long total)
        {
            if (batch.Count == 1)
            {
                var only = batch[0];
                await stream.WriteAsync(only.Array!, only.Offset, only.Count).ConfigureAwait(false);
                return;
            }

            // One write for the batch (a batch is at most the send queue's bound): a stream write per
            // message would be a system call (or a TLS record) per message.
            byte[] joined = ArrayPool<byte>.Shared.Rent((int)total);
            try
            {
                await stream.WriteAsync(joined, 0, Join(batch, joined)).ConfigureAwait(false);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(joined);
            }
        }

        private async Task ReadLoopAsync()
        {
            string reason = "connection closed";
            int size = Connection.Options.ReceiveBufferBytes;
            try
            {
                while (true)
                {
                    if (waitsWithoutBuffer)
                    {
                        Task<int> ready = stream.ReadAsync(Empty, 0, 0);
                        await ServeTimersWhileWaiting(ready).ConfigureAwait(false);
                        await ready.ConfigureAwait(false);
                    }

                    byte[] buffer = ArrayPool<byte>.Shared.Rent(size);
                    Task<int>? read = null;
                    try
                    {
                        // Also after a zero-byte read: its readiness may be stale (seen on Linux), and
                        // the quiet time must run while this read waits too.
                        read = stream.ReadAsync(buffer, 0, size);
                        await ServeTimersWhileWaiting(read).ConfigureAwait(false);
                        int count = await read.ConfigureAwait(false);
                        if (count == 0)
                        {
                            Connection.OnEndOfStream();
                            return;
                        }

                        if (!turn.Feed(Connection, buffer, count)) break;
                    }
                    finally
                    {
                        // A read still pending (something threw while it waited) may yet write into
                        // the buffer: leave that one to the collector rather than to the next renter.
                        if (read == null || read.IsCompleted) ArrayPool<byte>.Shared.Return(buffer);
                    }
                }
            }
            catch (IOException ex) when (ex.InnerException is SocketException socketError)
            {
                reason = ReasonOf(socketError);
            }
            catch (IOException ex)
            {
                reason = ex.Message;
            }
            catch (SocketException ex)
            {
                reason = ReasonOf(ex);
            }
            catch (ObjectDisposedException)
            {
            }
            catch (Exception ex)
            {
                // Anything else would end the loop unseen: the connection never read again, OnClosed never.
                reason = "internal error: " + ex.Message;
            }

            Connection.FinishReceive(reason);
        }

        /// <summary>
        /// While a read waits: takes an unterminated line as whole when no byte comes within the quiet
        /// time (once per wait), and runs the lines flood control holds as their time comes (on the
        /// connection's clock). Both in this read loop, the connection's one receive context.
        /// </summary>
        private async Task ServeTimersWhileWaiting(Task pending)
        {
            bool quietChecked = false;
            while (!pending.IsCompleted)
            {
                bool quietDue = !quietChecked && Connection.WantsQuietCheck(out TimeSpan quiet);
                bool floodDue = Connection.WantsFloodWake(out TimeSpan floodWait);
                if (!quietDue && !floodDue) return;
                long sequence = Connection.ReadSequence;
                Task quietTimer = quietDue ? Task.Delay(quiet) : pending;
                Task floodTimer = floodDue ? Connection.Options.Clock.Delay(floodWait) : pending;
                Task first = await Task.WhenAny(pending, quietTimer, floodTimer).ConfigureAwait(false);
                if (first == pending) return;
                if (first == quietTimer)
                {
                    quietChecked = true;
                    Connection.OnQuiet(sequence);
                }
                else
                {
                    turn.RunFloodDue(Connection);
                }
            }
        }

        /// <summary>One read's turn: writers claimed by its lines start when the read has been handled.</summary>
        private sealed class ReadTurn : WriteTurn
        {
            private readonly List<LineConnection> deferred = new List<LineConnection>();

            public bool Feed(LineConnection connection, byte[] buffer, int count)
            {
                var previous = Enter();
                try
                {
                    return connection.OnReceived(buffer, count);
                }
                finally
                {
                    End(previous);
                }
            }

            /// <summary>Runs the lines flood control held whose time has come, in a turn of their own.</summary>
            public void RunFloodDue(LineConnection connection)
            {
                var previous = Enter();
                try
                {
                    connection.OnFloodDue();
                }
                finally
                {
                    End(previous);
                }
            }

            private void End(WriteTurn? previous)
            {
                Leave(previous);
                foreach (var writer in deferred) writer.RunWriter();
                deferred.Clear();
            }

            public override void WriteAtEnd(LineConnection connection) => deferred.Add(connection);

            // Off the loops a delayed writer waits in its server's coalescer (one timer for many).
            public override void WriteAfter(LineConnection connection, TimeSpan wait, long delay) =>
                connection.Options.Coalescer!.Add(connection, delay);
        }
    }
}
