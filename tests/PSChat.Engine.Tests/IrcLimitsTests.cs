using System;
using System.Linq;
using System.Text;
using Xunit;

namespace PSChat.Engine.Tests
{
    /// <summary>
    /// What bounds one IRC command: targets (MaxTargets, duplicates once), channels per client
    /// (CHANLIMIT) and per server (MaxRooms), replies cut at the send queue and split within 512 bytes,
    /// and who may become a channel operator. Flood control is off: these tests send lines quickly.
    /// </summary>
    public class IrcLimitsTests
    {
        private static ServerFixture Irc(Action<ChatServerOptions>? configure = null) => IrcBasicsTests.Irc(o =>
        {
            o.FloodControl = false;
            configure?.Invoke(o);
        });

        [Fact]
        public void ANickNamedManyTimesGetsOneCopy()
        {
            using var fx = Irc();
            using var alice = IrcTestClient.Register(fx, "alice");
            using var bob = IrcTestClient.Register(fx, "bob");

            alice.Send("PRIVMSG " + string.Join(",", Enumerable.Repeat("bob", 120)) + " :once");

            Assert.Equal(":alice!alice@127.0.0.1 PRIVMSG bob once", bob.NextLine());
            bob.AssertNothingPending();
            alice.AssertNothingPending();
        }

        [Fact]
        public void AChannelNamedManyTimesGetsOneCopyInAnySpelling()
        {
            using var fx = Irc();
            using var alice = IrcTestClient.Register(fx, "alice");
            using var bob = IrcTestClient.Register(fx, "bob");
            IrcTestClient.JoinAll("#a", alice, bob);

            alice.Send("PRIVMSG " + string.Join(",", Enumerable.Repeat("#a,#A", 48)) + " :once");

            Assert.Equal(":alice!alice@127.0.0.1 PRIVMSG #a once", bob.NextLine());
            bob.AssertNothingPending();
        }

        [Fact]
        public void TargetsPastMaxTargetsAreRefusedWith407()
        {
            using var fx = Irc(o => o.MaxTargets = 2);
            using var alice = IrcTestClient.Register(fx, "alice");
            using var bob = IrcTestClient.Register(fx, "bob");
            using var carol = IrcTestClient.Register(fx, "carol");

            alice.Send("PRIVMSG bob,carol,dave :hi");

            Assert.Equal(":irc.test 407 alice dave :Too many targets: at most 2 per PRIVMSG; the rest were not sent to", alice.NextLine());
            Assert.Equal(":alice!alice@127.0.0.1 PRIVMSG bob hi", bob.NextLine());
            Assert.Equal(":alice!alice@127.0.0.1 PRIVMSG carol hi", carol.NextLine());
            Assert.Equal("MaxTargets", fx.WaitFor(ServerEventKind.Limited).Limit);
        }

        [Fact]
        public void ISupportStatesTheTargetAndChannelLimits()
        {
            using var fx = Irc(o =>
            {
                o.MaxTargets = 3;
                o.MaxChannelsPerClient = 7;
            });
            using var c = IrcTestClient.Connect(fx);
            c.Send("NICK alice");
            c.Send("USER alice 0 * :Alice");
            string tokens = string.Join(" ", Enumerable.Range(0, 2).Select(_ => c.SkipTo("005")).SelectMany(m => m.Parameters));

            Assert.Contains(" CHANLIMIT=#:7 ", tokens);
            Assert.Contains(" MAXTARGETS=3 ", tokens);
            Assert.Contains(" TARGMAX=JOIN:,KICK:3,NAMES:3,PART:,PRIVMSG:3,NOTICE:3,TAGMSG:3,WHOIS:3 ", tokens);
        }

        [Fact]
        public void JoiningPastChanLimitDraws405AndEndsTheJoin()
        {
            using var fx = Irc(o => o.MaxChannelsPerClient = 3);
            using var alice = IrcTestClient.Register(fx, "alice");

            alice.Send("JOIN #a,#b,#c,#d,#e");
            for (int i = 0; i < 3; i++) alice.SkipTo("366");

            Assert.Equal(":irc.test 405 alice #d :You have joined too many channels (at most 3)", alice.NextLine());
            alice.AssertNothingPending();
            Assert.DoesNotContain("#e", fx.Server.Rooms);
            Assert.Equal("MaxChannelsPerClient", fx.WaitFor(ServerEventKind.Limited).Limit);
        }

        [Fact]
        public void TheServerMakesNoMoreThanMaxRooms()
        {
            using var fx = Irc(o => o.MaxRooms = 3);
            using var alice = IrcTestClient.Register(fx, "alice");

            // The default room is one of the three.
            alice.Send("JOIN #a,#b,#c");
            alice.SkipTo("366");
            alice.SkipTo("366");

            Assert.Equal(":irc.test 405 alice #c :The server has too many channels (at most 3)", alice.NextLine());
            alice.Send("PART #a");
            alice.Expect("PART");
            alice.Join("#c");
            Assert.Equal(3, fx.Server.Rooms.Length);
        }

