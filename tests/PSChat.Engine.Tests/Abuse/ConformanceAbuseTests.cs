using System;
using System.Linq;
using Xunit;

namespace PSChat.Engine.Tests.Abuse
{
    /// <summary>
    /// Issue 16: what the conformance features give an attacker, replayed against a live server while a
    /// well-behaved pair is probed: wildcard bans built to be slow, OPER guessing, MONITOR and WHOWAS floods.
    /// </summary>
    [Trait("Category", "Abuse")]
    public class ConformanceAbuseTests
    {
        /// <summary>A full ban list of masks a naive matcher backtracks on, and a banned member flooding the channel.</summary>
        [Fact]
        public void SlowBanMasksCostOneVerdictNotOneMatchPerMessage()
        {
            using var fx = IrcBasicsTests.Irc(o => o.FloodControl = false);
            using var probe = AbuseProbe.Start(fx, "irc-slow-ban-masks");
            using var op = IrcTestClient.Register(fx, "chanop");
            string nick = "a" + new string('a', 30);
            using var flooder = IrcTestClient.Register(fx, nick);
            IrcTestClient.JoinAll("#bans", op, flooder);
            for (int i = 0; i < 99; i++)
            {
                // "*a*a*...*a<i>!*@*": every star is a place to retry, and none matches the flooder's nick.
                string mask = string.Concat(Enumerable.Repeat("*a", 50)) + "x" + i + "!*@*";
                op.Send("MODE #bans +b " + mask);
            }

            op.Send("MODE #bans +b " + nick + "!*@*");
            for (int i = 0; i < 100; i++)
            {
                op.Expect("MODE");
                flooder.Expect("MODE");
            }

            flooder.Raw.Write(string.Concat(Enumerable.Repeat("PRIVMSG #bans :spam\r\n", 2000)));
            probe.Check();

            for (int i = 0; i < 2000; i++) Assert.Equal("404", flooder.Next().Command);
            op.AssertNothingPending();
            probe.Check();
        }

        /// <summary>OPER guesses as fast as the socket takes them: one is checked, the rest are refused unchecked.</summary>
        [Fact]
        public void OperGuessingChecksOnePasswordPerDelay()
        {
            using var fx = IrcOperatorTests.WithOperator(configure: o =>
            {
                o.FloodControl = false;
                o.LoginFailureDelay = TimeSpan.FromMinutes(5);
            });
            using var probe = AbuseProbe.Start(fx, "irc-oper-guessing");
            using var guesser = IrcTestClient.Register(fx, "guesser");

            guesser.Raw.Write(string.Concat(Enumerable.Range(0, 500).Select(i => $"OPER operuser guess{i}\r\n")) + "OPER operuser operpassword\r\n");
            probe.Check();

            for (int i = 0; i < 501; i++) Assert.Equal("464", guesser.Next().Command);
            guesser.AssertNothingPending();
            Assert.Equal(1, fx.Server.Limits.FailedLogins);
            Assert.Equal(500, fx.Server.Limits.ThrottledLogins);
            probe.Check();
        }

        /// <summary>MONITOR lists past the limit and WHOWAS churn (renames in a loop) stay bounded.</summary>
        [Fact]
        public void MonitorAndWhowasFloodsStayWithinTheirLimits()
        {
            using var fx = IrcBasicsTests.Irc(o =>
            {
                o.FloodControl = false;
                o.MaxMonitorEntries = 50;
                o.MaxWhowasEntries = 100;
            });
            using var probe = AbuseProbe.Start(fx, "irc-monitor-whowas");
            using var attacker = IrcTestClient.Register(fx, "churner");

            var lines = new System.Text.StringBuilder();
            for (int i = 0; i < 40; i++) lines.Append("MONITOR + " + string.Join(",", Enumerable.Range(i * 10, 10).Select(n => "w" + n)) + "\r\n");
            for (int i = 0; i < 1000; i++) lines.Append($"NICK churn{i % 2}\r\n");
            attacker.Raw.Write(lines.ToString());
            probe.Check();

            attacker.Send("MONITOR L");
            var listed = attacker.SkipTo("733");
            Assert.Equal("MaxMonitorEntries", fx.WaitFor(ServerEventKind.Limited, e => e.Limit == "MaxMonitorEntries").Limit);
            attacker.Send("WHOWAS churn0");
            int entries = 0;
            while (attacker.Next().Command != "369") entries++;
            // Each entry is a 314 and a 312; one nick keeps at most 8.
            Assert.Equal(2 * Server.WhowasHistory.PerNick, entries);
            probe.Check();
        }

        /// <summary>
        /// METADATA SYNC of a channel whose members hold the most keys of the longest values, asked for in a
        /// loop by a client that does not read: a reply stops at the send queue and asks for a later sync
        /// (774), and a client that keeps asking without reading is dropped, its queue never past its bound.
        /// </summary>
        [Fact]
        public void MetadataSyncFloodsAreCutAtTheSendQueue()
        {
            using var fx = IrcBasicsTests.Irc(o =>
            {
                o.FloodControl = false;
                o.MaxSendQueue = 64 * 1024;
            });
            using var probe = AbuseProbe.Start(fx, "irc-metadata-sync");
            string value = new string('v', Irc.MetadataStore.MaxValueBytes);
            var members = new System.Collections.Generic.List<IrcTestClient>();
            try
            {
                for (int m = 0; m < 10; m++)
                {
                    var member = IrcTestClient.Register(fx, "holder" + m);
                    members.Add(member);
                    member.Join("#meta");
                    for (int k = 0; k < 20; k++) member.Send($"METADATA * SET k{k} :{value}");
                    for (int k = 0; k < 20; k++) member.Expect("761");
                }

                using var syncer = IrcTestClient.Register(fx, "syncer", "draft/metadata-3 batch");
                syncer.Send("METADATA * SUB " + string.Join(" ", Enumerable.Range(0, 20).Select(k => "k" + k)));
                for (int line = 0; line < 4; line++) syncer.Expect("770");
                syncer.Join("#meta");
                syncer.Raw.Write(string.Concat(Enumerable.Repeat("METADATA #meta SYNC\r\n", 100)) + "PING :done\r\n");
                probe.Check();

                // The join's sync was cut at the send queue (774); the SYNCs asked of a client that does
                // not read then overflow its queue, and the server drops it rather than hold more.
                int later = 0;
                bool dropped = false;
                try
                {
                    for (var message = syncer.Next(30000); message.Command != "PONG"; message = syncer.Next(30000))
                    {
                        if (message.Command == "774") later++;
                    }
                }
                catch (System.IO.EndOfStreamException)
                {
                    dropped = true;
                }

                Assert.True(later > 0, "no sync was cut");
                Assert.Equal("MaxSendQueue", fx.WaitFor(ServerEventKind.Limited, e => e.Name == "syncer").Limit);
                if (dropped) Assert.Equal("MaxSendQueue", fx.WaitFor(ServerEventKind.Disconnected, e => e.Name == "syncer").Limit);
                probe.Check();
            }
            finally
            {
                foreach (var member in members) member.Dispose();
            }
        }
    }
}
