using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using PSChat.Engine.Framing;
using PSChat.Engine.Timing;
using PSChat.Engine.Transport;
using Xunit;

namespace PSChat.Engine.Tests
{
    /// <summary>Review of the transport state machine: each test shows one finding, on both drivers where it applies.</summary>
    public class TransportReviewTests
    {
        private static async Task<bool> ClosedWithin(LineRecorder handler, TimeSpan timeout) =>
            await Task.WhenAny(handler.Closed.Task, Task.Delay(timeout)) == handler.Closed.Task;

        /// <summary>
        /// A batch bigger than the peer's free socket buffer: a non-blocking Socket.Send that sends part
        /// and then meets EAGAIN reports 0 bytes and WouldBlock (.NET drops the partial count on any error),
        /// so the driver sends the whole batch again from its first byte.
        /// </summary>
        [Theory]
        [MemberData(nameof(LoopbackSockets.Drivers), MemberType = typeof(LoopbackSockets))]
        public async Task TransportReview_ABigBatchToAPeerNotReadingYetArrivesExactlyOnce(bool useLoop)
        {
            var (accepted, peer) = await LoopbackSockets.PairAsync();
            using (peer)
            {
                var handler = new LineRecorder();
                var options = new LineConnectionOptions { UseIoLoop = useLoop, MaxSendQueueBytes = 64 * 1024 * 1024, CloseFlushTimeout = TimeSpan.FromSeconds(30) };
                var connection = new LineConnection(accepted, handler, options);
                connection.Start();

                // 100-byte numbered lines, in messages of 5,120 lines (512,000 bytes): 12 MB in all.
                const int LineBytes = 100, LinesPerMessage = 5120, Messages = 24;
                var expected = new byte[LineBytes * LinesPerMessage * Messages];
                for (int i = 0; i < LinesPerMessage * Messages; i++)
                {
                    byte[] line = Encoding.ASCII.GetBytes(i.ToString("D8") + new string('x', LineBytes - 9) + "\n");
                    Buffer.BlockCopy(line, 0, expected, i * LineBytes, LineBytes);
                }

                for (int m = 0; m < Messages; m++)
                {
                    Assert.True(connection.Send(new ArraySegment<byte>(expected, m * LineBytes * LinesPerMessage, LineBytes * LinesPerMessage)));
                }

                connection.Close("done");

                var received = new System.IO.MemoryStream();
                var buffer = new byte[256 * 1024];
                peer.ReceiveTimeout = 20000;
                int n;
                while ((n = peer.Receive(buffer)) > 0)
                {
                    received.Write(buffer, 0, n);
                    if (received.Length > expected.Length) break;
                }

                byte[] got = received.ToArray();
                int firstDifference = Enumerable.Range(0, Math.Min(got.Length, expected.Length)).FirstOrDefault(i => got[i] != expected[i]);
                Assert.True(got.Length == expected.Length && got.SequenceEqual(expected),
                    $"received {got.Length} bytes, expected {expected.Length}; first difference at {firstDifference}: \"{Encoding.ASCII.GetString(got, firstDifference, Math.Min(20, got.Length - firstDifference))}\"");
            }
        }

        /// <summary>
        /// The stream driver's Start runs the read loop inline until its first read that has to wait:
        /// bytes already there are framed and handed to the handler on the thread that called Start
        /// (the server's accept loop), before Start returns; a peer that keeps data coming keeps that
        /// thread. The loop driver only posts a registration.
        /// </summary>
        [Theory]
        [MemberData(nameof(LoopbackSockets.Drivers), MemberType = typeof(LoopbackSockets))]
        public async Task TransportReview_StartDoesNotRunTheHandlerOnTheCallersThread(bool useLoop)
        {
            var (accepted, peer) = await LoopbackSockets.PairAsync();
            using (peer)
            {
                peer.Send(Encoding.ASCII.GetBytes("already here\n"));
                Assert.True(accepted.Poll(10_000_000, SelectMode.SelectRead), "the line did not arrive");

                var handler = new LineRecorder();
                int startingThread = Environment.CurrentManagedThreadId;
                int insideStart = 1;
                bool ranInsideStart = false;
                handler.OnEachLine = _ => ranInsideStart = Volatile.Read(ref insideStart) == 1 && Environment.CurrentManagedThreadId == startingThread;
                var connection = new LineConnection(accepted, handler, new LineConnectionOptions { UseIoLoop = useLoop });
                connection.Start();
                Volatile.Write(ref insideStart, 0);

                Assert.True(handler.Lines.TryTake(out string? line, TimeSpan.FromSeconds(10)));
                Assert.Equal("already here", line);
                Assert.False(ranInsideStart, "the handler ran on the caller's thread, inside Start");
                connection.Abort("test over");
            }
        }

