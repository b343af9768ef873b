using System;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Threading.Tasks;
using PSChat.Engine.Framing;
using PSChat.Engine.Transport;
using Xunit;

namespace PSChat.Engine.Tests
{
    /// <summary>LineConnectionOptions.WriteDelay: small messages wait to go out together, a flood does not wait.</summary>
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

        private static async Task<(LineConnection Connection, Socket Peer)> ConnectAsync(TimeSpan writeDelay)
        {
            using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            listener.Listen(1);
            var peer = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await peer.ConnectAsync(listener.LocalEndPoint!);
            var accepted = await listener.AcceptAsync();
            return (new LineConnection(accepted, new NoHandler(), new LineConnectionOptions { WriteDelay = writeDelay }), peer);
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

        [Fact]
        public async Task WritesToAnIdlePeerAtOnceAndHoldsTheNextMessageForTheDelay()
        {
            var (connection, peer) = await ConnectAsync(TimeSpan.FromHours(1));
            using (peer)
            {
                Assert.True(connection.Send(new byte[] { (byte)'a', (byte)'\n' }));
                Assert.Equal(new byte[] { (byte)'a', (byte)'\n' }, await ReadExactlyAsync(peer, 2));

                Assert.True(connection.Send(new byte[] { (byte)'b', (byte)'\n' }));
                Assert.Equal(2, connection.QueuedBytes);
                connection.Abort("test over");
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
                heap.Push(due, c);
            }

            var popped = new System.Collections.Generic.List<long>();
            while (heap.Count > 0)
            {
                long first = heap.FirstDue;
                long due = byConnection[heap.Pop()];
                Assert.Equal(first, due);
                popped.Add(due);
            }

            Assert.Equal(dues.OrderBy(d => d), popped);
        }

        [Fact]
        public async Task WritesAFloodAtOnceInOrder()
        {
            var (connection, peer) = await ConnectAsync(TimeSpan.FromHours(1));
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

        [Fact]
        public async Task WritesAfterTheDelay()
        {
            var (connection, peer) = await ConnectAsync(TimeSpan.FromMilliseconds(20));
            using (peer)
            {
                Assert.True(connection.Send(new byte[] { (byte)'a', (byte)'\n' }));
                Assert.True(connection.Send(new byte[] { (byte)'b', (byte)'\n' }));
                Assert.True(connection.Send(new byte[] { (byte)'c', (byte)'\n' }));
                Assert.Equal(new byte[] { (byte)'a', (byte)'\n', (byte)'b', (byte)'\n', (byte)'c', (byte)'\n' }, await ReadExactlyAsync(peer, 6));
                connection.Abort("test over");
            }
        }
    }
}