        [Fact]
        public void JoiningAChannelItsOperatorLeftGivesNobodyOperator()
        {
            using var fx = Irc();
            using var alice = IrcTestClient.Register(fx, "alice");
            using var bob = IrcTestClient.Register(fx, "bob");
            using var carol = IrcTestClient.Register(fx, "carol");
            IrcTestClient.JoinAll("#room", alice, bob);
            alice.Send("PART #room");
            bob.Expect("PART");

            carol.Send("JOIN #room");
            carol.Expect("JOIN");

            Assert.Equal(":irc.test 353 carol = #room :bob carol", carol.NextLine());
        }

        [Fact]
        public void WhoisChannelsAreSplitWithin512Bytes()
        {
            using var fx = Irc(o => o.MaxChannelsPerClient = 40);
            using var alice = IrcTestClient.Register(fx, "alice");
            var channels = Enumerable.Range(0, 30).Select(i => "#" + i.ToString("D2") + new string('c', 40)).ToArray();
            alice.Send("JOIN " + string.Join(",", channels.Take(10)));
            alice.Send("JOIN " + string.Join(",", channels.Skip(10).Take(10)));
            alice.Send("JOIN " + string.Join(",", channels.Skip(20)));
            for (int i = 0; i < channels.Length; i++) alice.SkipTo("366");

            alice.Send("WHOIS alice");
            alice.Expect("311");
            var listed = new System.Collections.Generic.List<string>();
            int lines = 0;
            while (alice.Next().Command == "319")
            {
                lines++;
                Assert.True(Encoding.UTF8.GetByteCount(alice.LastLine) + 2 <= 512, alice.LastLine);
                listed.AddRange(alice.LastLine.Substring(alice.LastLine.IndexOf(" :", StringComparison.Ordinal) + 2).Split(' '));
            }

            Assert.True(lines > 1);
            Assert.Equal(channels, listed.Select(c => c.TrimStart('@')).OrderBy(c => c, StringComparer.Ordinal));
        }

        [Fact]
        public void ALongPartReasonAndALongRealNameStayWithin512Bytes()
        {
            using var fx = Irc();
            string longNick = "n" + new string('x', 31);
            using var alice = IrcTestClient.Connect(fx);
            alice.Send($"NICK {longNick}");
            alice.Send($"USER u 0 * :{new string('\u00e9', 240)}");
            alice.SkipTo("376", "422");
            using var bob = IrcTestClient.Register(fx, "bob");
            string channel = "#" + new string('\u00e8', 49);
            IrcTestClient.JoinAll(channel, alice, bob);

            bob.Send($"WHO {channel}");
            bob.SkipTo("352");
            Assert.True(Encoding.UTF8.GetByteCount(bob.LastLine) + 2 <= 512, bob.LastLine);
            bob.SkipTo("352");
            Assert.True(Encoding.UTF8.GetByteCount(bob.LastLine) + 2 <= 512, bob.LastLine);
            bob.SkipTo("315");

            alice.Send($"PART {channel} :{new string('\u00e0', 200)}");
            bob.Expect("PART");
            Assert.True(Encoding.UTF8.GetByteCount(bob.LastLine) + 2 <= 512, bob.LastLine);
            Assert.StartsWith($":{longNick}!u@127.0.0.1 PART {channel} \u00e0\u00e0", bob.LastLine);
        }

        [Fact]
        public void AListCutByTheSendQueueEndsProperlyWithANotice()
        {
            using var fx = Irc(o =>
            {
                // Room for a 30-channel JOIN's replies (each message also costs 64 bytes of bookkeeping), not for a 240-channel LIST.
                o.MaxSendQueue = 16384;
                o.MaxChannelsPerClient = 1000;
            });
            using var alice = IrcTestClient.Register(fx, "alice");
            for (int line = 0; line < 8; line++)
            {
                alice.Send("JOIN " + string.Join(",", Enumerable.Range(line * 30, 30).Select(i => "#chan" + i)));
                for (int i = 0; i < 30; i++) alice.SkipTo("366");
            }

            using var bob = IrcTestClient.Register(fx, "bob");
            bob.Send("LIST");
            bob.Expect("321");
            int listed = 0;
            while (bob.Next().Command == "322") listed++;

            Assert.InRange(listed, 1, 239);
            Assert.Equal(":irc.test NOTICE bob :*** LIST reply truncated: your send queue is full", bob.LastLine);
            Assert.Equal(":irc.test 323 bob :End of /LIST", bob.NextLine());
            Assert.Equal(1, fx.Server.Limits.TruncatedReplies);
            Assert.Equal("MaxSendQueue", fx.WaitFor(ServerEventKind.Limited).Limit);
            bob.AssertNothingPending();
        }
    }
}