        /// <summary>
        /// A quiet time longer than Task.Delay takes (about 24.8 days on .NET Framework, 49.7 on .NET): on the stream driver the
        /// ArgumentOutOfRangeException escapes the read loop, which only catches I/O errors, so the
        /// connection is never read again and OnClosed never comes; on the loop driver it is an
        /// "internal error" that drops the connection and its pending line.
        /// </summary>
        [Theory]
        [MemberData(nameof(LoopbackSockets.Drivers), MemberType = typeof(LoopbackSockets))]
        public async Task TransportReview_ALongQuietTimeNeitherKillsTheReaderNorLosesOnClosed(bool useLoop)
        {
            var (accepted, peer) = await LoopbackSockets.PairAsync();
            using (peer)
            {
                var handler = new LineRecorder();
                var connection = new LineConnection(accepted, handler, new LineConnectionOptions { UseIoLoop = useLoop }) { QuietTime = TimeSpan.FromDays(60) };
                connection.Start();
                peer.Send(Encoding.ASCII.GetBytes("first\nunterminated"));
                Assert.True(handler.Lines.TryTake(out string? first, TimeSpan.FromSeconds(10)));
                Assert.Equal("first", first);
                peer.Shutdown(SocketShutdown.Send);

                Assert.True(await ClosedWithin(handler, TimeSpan.FromSeconds(10)), "OnClosed never came");
                Assert.Equal("client closed the connection", await handler.Closed.Task);
                Assert.True(handler.Lines.TryTake(out string? rest, TimeSpan.FromSeconds(1)));
                Assert.Equal("unterminated", rest);
            }
        }

        /// <summary>
        /// ConnectionDriver.Shutdown promises that the driver then finishes the receive side (so the
        /// handler hears OnClosed). The loop driver does so from its posted close whether or not it
        /// was started; the stream driver only from its read loop, so a connection aborted before
        /// Start (a server stopping while it admits) never reports its close.
        /// </summary>
        [Theory]
        [MemberData(nameof(LoopbackSockets.Drivers), MemberType = typeof(LoopbackSockets))]
        public async Task TransportReview_AnAbortBeforeStartIsReportedOnce(bool useLoop)
        {
            var (accepted, peer) = await LoopbackSockets.PairAsync();
            using (peer)
            {
                var handler = new LineRecorder();
                var connection = new LineConnection(accepted, handler, new LineConnectionOptions { UseIoLoop = useLoop });
                connection.Abort("server is shutting down");

                Assert.True(await ClosedWithin(handler, TimeSpan.FromSeconds(10)), "OnClosed never came");
                Assert.Equal("server is shutting down", await handler.Closed.Task);
                peer.ReceiveTimeout = 10000;
                Assert.Equal(0, peer.Receive(new byte[16]));
                Assert.Equal(1, handler.ClosedCount);
            }
        }

        /// <summary>
        /// TryEndDelay ends whatever delay is running, not the one its timer was armed for: a flood
        /// starts the writer at once and leaves the first delay's timer (heap entry, coalescer entry)
        /// behind; when that stale timer fires during the next delay it starts the writer early.
        /// </summary>
        [Fact]
        public void TransportReview_AStaleDelayTimerDoesNotEndALaterDelay()
        {
            var clock = new ManualClock(startTicks: TimeSpan.TicksPerHour);
            var delay = TimeSpan.FromMilliseconds(100);
            var queue = new SendQueue(clock, 1024 * 1024, delay);
            var batch = new System.Collections.Generic.List<ArraySegment<byte>>();

            // A first write, so the next message waits out the delay.
            Assert.Equal(SendAction.WriteNow, queue.Enqueue(new ArraySegment<byte>(new byte[10]), out _));
            long total = queue.TakeBatch(ref batch, out _);
            batch.Clear();
            queue.Written(total);
            Assert.Equal(0, queue.TakeBatch(ref batch, out _));

            // 10 ms later, delay #1 (due, and its timer armed, at +100 ms); a flood takes the writer at once.
            clock.Advance(TimeSpan.FromMilliseconds(10));
            Assert.Equal(SendAction.WriteAt, queue.Enqueue(new ArraySegment<byte>(new byte[10]), out var firstDue));
            Assert.Equal(TimeSpan.TicksPerHour + delay.Ticks, firstDue.Ticks);
            Assert.Equal(SendAction.WriteNow, queue.Enqueue(new ArraySegment<byte>(new byte[SendQueue.WriteNowBytes]), out _));
            total = queue.TakeBatch(ref batch, out _);
            batch.Clear();
            queue.Written(total);
            Assert.Equal(0, queue.TakeBatch(ref batch, out _));

            // Delay #2, measured from the flood's write at +10 ms: due at +110 ms.
            Assert.Equal(SendAction.WriteAt, queue.Enqueue(new ArraySegment<byte>(new byte[10]), out var due));
            Assert.Equal(clock.NowTicks + delay.Ticks, due.Ticks);

            // Delay #1's timer fires at +100 ms, before delay #2 is due: it must not start the writer.
            clock.Advance(TimeSpan.FromMilliseconds(90));
            Assert.False(queue.TryEndDelay(firstDue.Delay), "a stale timer ended a later delay early");
            Assert.True(queue.TryEndDelay(due.Delay));
        }
    }
}
