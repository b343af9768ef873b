using System;
using System.Diagnostics;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;

namespace PSChat.Engine.Transport
{
    /// <summary>
    /// The receive side of a connection served by an <see cref="IoLoop"/>: the loop thread reads it
    /// when epoll says it is readable, feeds the framer, and tears it down. The send side is shared
    /// with the thread-pool mode; only where a writer starts differs.
    /// </summary>
    public sealed partial class LineConnection
    {
        private static readonly Action<LineConnection> FinishLoopCloseAction = c => c.FinishLoopClose();
        private static readonly Action<LineConnection> RegisterAction = c => c.RegisterOnLoop();

        private readonly IoLoop? loop;
        private int fd = -1;
        /// <summary>Touched by the loop thread only.</summary>
        private bool receiveDone;
        private bool peerClosed;
        private long readSequence;
        /// <summary>When the last batch went out (a <see cref="Stopwatch"/> timestamp).</summary>
        private long lastWrite;

        /// <summary>The connection's slot and generation in its loop's epoll set.</summary>
        internal ulong LoopData { get; set; }

        /// <summary>
        /// Registers on the loop thread, in order with a close posted before it: a connection closed
        /// before it started is never registered (its descriptor number may already be another socket's).
        /// </summary>
        private void StartOnLoop() => loop!.Post(RegisterAction, this);

        private void RegisterOnLoop()
        {
            if (receiveDone || closed != 0) return;
            if (!loop!.Register(this, fd))
            {
                // The kernel refused the registration: end the connection the normal way.
                receiveDone = true;
                framer.Dispose();
                Abort("the server could not watch the connection");
                handler.OnClosed(this, closeReason ?? "connection closed");
            }
        }

        /// <summary>Readiness from epoll, or 0 for a connection whose last read filled the buffer.</summary>
        internal void OnLoopEvent(uint events)
        {
            if (receiveDone) return;
            if ((events & (Epoll.RdHup | Epoll.Hup | Epoll.Err)) != 0) peerClosed = true;
            try
            {
                ReadOnce();
            }
            catch (ObjectDisposedException)
            {
                FinishReceive("connection closed");
            }
            catch (Exception ex)
            {
                // A handler's bug ends its connection, never the loop that serves the others.
                Abort("internal error: " + ex.Message);
                FinishReceive("internal error: " + ex.Message);
            }
        }

        private void ReadOnce()
        {
            // Aborted or shut down elsewhere: no more lines for the handler; the posted close finishes.
            if (closed != 0) return;
            byte[] buffer = loop!.ReceiveBuffer;
            int count = socket.Receive(buffer, 0, buffer.Length, SocketFlags.None, out SocketError error);
            if (error == SocketError.WouldBlock)
            {
                // Edge-triggered: nothing more until the next edge.
                return;
            }

            if (error != SocketError.Success)
            {
                FinishReceive(error == SocketError.ConnectionReset ? "connection reset by peer" : new SocketException((int)error).Message);
                return;
            }

            if (count == 0)
            {
                framer.FlushPartial(handler);
                FinishReceive("client closed the connection");
                return;
            }

            BytesReceived += count;
            readSequence++;
            framer.Feed(buffer, 0, count, handler);
            if (closing || closed != 0)
            {
                FinishReceive("connection closed");
                return;
            }

            loop.Fed(count);

            // A full buffer may have left bytes behind, and after the peer's FIN no new edge comes:
            // read again next turn (other connections get their turn first).
            if (count == buffer.Length || peerClosed) loop.ReadAgain(this);

            // After every read, full ones too: the next read may find nothing and leave a partial line.
            ScheduleQuietCheck();
        }

        /// <summary>Takes an unterminated line as whole when no byte comes within the quiet time.</summary>
        private void ScheduleQuietCheck()
        {
            long quiet = Interlocked.Read(ref quietTicks);
            if (quiet <= 0 || !framer.HasPartial) return;
            long sequence = readSequence;
            _ = Task.Delay(TimeSpan.FromTicks(quiet)).ContinueWith(
                _ => loop!.Post(c => c.FlushPartialIfQuiet(sequence), this),
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }

        private void FlushPartialIfQuiet(long sequence)
        {
            if (!receiveDone && readSequence == sequence && framer.HasPartial) framer.FlushPartial(handler);
        }

        /// <summary>The receive side is over: tell the handler once (the send side may still drain).</summary>
        private void FinishReceive(string reason)
        {
            if (receiveDone) return;
            receiveDone = true;
            framer.Dispose();
            if (!closing) Close(reason);
            try
            {
                handler.OnClosed(this, closeReason ?? reason);
            }
            catch (Exception)
            {
                // A handler's failure must not reach the loop thread, nor keep the socket open.
            }
        }

        /// <summary>
        /// Shuts the socket down and leaves the rest to the loop thread: closing the descriptor here
        /// would silently drop it from the epoll set, and the loop would never report it closed.
        /// </summary>
        private void ShutdownOnLoop()
        {
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

            loop!.Post(FinishLoopCloseAction, this);
        }

        private void FinishLoopClose()
        {
            try
            {
                FinishReceive(closeReason ?? "connection closed");
            }
            finally
            {
                loop!.Unregister(this, fd);
                socket.Dispose();
            }
        }

        /// <summary>
        /// Starts a claimed writer: at once for a peer not written to within the write delay (its
        /// message waits for nothing), otherwise when the delay since its last write is up, so a busy
        /// peer gets one write per delay. A loop thread holds the wait in its loop; elsewhere the
        /// coalescer's timer does.
        /// </summary>
        private void Coalesce(WriteCoalescer coalescer)
        {
            long due = lastWrite + coalescer.DelayTimestampTicks;
            var current = IoLoop.Current;
            if (current != null)
            {
                current.WriteAt(this, due);
                return;
            }

            if (due > Stopwatch.GetTimestamp())
            {
                coalescer.Add(this);
                return;
            }

            lock (sendGate)
            {
                if (!coalescing) return;
                coalescing = false;
            }

            StartWriter();
        }
    }
}
