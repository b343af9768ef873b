using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Net.Sockets;
using System.Text;
using System.Threading.Tasks;
using PSChat.Engine.Transport;
using Xunit;

namespace PSChat.Engine.Tests
{
    /// <summary>
    /// The accept loop with its accepts scripted (issue 11, finding 2: out of descriptors, the loop retried
    /// at once, 8-20k failures a second, until the process ran out of memory). Each backoff is a task the
    /// test completes, so "it waits" is proven by the loop asking to wait, not by time.
    /// </summary>
    public class AcceptorTests
    {
        private static SocketException Emfile() => new SocketException((int)SocketError.TooManyOpenSockets);

        /// <summary>An acceptor whose accepts, waits and reserves the test scripts and watches.</summary>
        private sealed class Script
        {
            public readonly BlockingCollection<Func<Task<Socket>>> Accepts = new BlockingCollection<Func<Task<Socket>>>();
            public readonly BlockingCollection<(TimeSpan Wait, TaskCompletionSource<bool> Done)> Waits = new BlockingCollection<(TimeSpan, TaskCompletionSource<bool>)>();
            public readonly BlockingCollection<Socket> Admitted = new BlockingCollection<Socket>();
            public readonly List<bool> Exhausted = new List<bool>();
            public readonly List<Reserve> Reserves = new List<Reserve>();
            public int AcceptCalls;
            public bool Running = true;
            public bool ReserveFree = true;

            public Acceptor Build() => new Acceptor(
                () =>
                {
                    AcceptCalls++;
                    Assert.True(Accepts.TryTake(out var next, 10000), "the loop accepted more than the script has");
                    return next!();
                },
                () => Running,
                socket => Admitted.Add(socket))
            {
                Exhausted = (_, first) => { lock (Exhausted) Exhausted.Add(first); },
                Refuse = socket =>
                {
                    socket.Send(Encoding.ASCII.GetBytes("refused\n"));
                    socket.Dispose();
                },
                Wait = wait =>
                {
                    var done = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
                    Waits.Add((wait, done));
                    return done.Task;
                },
                TakeReserve = () =>
                {
                    if (!ReserveFree) return null;
                    var reserve = new Reserve();
                    lock (Reserves) Reserves.Add(reserve);
                    return reserve;
                },
            };

            public (TimeSpan Wait, TaskCompletionSource<bool> Done) NextWait()
            {
                Assert.True(Waits.TryTake(out var wait, 10000), "the loop did not back off");
                return wait;
            }
        }

        private sealed class Reserve : IDisposable
        {
            public bool Disposed { get; private set; }

            public void Dispose() => Disposed = true;
        }

        private static async Task<(Socket Accepted, Socket Peer)> PairAsync() => await LoopbackSockets.PairAsync();

        [Fact]
        public async Task OutOfDescriptorsTheLoopRefusesWaitingClientsWithItsReserveAndBacksOffWhenItCannot()
        {
            var script = new Script();
            var (accepted, peer) = await PairAsync();
            using (peer)
            {
                // Out: the accept fails; the reserve is given back to accept the waiting client, which is
                // refused, and cannot be taken again (still out), so the next failure must wait.
                script.Accepts.Add(() => throw Emfile());
                script.Accepts.Add(() =>
                {
                    script.ReserveFree = false;
                    return Task.FromResult(accepted);
                });
                script.Accepts.Add(() => throw Emfile());
                var loop = Task.Run(() => script.Build().RunAsync());

                var first = script.NextWait();
                Assert.Equal(TimeSpan.FromTicks(Acceptor.FirstBackoff.Ticks * 2), first.Wait);
                Assert.Equal(3, script.AcceptCalls);
                peer.ReceiveTimeout = 10000;
                var buffer = new byte[64];
                Assert.Equal("refused\n", Encoding.ASCII.GetString(buffer, 0, peer.Receive(buffer)));
                Assert.Single(script.Reserves);
                Assert.True(script.Reserves[0].Disposed);
                // One episode, one first.
                Assert.Equal(new[] { true, false }, script.Exhausted);

                // Descriptors again: a client is admitted, and the next exhaustion is a new episode that
                // starts from the first backoff (its reserve is taken again, not yet used).
                var (normal, normalPeer) = await PairAsync();
                using (normalPeer)
                {
                    script.ReserveFree = true;
                    script.Accepts.Add(() => Task.FromResult(normal));
                    script.Accepts.Add(() => throw Emfile());
                    first.Done.SetResult(true);
                    Assert.True(script.Admitted.TryTake(out var admitted, 10000));
                    admitted!.Dispose();
                    var second = script.NextWait();
                    Assert.Equal(Acceptor.FirstBackoff, second.Wait);
                    Assert.Equal(new[] { true, false, true }, script.Exhausted);
                    Assert.Equal(2, script.Reserves.Count);

                    script.Running = false;
                    second.Done.SetResult(true);
                    await loop;
                    Assert.All(script.Reserves, r => Assert.True(r.Disposed));
                }
            }
        }

        [Fact]
        public async Task OtherAcceptFailuresBackOffTooAndAreReportedEachTime()
        {
            var script = new Script();
            var failures = new List<SocketError>();
            script.Accepts.Add(() => throw new SocketException((int)SocketError.ConnectionAborted));
            script.Accepts.Add(() => throw new SocketException((int)SocketError.ConnectionAborted));
            var acceptor = script.Build();
            acceptor.Failed = ex => { lock (failures) failures.Add(ex.SocketErrorCode); };
            var loop = Task.Run(() => acceptor.RunAsync());

            var first = script.NextWait();
            Assert.Equal(1, script.AcceptCalls);
            first.Done.SetResult(true);
            var second = script.NextWait();
            Assert.Equal(TimeSpan.FromTicks(Acceptor.FirstBackoff.Ticks * 2), second.Wait);
            Assert.Equal(new[] { SocketError.ConnectionAborted, SocketError.ConnectionAborted }, failures);
            Assert.Empty(script.Exhausted);

            script.Running = false;
            second.Done.SetResult(true);
            await loop;
        }

        [Fact]
        public void TheClientCeilingKeepsAMarginBelowTheDescriptorLimit()
        {
            Assert.Equal(1024 - 200 - 64, DescriptorLimit.ClientCeiling(1024, open: 200));
            Assert.Equal(65536 - 200 - 4096, DescriptorLimit.ClientCeiling(65536, open: 200));
            Assert.Equal(1, DescriptorLimit.ClientCeiling(256, open: 200));
        }
    }
}
