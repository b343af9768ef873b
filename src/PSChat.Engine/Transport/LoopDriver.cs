using System;
using System.Buffers;
using System.Collections.Generic;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;

namespace PSChat.Engine.Transport
{
    /// <summary>
    /// Drives a connection from an <see cref="IoLoop"/> thread: the loop reads the socket when epoll says
    /// it is readable (edge-triggered, once per turn) into the loop's shared buffer, and the socket is
    /// closed on the loop thread (closing the descriptor elsewhere would silently drop it from the
    /// epoll set, and the loop would never see it end). Writes are plain non-blocking sends.
    /// </summary>
    internal sealed class LoopDriver : ConnectionDriver
    {
        private static readonly Action<LoopDriver> RegisterAction = d => d.Register();
        private static readonly Action<LoopDriver> FinishCloseAction = d => d.FinishClose();
        private static readonly Action<LoopDriver> FloodDueAction = d => d.OnFloodDue();

        private readonly Socket socket;
        private readonly IoLoop loop;
        private readonly int fd;

        // Touched by the loop thread only.
        private bool done;
        private bool peerClosed;
        private bool floodWakePending;

        public LoopDriver(LineConnection connection, Socket socket, IoLoop loop)
            : base(connection)
        {
            this.socket = socket;
            this.loop = loop;
            // Non-blocking, so a read or a write that can finish at once is a plain system call.
            socket.Blocking = false;
            fd = (int)socket.Handle;
        }

        /// <summary>The connection's slot and generation in its loop's epoll set.</summary>
        internal ulong LoopData { get; set; }

        internal IoLoop Loop => loop;

        /// <summary>
        /// Registers on the loop thread, in order with a close posted before it: a connection closed
        /// before it started is never registered (its descriptor number may already be another socket's).
        /// </summary>
        public override void Start() => loop.Post(RegisterAction, this);

        private void Register()
        {
            if (done || Connection.IsClosed) return;
            if (!loop.Register(this, fd))
            {
                // The kernel refused the registration: end the connection the normal way.
                Connection.Abort("the server could not watch the connection");
            }
        }

        /// <summary>Readiness from epoll, or 0 for a connection whose last read filled the buffer.</summary>
        internal void OnLoopEvent(uint events)
        {
            if (done) return;
            if ((events & (Epoll.RdHup | Epoll.Hup | Epoll.Err)) != 0) peerClosed = true;
            // Aborted or shut down elsewhere: no more lines for the handler; the posted close finishes.
            if (Connection.IsClosed) return;
            byte[] buffer = loop.ReceiveBuffer;
            int count = socket.Receive(buffer, 0, buffer.Length, SocketFlags.None, out SocketError error);
            if (error == SocketError.WouldBlock) return; // Edge-triggered: nothing more until the next edge.
            if (error != SocketError.Success)
            {
                Connection.FinishReceive(ReasonOf(new SocketException((int)error)));
                return;
            }

            if (count == 0)
            {
                Connection.OnEndOfStream();
                return;
            }

            if (!Connection.OnReceived(buffer, count))
            {
                Connection.FinishReceive("connection closed");
                return;
            }

            loop.Fed(count);

            // A full buffer may have left bytes behind, and after the peer's FIN no new edge comes:
            // read again next turn (other connections get their turn first).
            if (count == buffer.Length || peerClosed) loop.ReadAgain(this);

            // After every read, full ones too: the next read may find nothing and leave a partial line.
            if (Connection.WantsQuietCheck(out TimeSpan quiet))
            {
                long sequence = Connection.ReadSequence;
                _ = Task.Delay(quiet).ContinueWith(
                    (_, state) => ((LoopDriver)state!).loop.Post(d => d.Connection.OnQuiet(sequence), (LoopDriver)state!),
                    this,
                    CancellationToken.None,
                    TaskContinuationOptions.ExecuteSynchronously,
                    TaskScheduler.Default);
            }

            WakeForHeldLines();
        }

        /// <summary>While flood control holds lines, one wake at a time on the connection's clock, run on this loop.</summary>
        private void WakeForHeldLines()
        {
            if (floodWakePending || !Connection.WantsFloodWake(out TimeSpan wait)) return;
            floodWakePending = true;
            _ = Connection.Options.Clock.Delay(wait).ContinueWith(
                (_, state) => ((LoopDriver)state!).loop.Post(FloodDueAction, (LoopDriver)state!),
                this,
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }

        private void OnFloodDue()
        {
            floodWakePending = false;
            if (done) return;
            Connection.OnFloodDue();
            WakeForHeldLines();
        }

        /// <summary>Shuts the socket down and leaves the rest to the loop thread.</summary>
        public override void Shutdown()
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

            loop.Post(FinishCloseAction, this);
        }

        private void FinishClose()
        {
            if (done) return;
            try
            {
                Connection.FinishReceive(Connection.CloseReason ?? "connection closed");
            }
            finally
            {
                done = true;
                loop.Unregister(this, fd);
                socket.Dispose();
            }
        }

        public override Task WriteAsync(List<ArraySegment<byte>> batch, long total)
        {
            int sent = SendNow(batch, total);
            return sent == total ? Task.CompletedTask : SendRestAsync(batch, sent);
        }

        /// <summary>A partial write: sends the rest, never loses bytes (the tutorial's send() did).</summary>
        private async Task SendRestAsync(List<ArraySegment<byte>> batch, long sent)
        {
            foreach (var segment in batch)
            {
                if (sent >= segment.Count)
                {
                    sent -= segment.Count;
                    continue;
                }

                var rest = new ArraySegment<byte>(segment.Array!, segment.Offset + (int)sent, segment.Count - (int)sent);
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
        private int SendNow(List<ArraySegment<byte>> segments, long total)
        {
            if (segments.Count == 1) return SendNow(segments[0]);
            if (total > CoalesceBytes) return Checked(socket.Send(segments, SocketFlags.None, out SocketError error), error);

            byte[] joined = ArrayPool<byte>.Shared.Rent((int)total);
            try
            {
                return SendNow(new ArraySegment<byte>(joined, 0, Join(segments, joined)));
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
    }
}
