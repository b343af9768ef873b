using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Xunit;

namespace PSChat.Engine.Tests
{
    /// <summary>The text protocol end to end, with connections on the epoll loops (where the platform has them).</summary>
    public class TextServerTests
    {
        private protected virtual ServerFixture NewServer(Action<ChatServerOptions>? configure = null) => new ServerFixture(configure);

        [Fact]
        public void LineGoesToEveryOtherMemberByteForByte()
        {
            using var fx = NewServer();
            using var a = fx.Join();
            using var b = fx.Join();
            using var c = fx.Join();

            a.Write("alice:hi there\r\n");

            Assert.Equal("alice:hi there\r\n", b.ReadLine());
            Assert.Equal("alice:hi there\r\n", c.ReadLine());
            a.AssertNothingBefore("bob:marker\r\n", () => b.Write("bob:marker\r\n"));
        }

        [Fact]
        public void UnterminatedMessageIsTakenAfterQuietTimeAndRelayedAsItCame()
        {
            using var fx = NewServer();
            using var a = fx.Join();
            using var b = fx.Join();

            a.Write("alice:hi");

            Assert.Equal("alice:hi", b.ReadExactly("alice:hi".Length));
            // From the same sender, so a message taken twice, or kept in part, would show before it.
            b.AssertNothingBefore("alice:marker\n", () => a.Write("alice:marker\n"));
        }

        [Fact]
        public void RecipientThatSpeaksLinesGetsLinesEvenFromTutorialClients()
        {
            using var fx = NewServer();
            using var tutorial = fx.Join();
            using var netcat = fx.Join();
            netcat.Write("bob:hello\n");
            Assert.Equal("bob:hello\n", tutorial.ReadLine());

            tutorial.Write("alice:hi");

            Assert.Equal("alice:hi\n", netcat.ReadLine());
        }

        [Fact]
        public void ExitRemovesOnlyThatClient()
        {
            using var fx = NewServer();
            using var a = fx.Join();
            using var b = fx.Join();
            using var c = fx.Join();

            a.Write("exit");

            Assert.True(a.WaitForClose());
            var gone = fx.WaitFor(ServerEventKind.Disconnected);
            Assert.Equal("client said exit", gone.Reason);
            b.Write("bob:still here\n");
            Assert.Equal("bob:still here\n", c.ReadLine());
        }

        [Fact]
        public void AClientPastMaxClientsIsClosedWithAReason()
        {
            using var fx = NewServer(o => o.MaxClients = 1);
            using var first = fx.Join();
            using var second = TestClient.Connect(fx.EndPoint);

            Assert.True(second.WaitForClose());
            var refused = fx.WaitFor(ServerEventKind.Rejected);
            Assert.Equal("server full (1 clients)", refused.Reason);
            Assert.Equal(second.Socket.LocalEndPoint!.ToString(), refused.Client);
            Assert.Equal(1, fx.Server.ClientCount);
        }

        [Fact]
        public void NothingAfterExitInTheSameReadIsRelayed()
        {
            using var fx = NewServer();
            using var a = fx.Join();
            using var b = fx.Join();
            using var c = fx.Join();

            a.Write("exit\nalice:too late\n");

            Assert.True(a.WaitForClose());
            // Reported once the whole read is handled, so a relayed "too late" would be queued by now.
            fx.WaitFor(ServerEventKind.Disconnected);
            b.AssertNothingBefore("carol:marker\n", () => c.Write("carol:marker\n"));
        }

        [Theory]
        [InlineData(new byte[] { 0xC3, 0x28, (byte)'\n' }, "line is not valid UTF-8")]
        [InlineData(new byte[] { (byte)'a', 0x00, (byte)'b', (byte)'\n' }, "line contains a NUL byte")]
        [InlineData(new byte[] { 0x1B, (byte)'[', (byte)'2', (byte)'J', (byte)'\n' }, "line contains control byte 0x1B")]
        public void BadLineIsRefusedWithAReasonAndTheRoomCarriesOn(byte[] bad, string reason)
        {
            using var fx = NewServer();
            using var a = fx.Join();
            using var b = fx.Join();

            a.Write(bad);

            Assert.Equal($"*** error: {reason}; the line was not sent\n", a.ReadLine());
            Assert.Equal(reason, fx.WaitFor(ServerEventKind.Rejected).Reason);
            a.Write("alice:after\n");
            Assert.Equal("alice:after\n", b.ReadLine());
        }

        [Fact]
        public void OverlongLineIsRefusedAndTheNextLinePasses()
        {
            using var fx = NewServer(o => o.MaxLineLength = 100);
            using var a = fx.Join();
            using var b = fx.Join();

            a.Write(new string('x', 5000) + "\nalice:short\n");

            Assert.StartsWith("*** error: line longer than 100 bytes", a.ReadLine());
            Assert.Equal("alice:short\n", b.ReadLine());
        }

        [Fact]
        public void TooManyRefusedLinesInARowDisconnect()
        {
            using var fx = NewServer(o => o.MaxRejectedLines = 3);
            using var a = fx.Join();

            a.Write(new byte[] { 0xFF, (byte)'\n', 0xFE, (byte)'\n', 0xFD, (byte)'\n' });

            Assert.True(a.WaitForClose());
            Assert.Equal("3 refused lines in a row", fx.WaitFor(ServerEventKind.Disconnected).Reason);
        }

