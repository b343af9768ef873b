using System;
using System.Linq;
using System.Text;
using PSChat.Engine.Timing;
using Xunit;

namespace PSChat.Engine.Tests.Abuse
{
    /// <summary>
    /// Issue 11, findings 3 (bounded replies), 4 (flood control, target limits), 5 (knock-off, takeover)
    /// and 7 (per-user state): each attack replayed against a live server while a well-behaved pair
    /// proves the server still serves everyone else.
    /// </summary>
    [Trait("Category", "Abuse")]
    [Collection(AbuseProbe.Collection)]
    public class IrcAbuseTests
    {
        private static ServerFixture Server(Action<ChatServerOptions>? configure = null) => IrcBasicsTests.Irc(configure);

        /// <summary>Finding 3: LIST x 2,700 in one write from a client that never reads, over 240 channels.</summary>
        [Fact]
        public void AListFloodFromAClientThatNeverReadsIsHeldAndEachReplyIsCut()
        {
            using var fx = Server(o =>
            {
                // Room for a 30-channel JOIN's replies (each message also costs 64 bytes of bookkeeping), not for a 240-channel LIST.
                o.MaxSendQueue = 16384;
                o.MaxChannelsPerClient = 1000;
            });
            using var probe = AbuseProbe.Start(fx, "irc-list-flood");
            using var owner = IrcTestClient.Register(fx, "owner");
            for (int line = 0; line < 8; line++)
            {
                owner.Send("JOIN " + string.Join(",", Enumerable.Range(line * 30, 30).Select(i => "#chan" + i)));
                for (int i = 0; i < 30; i++) owner.SkipTo("366");
            }

            using var attacker = TestClient.Connect(fx.EndPoint, receiveBuffer: 4096);
            attacker.Write("NICK lister\r\nUSER lister 0 * :x\r\n" + string.Concat(Enumerable.Repeat("LIST\r\n", 2700)));
            fx.WaitFor(ServerEventKind.Limited, e => e.Name == "lister" && e.Limit == "FloodRate");
            for (int i = 0; i < 3; i++) probe.Check();

            Assert.True(fx.Server.Limits.FloodDelayedLines >= 2000, "lines held: " + fx.Server.Limits.FloodDelayedLines);
            Assert.True(fx.Server.Limits.TruncatedReplies >= 1);
        }

        /// <summary>Findings 4 and 5: PRIVMSG victim,victim,... as fast as the socket takes it, at a victim that reads slowly.</summary>
        [Fact]
        public void AFloodOfRepeatedTargetsReachesTheVictimOncePerLineForABurstThenEndsInExcessFlood()
        {
            var clock = new ManualClock();
            using var fx = Server(o =>
            {
                o.Clock = clock;
                o.FloodBurst = 20;
            });
            using var probe = AbuseProbe.Start(fx, "irc-knock-off");
            using var victim = IrcTestClient.Register(fx, "victim");
            using var attacker = IrcTestClient.Register(fx, "knocker");
            clock.Advance(TimeSpan.FromSeconds(30));

            string targets = string.Join(",", Enumerable.Repeat("victim", 40));
            string line = $"PRIVMSG {targets} :{new string('z', 100)}\r\n";
            attacker.Raw.Write(string.Concat(Enumerable.Repeat(line, 2000)));
            probe.Check();

            attacker.SkipTo("ERROR");
            Assert.Equal("ERROR :Closing Link: 127.0.0.1 (Excess Flood)", attacker.LastLine);
            for (int i = 0; i < 20; i++) Assert.Equal("PRIVMSG", victim.Next().Command);
            victim.AssertNothingPending();
            Assert.Equal("MaxReceiveQueue", fx.WaitFor(ServerEventKind.Disconnected, e => e.Name == "knocker").Limit);
            probe.Check();
        }

        /// <summary>Finding 7: one client joining channels by the thousand (80 a line) and a WHOIS of it.</summary>
        [Fact]
        public void JoiningThousandsOfChannelsStopsAtChanLimitAndWhoisStaysSmall()
        {
            using var fx = Server();
            using var probe = AbuseProbe.Start(fx, "irc-join-flood");
            using var attacker = IrcTestClient.Register(fx, "joiner");
            int before = fx.Server.Rooms.Length;
            var lines = Enumerable.Range(0, 20).Select(l => "JOIN " + string.Join(",", Enumerable.Range(l * 80, 80).Select(i => "#j" + i)) + "\r\n");
            attacker.Raw.Write(string.Concat(lines));
            attacker.SkipTo("405");
            probe.Check();

            Assert.Equal(before + 10, fx.Server.Rooms.Length);
            using var asker = IrcTestClient.Register(fx, "asker");
            asker.Send("WHOIS joiner");
            asker.Expect("311");
            while (asker.Next().Command == "319") Assert.True(Encoding.UTF8.GetByteCount(asker.LastLine) + 2 <= 512);
            probe.Check();
        }

        /// <summary>Finding 5: a channel whose operator left is not anyone's for the joining.</summary>
        [Fact]
        public void JoiningAnAbandonedChannelIsNoTakeover()
        {
            using var fx = Server();
            using var probe = AbuseProbe.Start(fx, "irc-takeover");
            using var founder = IrcTestClient.Register(fx, "founder");
            using var regular = IrcTestClient.Register(fx, "regular");
            using var taker = IrcTestClient.Register(fx, "taker");
            IrcTestClient.JoinAll("#owned", founder, regular);
            founder.Send("QUIT :bye");
            regular.Expect("QUIT");

            taker.Send("JOIN #owned");
            taker.Expect("JOIN");
            taker.Send("MODE #owned +o taker");
            probe.Check();

            taker.SkipTo("482");
            taker.Send("NAMES #owned");
            Assert.Equal(":irc.test 353 taker = #owned :regular taker", taker.NextLine());
        }
    }
}
