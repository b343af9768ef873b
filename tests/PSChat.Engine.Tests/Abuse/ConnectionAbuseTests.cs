using System;
using System.Linq;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using Xunit;

namespace PSChat.Engine.Tests.Abuse
{
    /// <summary>
    /// Issue 11's connection findings replayed against a live server while a well-behaved pair is watched:
    /// work after a drop (3), memory per queued message (6), descriptor exhaustion (2) and connection
    /// exhaustion (12).
    /// </summary>
    [Trait("Category", "Abuse")]
    [Collection(AbuseProbe.Collection)]
    public class ConnectionAbuseTests
    {
        [Fact]
        public void ARequestBurstThatOverflowsTheSendQueueRunsNoFurtherLinesOfItsRead()
        {
            // Finding 3: a client that sent LIST x 2,700 in one write and never read kept the server
            // answering the whole read after it had been dropped. Here each PING asks for a 330-byte PONG
            // (394 bytes with the queue's entry cost); the eleventh overflows a 4 KB queue (room enough for
            // the welcome burst, queued at once too), and the PRIVMSG at the end of the same read must not run.
            using var fx = new ServerFixture(o =>
            {
                o.Protocol = ChatProtocol.Irc;
                o.MaxSendQueue = 4096;
                // Twelve lines at once: past flood control's burst, which would hold the last ones back.
                o.FloodControl = false;
            });
            using var probe = AbuseProbe.Start(fx, "request-burst-after-drop");
            using var abuser = IrcTestClient.Register(fx, "abuser");
            using var watcher = IrcTestClient.Register(fx, "watcher");
            IrcTestClient.JoinAll("#watch", abuser, watcher);
            probe.Check();

            string ping = "PING :" + new string('x', 300) + "\r\n";
            // Within 4 KB, so it is one read on either driver (the stream driver reads 4 KB at a time).
            byte[] burst = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat(ping, 12)) + "PRIVMSG #watch :leaked\r\n");
            Assert.True(burst.Length <= 4096);
            abuser.Raw.Write(burst);
            probe.Check();