        [Fact]
        public async Task ClientThatStopsReadingIsDroppedAndOthersGetEverything()
        {
            // A transport test: the sender floods on purpose, so flood control is off.
            using var fx = NewServer(o =>
            {
                o.MaxSendQueue = 256 * 1024;
                o.FloodControl = false;
            });
            using var stuck = fx.Join(receiveBuffer: 4096);
            using var reader = fx.Join();
            using var sender = fx.Join();
            string line = "s:" + new string('y', 1000) + "\n";
            const string end = "s:end\n";
            string stuckClient = stuck.Socket.LocalEndPoint!.ToString()!;
            var dropped = Task.Run(() => fx.WaitFor(ServerEventKind.Disconnected, e => e.Client == stuckClient, timeoutMs: 60000));

            // Lines until the stuck client is dropped, however much the kernel buffers on this machine,
            // sent no faster than the reader reads (it must never be the slow one, even on a loaded machine).
            int read = 0;
            var reading = Task.Run(() =>
            {
                var got = new List<string>();
                for (string next = reader.ReadLine(20000); next != end; next = reader.ReadLine(20000))
                {
                    got.Add(next);
                    Volatile.Write(ref read, got.Count);
                }

                return got;
            });
            int sent = 0;
            while (!dropped.IsCompleted)
            {
                Assert.True(sent < 100_000, "the stuck client was never dropped");
                if (sent % 64 == 0) Assert.True(SpinWait.SpinUntil(() => Volatile.Read(ref read) >= sent - 128, 20000), "the reader fell behind");
                sender.Write(line);
                sent++;
            }

            sender.Write(end);
            var received = await reading;
            Assert.Equal(sent, received.Count);
            Assert.All(received, l => Assert.Equal(line, l));
            Assert.StartsWith("send queue full", (await dropped).Reason);
        }

        [Fact]
        public async Task ConcurrentSendersArriveWholeAndInPerSenderOrder()
        {
            const int senders = 8;
            const int each = 300;
            using var fx = NewServer(o => o.FloodControl = false);
            using var reader = fx.Join();
            var clients = Enumerable.Range(0, senders).Select(_ => fx.Join()).ToList();

            var reading = Task.Run(() => Enumerable.Range(0, senders * each).Select(_ => reader.ReadLine(20000)).ToList());
            Parallel.For(0, senders, s =>
            {
                for (int i = 0; i < each; i++) clients[s].Write($"s{s}:{i} {new string('z', i % 50)}\n");
            });

            var next = new int[senders];
            foreach (string l in await reading)
            {
                int s = int.Parse(l.Substring(1, l.IndexOf(':') - 1));
                string body = l.Substring(l.IndexOf(':') + 1);
                int n = int.Parse(body.Split(' ')[0]);
                Assert.Equal(next[s]++, n);
                Assert.Equal($"{n} {new string('z', n % 50)}\n", body);
            }

            Assert.All(next, n => Assert.Equal(each, n));
            clients.ForEach(c => c.Dispose());
        }

        [Fact]
        public void StopClosesEveryClientWithANotice()
        {
            var fx = NewServer();
            using var a = fx.Join();

            fx.Server.Stop();

            Assert.Equal("*** server is shutting down\n", a.ReadLine());
            Assert.True(a.WaitForClose());
            Assert.Equal(ServerState.Stopped, fx.Server.State);
        }

        [Fact]
        public void ABusyClientWaitsForTheWriteDelayAndAFloodDoesNotWait()
        {
            using var fx = NewServer(o =>
            {
                o.WriteDelay = TimeSpan.FromHours(1);
                o.FloodControl = false;
            });
            using var a = fx.Join();
            using var b = fx.Join();

            a.Write("one\n");
            Assert.Equal("one\n", b.ReadLine());
            using var idle = fx.Join();
            a.Write("two\n");

            // A marker to b would wait with "two", so the proof is on the server: a client nobody wrote
            // to lately gets "two" at once, from the same batch of writes that b's would have been in
            // (ahead of it, b joined first); once it has it, b's copy must still be queued.
            Assert.Equal("two\n", idle.ReadLine());
            Assert.Equal("two\n".Length, fx.ConnectionOf(b).QueuedBytes);

            // 11 KB passes the 8 KB mark: what waits goes out at once, in order.
            a.Write(string.Concat(Enumerable.Range(0, 100).Select(i => $"line{i:D3}:{new string('x', 100)}\n")));
            Assert.Equal("two\n", b.ReadLine());
            Assert.Equal($"line000:{new string('x', 100)}\n", b.ReadLine());
        }

        [Fact]
        public void AConversationDoesNotWaitForTheWriteDelayOnEitherLeg()
        {
            // A request and its answer, back and forth: each side spoke since the server last wrote to it
            // and has nothing waiting, so an hour's delay holds neither leg (before, the second leg waited).
            using var fx = NewServer(o =>
            {
                o.WriteDelay = TimeSpan.FromHours(1);
                o.FloodControl = false;
            });
            using var a = fx.Join();
            using var b = fx.Join();
            for (int i = 0; i < 5; i++)
            {
                a.Write($"request {i}\n");
                Assert.Equal($"request {i}\n", b.ReadLine());
                b.Write($"answer {i}\n");
                Assert.Equal($"answer {i}\n", a.ReadLine());
            }
        }
    }

    /// <summary>The same tests with the server's connections on the thread pool (Windows, macOS, or no epoll).</summary>
    public sealed class TextServerOnThreadPoolTests : TextServerTests
    {
        private protected override ServerFixture NewServer(Action<ChatServerOptions>? configure = null) =>
            new ServerFixture(o =>
            {
                o.UseIoLoop = false;
                configure?.Invoke(o);
            });
    }
}
