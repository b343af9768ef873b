using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading.Tasks;
using PSChat.Engine.Framing;
using PSChat.Engine.Transport;
using Xunit;

namespace PSChat.Engine.Tests
{
    /// <summary>
    /// A LineConnection on each driver (an epoll loop thread on Linux, and the stream driver on the
    /// thread pool): reads larger than a buffer, a peer's FIN behind data, a handler that throws, and
    /// closes from other threads must come out the same on both.
    /// </summary>
    public class ConnectionDriverTests
    {
        private static async Task<(LineConnection Connection, Socket Peer, LineRecorder Handler)> ConnectAsync(bool useLoop, TimeSpan quietTime = default)
        {
            var (accepted, peer) = await LoopbackSockets.PairAsync();
            var handler = new LineRecorder();
            var connection = new LineConnection(accepted, handler, new LineConnectionOptions { UseIoLoop = useLoop, MaxLineBytes = 4096 }) { QuietTime = quietTime };
            connection.Start();
            return (connection, peer, handler);
        }

        private static string Take(LineRecorder handler)
        {
            Assert.True(handler.Lines.TryTake(out string? line, TimeSpan.FromSeconds(10)), "no line within 10 s");
            return line!;
        }

        private static async Task<string> ClosedReason(LineRecorder handler)
        {
            Assert.Same(handler.Closed.Task, await Task.WhenAny(handler.Closed.Task, Task.Delay(TimeSpan.FromSeconds(10))));
            return await handler.Closed.Task;
        }

        [Theory]
        [MemberData(nameof(LoopbackSockets.Drivers), MemberType = typeof(LoopbackSockets))]
        public async Task OneWriteLargerThanTheLoopBufferArrivesWholeAndInOrder(bool useLoop)
        {
            var (connection, peer, handler) = await ConnectAsync(useLoop);
            using (peer)
            {
                // 200 lines of 1,000 bytes: 200 KB in one write, many times the loop's 16 KB buffer.
                var lines = Enumerable.Range(0, 200).Select(i => i.ToString("D4") + new string('x', 995)).ToArray();
                peer.Send(Encoding.ASCII.GetBytes(string.Concat(lines.Select(l => l + "\n"))));

                foreach (string expected in lines) Assert.Equal(expected, Take(handler));
                connection.Abort("test over");
            }
        }

        [Theory]
        [MemberData(nameof(LoopbackSockets.Drivers), MemberType = typeof(LoopbackSockets))]
        public async Task DataFollowedByTheFinIsReadBeforeTheCloseIsReported(bool useLoop)
        {
            var (_, peer, handler) = await ConnectAsync(useLoop);
            using (peer)
            {
                peer.Send(Encoding.ASCII.GetBytes("first\nsecond\nunterminated"));
                peer.Shutdown(SocketShutdown.Send);

                Assert.Equal("first", Take(handler));
                Assert.Equal("second", Take(handler));
                Assert.Equal("unterminated", Take(handler));
                Assert.Equal("client closed the connection", await ClosedReason(handler));
                Assert.Equal(1, handler.ClosedCount);
            }
        }

        [Theory]
        [MemberData(nameof(LoopbackSockets.Drivers), MemberType = typeof(LoopbackSockets))]
        public async Task AnUnterminatedLineIsTakenAfterTheQuietTime(bool useLoop)
        {
            var (connection, peer, handler) = await ConnectAsync(useLoop, TimeSpan.FromMilliseconds(50));
            using (peer)
            {
                peer.Send(Encoding.ASCII.GetBytes("no line end"));
                Assert.Equal("no line end", Take(handler));
                connection.Abort("test over");
            }
        }

        /// <summary>
        /// Two connections served by the same thread where that matters (one loop thread): connects
        /// until the second lands on the first one's loop, however many loops there are.
        /// </summary>
        private static async Task<((LineConnection Connection, Socket Peer, LineRecorder Handler) First, (LineConnection Connection, Socket Peer, LineRecorder Handler) Second)> ConnectPairAsync(bool useLoop)
        {
            var first = await ConnectAsync(useLoop);
            for (int attempt = 0; attempt < 256; attempt++)
            {
                var second = await ConnectAsync(useLoop);
                if (!(first.Connection.Driver is LoopDriver a) || (second.Connection.Driver is LoopDriver b && ReferenceEquals(a.Loop, b.Loop)))
                {
                    return (first, second);
                }

                second.Connection.Abort("not on the first one's loop");
                second.Peer.Dispose();
            }

            throw new InvalidOperationException("no second connection landed on the first one's loop");
        }

        [Theory]
        [MemberData(nameof(LoopbackSockets.Drivers), MemberType = typeof(LoopbackSockets))]
        public async Task AHandlerThatThrowsEndsItsOwnConnectionOnly(bool useLoop)
        {
            var ((broken, brokenPeer, brokenHandler), (healthy, healthyPeer, healthyHandler)) = await ConnectPairAsync(useLoop);
            using (brokenPeer)
            using (healthyPeer)
            {
                brokenHandler.Throw = line => line == "boom";
                brokenPeer.Send(Encoding.ASCII.GetBytes("boom\n"));

                string reason = await ClosedReason(brokenHandler);
                Assert.StartsWith("internal error: handler bug on boom", broken.CloseReason ?? reason);
                brokenPeer.ReceiveTimeout = 10000;
                Assert.Equal(0, brokenPeer.Receive(new byte[16]));
                Assert.Equal(1, brokenHandler.ClosedCount);
                healthyPeer.Send(Encoding.ASCII.GetBytes("still served\n"));
                Assert.Equal("still served", Take(healthyHandler));
                healthy.Abort("test over");
            }
        }

