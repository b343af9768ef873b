using System;
using System.Linq;
using System.Text;
using Xunit;

namespace PSChat.Engine.Tests.Abuse
{
    /// <summary>
    /// Issue 11's connection findings replayed against a live server while a well-behaved pair is watched:
    /// work after a drop (3), memory per queued message (6), descriptor exhaustion (2) and connection
    /// exhaustion (12).
    /// </summary>
    [Trait("Category", "Abuse")]
    public class ConnectionAbuseTests
    {
        [Fact]
        public void ARequestBurstThatOverflowsTheSendQueueRunsNoFurtherLinesOfItsRead()
        {
            // Finding 3: a client that sent LIST x 2,700 in one write and never read kept the server
            // answering the whole read after it had been dropped. Here each PING asks for a 330-byte PONG;
            // the sixth overflows a 2 KB queue, and the PRIVMSG at the end of the same read must not run.
            using var fx = new ServerFixture(o =>
            {
                o.Protocol = ChatProtocol.Irc;
                o.MaxSendQueue = 2048;
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
            });
            using var probe = AbuseProbe.Start(fx, "empty-lines-to-silent-clients");
            var silent = Enumerable.Range(0, 5).Select(_ => TestClient.Connect(fx.EndPoint)).ToArray();
            try
            {
                using var speaker = TestClient.Connect(fx.EndPoint);
                speaker.Write("hello\n");
                fx.WaitFor(ServerEventKind.Joined, e => e.Client == speaker.Socket.LocalEndPoint!.ToString());
                probe.Check();

                // 1,000 empty lines: 1,000 bytes per silent client, 64 KB of bookkeeping.
                speaker.Write(new string('\n', 1000));
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
    }
}
