using System;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Threading.Tasks;
using PSChat.Engine.Framing;
using PSChat.Engine.Timing;
using PSChat.Engine.Transport;
using Xunit;

namespace PSChat.Engine.Tests
{
    /// <summary>
    /// LineConnectionOptions.WriteDelay over real sockets, on both drivers: small messages wait to go
    /// out together, a flood and a goodbye do not wait. The decisions themselves are in SendQueueTests.
    /// </summary>
    public class WriteCoalescingTests
    {
        private sealed class NoHandler : ILineConnectionHandler
        {
            public void OnLine(byte[] buffer, int offset, int count, LineTerminator terminator)
            {
            }

            public void OnOverlongLine(int bytesSeen)
            {
            }

            public void OnClosed(LineConnection connection, string reason)
            {
            }
        }

        private static async Task<(LineConnection Connection, Socket Peer)> ConnectAsync(TimeSpan writeDelay, bool useLoop, MonotonicClock? clock = null)
        {
            var (accepted, peer) = await LoopbackSockets.PairAsync();
            var connection = new LineConnection(accepted, new NoHandler(), new LineConnectionOptions { WriteDelay = writeDelay, UseIoLoop = useLoop, Clock = clock ?? MonotonicClock.System });
            connection.Start();
            return (connection, peer);
        }

        private static async Task<byte[]> ReadExactlyAsync(Socket peer, int count)
        {
            var buffer = new byte[count];
            var read = Task.Run(async () =>
            {
                int at = 0;
                while (at < count)
                {
                    int n = await peer.ReceiveAsync(buffer.AsMemory(at), SocketFlags.None);
                    if (n == 0) throw new InvalidOperationException($"closed after {at} bytes");
                    at += n;
                }
            });
            Assert.Same(read, await Task.WhenAny(read, Task.Delay(TimeSpan.FromSeconds(10))));
            await read;
            return buffer;
        }

        private static readonly byte[] A = { (byte)'a', (byte)'\n' };
        private static readonly byte[] B = { (byte)'b', (byte)'\n' };

        [Theory]
        [MemberData(nameof(LoopbackSockets.Drivers), MemberType = typeof(LoopbackSockets))]
        public async Task WritesToAnIdlePeerAtOnceHoldsTheNextForTheDelayAndAGoodbyeDoesNotWait(bool useLoop)
        {
            var (connection, peer) = await ConnectAsync(TimeSpan.FromHours(1), useLoop);
            using (peer)
            {
                Assert.True(connection.Send(A));
                Assert.Equal(A, await ReadExactlyAsync(peer, 2));

                // Written a moment ago: the next waits out the hour...
                Assert.True(connection.Send(B));
                Assert.Equal(2, connection.QueuedBytes);

                // ...unless the connection closes: then it goes out at once, and the close follows.
                connection.Close("test over");
                Assert.Equal(B, await ReadExactlyAsync(peer, 2));
                Assert.Equal(0, await peer.ReceiveAsync(new byte[1], SocketFlags.None));
            }
        }

        [Fact]
        public void DueHeapGivesConnectionsBackEarliestFirst()
        {
            var heap = new DueHeap();
            var random = new Random(6);
            var dues = Enumerable.Range(0, 500).Select(_ => (long)random.Next(0, 100)).ToList();
            var byConnection = new System.Collections.Generic.Dictionary<LineConnection, long>();
            using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            foreach (long due in dues)
            {
                var c = (LineConnection)System.Runtime.CompilerServices.RuntimeHelpers.GetUninitializedObject(typeof(LineConnection));
                byConnection[c] = due;
                heap.Push(due, c, delay: due * 10);
            }

            var popped = new System.Collections.Generic.List<long>();
            while (heap.Count > 0)
            {
                long first = heap.FirstDue;
                long due = byConnection[heap.Pop(out long delay)];
                Assert.Equal(due * 10, delay);
                Assert.Equal(first, due);
                popped.Add(due);
            }

            Assert.Equal(dues.OrderBy(d => d), popped);
        }

        [Theory]
        [MemberData(nameof(LoopbackSockets.Drivers), MemberType = typeof(LoopbackSockets))]
        public async Task WritesAtOnceOnAMachineBootedAMomentAgo(bool useLoop)
        {
            // A clock reading zero is what the monotonic clock reads just after boot; the suite once
            // failed on every machine up for less than the write delay.
            var (connection, peer) = await ConnectAsync(TimeSpan.FromHours(1), useLoop, new ManualClock(startTicks: 0));
            using (peer)
            {
                Assert.True(connection.Send(A));
                Assert.Equal(A, await ReadExactlyAsync(peer, 2));
                connection.Abort("test over");
            }
        }

        [Theory]
        [MemberData(nameof(LoopbackSockets.Drivers), MemberType = typeof(LoopbackSockets))]
        public async Task WritesAFloodAtOnceInOrder(bool useLoop)
        {
            var (connection, peer) = await ConnectAsync(TimeSpan.FromHours(1), useLoop);
            using (peer)
            {
                // The first goes at once (the peer was idle); then the ninth kilobyte waiting passes the
                // 8 KB mark and everything queued goes out without the delay.
                var messages = Enumerable.Range(0, 10).Select(i => Enumerable.Repeat((byte)('a' + i), 1000).ToArray()).ToArray();
                foreach (var m in messages) Assert.True(connection.Send(m));
                byte[] received = await ReadExactlyAsync(peer, 10 * 1000);
                Assert.Equal(messages.SelectMany(m => m).ToArray(), received);
                connection.Abort("test over");
            }
        }

        [Theory]
        [MemberData(nameof(LoopbackSockets.Drivers), MemberType = typeof(LoopbackSockets))]
        public async Task WritesWhatWaitedOnceTheDelayIsUp(bool useLoop)
        {
            var (connection, peer) = await ConnectAsync(TimeSpan.FromMilliseconds(20), useLoop);
            using (peer)
            {
                Assert.True(connection.Send(A));
                Assert.Equal(A, await ReadExactlyAsync(peer, 2));
                Assert.True(connection.Send(B));
                Assert.True(connection.Send(A));
                Assert.Equal(B.Concat(A).ToArray(), await ReadExactlyAsync(peer, 4));
                connection.Abort("test over");
            }
        }
    }
}