        [Theory]
        [MemberData(nameof(LoopbackSockets.Drivers), MemberType = typeof(LoopbackSockets))]
        public async Task AbortFromAnotherThreadIsReportedOnceAndClosesThePeer(bool useLoop)
        {
            var (connection, peer, handler) = await ConnectAsync(useLoop);
            using (peer)
            {
                await Task.Run(() => connection.Abort("kicked"));

                Assert.Equal("kicked", await ClosedReason(handler));
                var buffer = new byte[16];
                peer.ReceiveTimeout = 10000;
                Assert.Equal(0, peer.Receive(buffer));
                Assert.True(connection.IsClosed);
                Assert.Equal(1, handler.ClosedCount);
                Assert.False(connection.Send(new byte[] { (byte)'x', (byte)'\n' }));
            }
        }

        [Theory]
        [MemberData(nameof(LoopbackSockets.Drivers), MemberType = typeof(LoopbackSockets))]
        public async Task CloseSendsWhatIsQueuedFirst(bool useLoop)
        {
            var (connection, peer, handler) = await ConnectAsync(useLoop);
            using (peer)
            {
                Assert.True(connection.Send(Encoding.ASCII.GetBytes("goodbye\n")));
                connection.Close("done");

                var received = new StringBuilder();
                var buffer = new byte[64];
                peer.ReceiveTimeout = 10000;
                int n;
                while ((n = peer.Receive(buffer)) > 0) received.Append(Encoding.ASCII.GetString(buffer, 0, n));
                Assert.Equal("goodbye\n", received.ToString());
                Assert.Equal("done", await ClosedReason(handler));
            }
        }

        [Theory]
        [MemberData(nameof(LoopbackSockets.Drivers), MemberType = typeof(LoopbackSockets))]
        public async Task AnUnterminatedTailOfAReadThatFillsTheBufferIsTakenAfterTheQuietTime(bool useLoop)
        {
            var (connection, peer, handler) = await ConnectAsync(useLoop, TimeSpan.FromMilliseconds(50));
            using (peer)
            {
                // Exactly 16 KB (the loop's buffer): 16 lines of 1,000 bytes, then a tail with no line end.
                string lines = string.Concat(Enumerable.Range(0, 16).Select(i => i.ToString("D3") + new string('x', 996) + "\n"));
                string tail = new string('z', 16384 - lines.Length);
                peer.Send(Encoding.ASCII.GetBytes(lines + tail));

                for (int i = 0; i < 16; i++) Assert.StartsWith(i.ToString("D3"), Take(handler));
                Assert.Equal(tail, Take(handler));
                connection.Abort("test over");
            }
        }

        [Theory]
        [MemberData(nameof(LoopbackSockets.Drivers), MemberType = typeof(LoopbackSockets))]
        public async Task AHandlerThatThrowsOnCloseTooLeavesTheLoopServingTheOthers(bool useLoop)
        {
            var ((_, brokenPeer, brokenHandler), (healthy, healthyPeer, healthyHandler)) = await ConnectPairAsync(useLoop);
            using (brokenPeer)
            using (healthyPeer)
            {
                brokenHandler.Throw = line => line == "boom";
                brokenHandler.ThrowOnClose = true;
                brokenPeer.Send(Encoding.ASCII.GetBytes("boom\n"));

                await ClosedReason(brokenHandler);
                brokenPeer.ReceiveTimeout = 10000;
                Assert.Equal(0, brokenPeer.Receive(new byte[16]));
                healthyPeer.Send(Encoding.ASCII.GetBytes("still served\n"));
                Assert.Equal("still served", Take(healthyHandler));
                healthy.Abort("test over");
            }
        }

        [Theory]
        [MemberData(nameof(LoopbackSockets.Drivers), MemberType = typeof(LoopbackSockets))]
        public async Task LinesAfterASendQueueAbortInTheSameReadAreNotActedOn(bool useLoop)
        {
            var (accepted, peer) = await LoopbackSockets.PairAsync();
            var handler = new LineRecorder();
            var options = new LineConnectionOptions { UseIoLoop = useLoop, MaxSendQueueBytes = 1000 };
            var connection = new LineConnection(accepted, handler, options);
            // Every line asks for 600 bytes of reply: the second overflows the queue (the writer runs
            // only when the read has been handled) and aborts the connection.
            handler.OnEachLine = _ => connection.Send(new byte[600]);
            connection.Start();
            using (peer)
            {
                peer.Send(Encoding.ASCII.GetBytes("first\nsecond\nthird\nfourth\n"));

                Assert.StartsWith("send queue full", await ClosedReason(handler));
                Assert.Equal(new[] { "first", "second" }, handler.Lines.ToArray());
            }
        }
    }
}