            var dropped = fx.WaitFor(ServerEventKind.Disconnected, e => e.Name == "abuser", AbuseProbe.LivenessMs);
            Assert.Equal("MaxSendQueue", dropped.Limit);
            Assert.StartsWith("send queue full", dropped.Reason);
            // The QUIT of the dropped abuser, then nothing: "leaked" never ran.
            Assert.Equal("QUIT", watcher.Next().Command);
            watcher.AssertNothingPending();
            Assert.Equal(1, fx.Server.Limits.SendQueueDisconnects);
            probe.Check();
        }

        [Fact]
        public void EmptyLinesToSilentClientsDropThemWithinTheirSendQueueBound()
        {
            // Finding 6: empty lines to silent clients counted one byte each against -MaxSendQueue, so the
            // server grew by ~26 MB per silent client without dropping any. Clients that have not spoken
            // yet are held back (protocol detection), so nothing of theirs reaches the kernel's buffers:
            // what is queued is exactly what the server holds for them.
            using var fx = new ServerFixture(o =>
            {
                o.Protocol = ChatProtocol.Auto;
                o.DetectTimeout = TimeSpan.FromHours(1);
                o.MaxSendQueue = 16 * 1024;
                o.FloodControl = false; // the attack here is memory, not rate: every line must fan out
            });
            using var probe = AbuseProbe.Start(fx, "empty-lines-to-silent-clients");
            var silent = Enumerable.Range(0, 5).Select(_ => TestClient.Connect(fx.EndPoint)).ToArray();
            try
            {
                using var speaker = TestClient.Connect(fx.EndPoint);
                speaker.Write("hello\n");
                fx.WaitFor(ServerEventKind.Joined, e => e.Client == speaker.Socket.LocalEndPoint!.ToString());
                probe.Check();

                // 1,000 one-character lines: 2,000 bytes per silent client, 64 KB of bookkeeping. (Empty
                // lines are no messages at all; the smallest message is one character.)
                speaker.Write(string.Concat(Enumerable.Repeat("x\n", 1000)));
                var locals = silent.Select(c => c.Socket.LocalEndPoint!.ToString()).ToList();
                for (int i = 0; i < silent.Length; i++)
                {
                    var dropped = fx.WaitFor(ServerEventKind.Disconnected, e => e.Limit == "MaxSendQueue", AbuseProbe.LivenessMs);
                    Assert.True(locals.Remove(dropped.Client!), "dropped: " + dropped.Client);
                    probe.Check();
                }

                Assert.Equal(silent.Length, fx.Server.Limits.SendQueueDisconnects);
                speaker.AssertNothingBefore("*** error: line contains control byte 0x01; the line was not sent\n", () => speaker.Write("\u0001\n"));
            }
            finally
            {
                foreach (var client in silent) client.Dispose();
            }
        }

        [Fact]
        public void OutOfDescriptorsTheServerRefusesWithALineAndBacksOffInsteadOfSpinning()
        {
            // Finding 2: with ulimit -n 1024 and 1,100 connections the accept loop retried at once (100-180 %
            // CPU, 8-20k events a second, memory to 1.4 GB). Here the accept hook plays the kernel: while
            // "exhausted", each accept fails with EMFILE and the client stays waiting, as in the backlog.
            int exhausted = 0;
            Socket? waiting = null;
            var limited = new System.Collections.Concurrent.ConcurrentQueue<ServerEvent>();
            using var fx = new ServerFixture(o =>
            {
                o.Protocol = ChatProtocol.Auto;
                o.AcceptHook = async listener =>
                {
                    var socket = Interlocked.Exchange(ref waiting, null);
                    if (socket != null) return socket;
                    socket = await listener.AcceptAsync();
                    if (Volatile.Read(ref exhausted) == 0) return socket;
                    waiting = socket;
                    throw new SocketException((int)SocketError.TooManyOpenSockets);
                };
            });
            using var probe = AbuseProbe.Start(fx, "descriptor-exhaustion");
            Volatile.Write(ref exhausted, 1);

            for (int i = 0; i < 6; i++)
            {
                using var refused = TestClient.Connect(fx.EndPoint);
                Assert.Equal("ERROR :Closing link: the server is out of file descriptors; try again later\r\n", refused.ReadLine(AbuseProbe.LivenessMs));
                Assert.True(refused.WaitForClose(AbuseProbe.LivenessMs));
                probe.Check();
            }

            Assert.Equal(6, fx.Server.Limits.RefusedDescriptors);
            var episode = fx.WaitFor(ServerEventKind.Limited);
            Assert.Equal("MaxClients", episode.Limit);
            Assert.Contains("out of file descriptors", episode.Reason);

            // Descriptors again: clients get in, and the one episode raised one event (none since).
            Volatile.Write(ref exhausted, 0);
            using var welcome = TestClient.Connect(fx.EndPoint);
            welcome.Write("hello\n");
            fx.WaitFor(ServerEventKind.Joined, e => e.Client == welcome.Socket.LocalEndPoint!.ToString());
            Assert.DoesNotContain(fx.Events.ToArray(), e => e.Kind == ServerEventKind.Limited || e.Kind == ServerEventKind.Error);
            probe.Check();
        }

        [Fact]
        public void ConnectionsFromOneAddressPastItsLimitAreRefusedWithALine()
        {
            // Finding 12: 4,000 connections from one address were accepted and all joined #lobby.
            using var fx = new ServerFixture(o =>
            {
                o.Protocol = ChatProtocol.Auto;
                o.LimitLoopback = true;
                o.MaxConnectionsPerAddress = 10;
                o.MaxConnectsPerMinute = 0;
            });
            using var probe = AbuseProbe.Start(fx, "connections-per-address");
            var held = new System.Collections.Generic.List<TestClient>();
            try
            {
                // The probe's pair holds 2 of the address's 10.
                for (int i = 0; i < 8; i++) held.Add(TestClient.Connect(fx.EndPoint));
                for (int i = 0; i < 30; i++)
                {
                    using var refused = TestClient.Connect(fx.EndPoint);
                    Assert.Equal("ERROR :Closing link: too many connections from your address (at most 10)\r\n", refused.ReadLine(AbuseProbe.LivenessMs));
                    Assert.True(refused.WaitForClose(AbuseProbe.LivenessMs));
                    if (i % 10 == 0) probe.Check();
                }

                Assert.Equal(30, fx.Server.Limits.RefusedPerAddress);
                var rejected = fx.WaitFor(ServerEventKind.Rejected);
                Assert.Equal("MaxConnectionsPerAddress", rejected.Limit);
                Assert.DoesNotContain(fx.Events.ToArray(), e => e.Kind == ServerEventKind.Rejected);

                // One leaves: its place is free again.
                string gone = held[0].Socket.LocalEndPoint!.ToString()!;
                held[0].Dispose();
                fx.WaitFor(ServerEventKind.Disconnected, e => e.Client == gone);
                held[0] = TestClient.Connect(fx.EndPoint);
                held[0].Write("hello\n");
                fx.WaitFor(ServerEventKind.Joined, e => e.Client == held[0].Socket.LocalEndPoint!.ToString());
                probe.Check();
            }
            finally
            {
                foreach (var client in held) client.Dispose();
            }
        }

        [Fact]
        public void SlowlorisConnectionsTricklingBytesLeaveOthersServed()
        {
            // Finding 12: 2,000 connections sending one byte every 3 s caused 300-520 ms latency spikes.
            // Each trickled byte, after the quiet time, is a text message to everyone in the default
            // room (so n tricklers cost n * n deliveries a round); the per-address limits bound n for
            // one address, and the probe's round trips while they trickle go to the abuse report.
            int count = Slowloris;
            using var fx = new ServerFixture(o => o.Protocol = ChatProtocol.Auto);
            using var probe = AbuseProbe.Start(fx, "slowloris-" + count);
            var tricklers = new System.Collections.Generic.List<TestClient>();
            try
            {
                for (int i = 0; i < count; i++) tricklers.Add(TestClient.Connect(fx.EndPoint));
                probe.Check();
                for (int round = 0; round < 5; round++)
                {
                    foreach (var client in tricklers) client.Write("x");
                    for (int check = 0; check < 4; check++) probe.Check();
                }
            }
            finally
            {
                foreach (var client in tricklers) client.Dispose();
            }
        }

        private static int Slowloris => int.TryParse(Environment.GetEnvironmentVariable("PSCHAT_SLOWLORIS"), out int n) ? n : 300;
    }
}
