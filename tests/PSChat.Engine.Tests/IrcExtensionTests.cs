using Xunit;

namespace PSChat.Engine.Tests
{
    /// <summary>Issue 16, IRCv3: away-notify, invite-notify, setname, userhost-in-names, bot mode, MONITOR, client tags to a nick.</summary>
    public class IrcExtensionTests
    {
        [Fact]
        public void AwayNotifyTellsChannelNeighboursThatAskedOfAwayAndBack()
        {
            using var fx = IrcBasicsTests.Irc();
            using var watcher = IrcTestClient.Register(fx, "watcher", "away-notify");
            using var plain = IrcTestClient.Register(fx, "plain");
            using var bar = IrcTestClient.Register(fx, "bar");
            IrcTestClient.JoinAll("#chan", watcher, plain, bar);

            bar.Send("AWAY :lunch");
            bar.Expect("306");
            Assert.Equal(":bar!bar@127.0.0.1 AWAY lunch", watcher.NextLine());
            bar.Send("AWAY");
            bar.Expect("305");
            Assert.Equal(":bar!bar@127.0.0.1 AWAY", watcher.NextLine());
            plain.AssertNothingPending();
        }

        [Fact]
        public void AnAwayClientThatJoinsIsFollowedByItsAway()
        {
            using var fx = IrcBasicsTests.Irc();
            using var watcher = IrcTestClient.Register(fx, "watcher", "away-notify");
            using var bar = IrcTestClient.Register(fx, "bar");
            watcher.Join("#chan");
            bar.Send("AWAY :gone");
            bar.Expect("306");

            bar.Join("#chan");

            Assert.Equal(":bar!bar@127.0.0.1 JOIN #chan", watcher.NextLine());
            Assert.Equal(":bar!bar@127.0.0.1 AWAY gone", watcher.NextLine());
        }

        [Fact]
        public void InviteNotifyShowsTheInviteToOtherMembersThatAsked()
        {
            using var fx = IrcBasicsTests.Irc();
            using var op = IrcTestClient.Register(fx, "op");
            using var watcher = IrcTestClient.Register(fx, "watcher", "invite-notify");
            using var guest = IrcTestClient.Register(fx, "guest");
            IrcTestClient.JoinAll("#chan", op, watcher);

            op.Send("INVITE guest #chan");

            Assert.Equal(":op!op@127.0.0.1 INVITE guest #chan", watcher.NextLine());
            Assert.Equal(":op!op@127.0.0.1 INVITE guest #chan", guest.NextLine());
        }

        [Fact]
        public void SetNameChangesTheRealNameAndTellsThoseThatAsked()
        {
            using var fx = IrcBasicsTests.Irc();
            using var bar = IrcTestClient.Register(fx, "bar", "setname");
            using var watcher = IrcTestClient.Register(fx, "watcher", "setname");
            IrcTestClient.JoinAll("#chan", bar, watcher);

            bar.Send("SETNAME :Bar Baz");

            Assert.Equal(":bar!bar@127.0.0.1 SETNAME :Bar Baz", bar.NextLine());
            Assert.Equal(":bar!bar@127.0.0.1 SETNAME :Bar Baz", watcher.NextLine());
            watcher.Send("WHOIS bar");
            Assert.Equal(":irc.test 311 watcher bar bar 127.0.0.1 * :Bar Baz", watcher.NextLine());
            bar.Send("SETNAME :" + new string('x', 391));
            Assert.Equal(":irc.test FAIL SETNAME INVALID_REALNAME :Real name must be 1 to 390 characters", bar.NextLine());
        }

        [Fact]
        public void UserhostInNamesListsFullSources()
        {
            using var fx = IrcBasicsTests.Irc();
            using var bar = IrcTestClient.Register(fx, "bar", "userhost-in-names");

            bar.Send("JOIN #chan");
            bar.Expect("JOIN");

            Assert.Equal(":irc.test 353 bar = #chan @bar!bar@127.0.0.1", bar.NextLine());
        }

        [Fact]
        public void ABotIsTaggedAndFlaggedInWhoAndWhois()
        {
            using var fx = IrcBasicsTests.Irc();
            using var bot = IrcTestClient.Register(fx, "botnick");
            using var user = IrcTestClient.Register(fx, "usernick", "message-tags");
            bot.Send("MODE botnick +B");
            Assert.Equal(":botnick!botnick@127.0.0.1 MODE botnick +B", bot.NextLine());

            bot.Send("PRIVMSG usernick :beep");
            Assert.Matches(@"^@bot;msgid=\S+ :botnick!botnick@127\.0\.0\.1 PRIVMSG usernick beep$", user.NextLine());
            user.Send("WHO botnick");
            Assert.Equal(":irc.test 352 usernick * botnick 127.0.0.1 irc.test botnick HB :0 Real botnick", user.NextLine());
            user.SkipTo("315");
            user.Send("WHOIS botnick");
            user.SkipTo("335");
            Assert.Equal(":irc.test 335 usernick botnick :is a bot on PSChat", user.LastLine);
        }

        [Fact]
        public void MonitorReportsNicksComingAndGoing()
        {
            using var fx = IrcBasicsTests.Irc();
            using var watcher = IrcTestClient.Register(fx, "watcher");
            watcher.Send("MONITOR + bar,baz");
            Assert.Equal(":irc.test 731 watcher bar,baz", watcher.NextLine());

            using (var bar = IrcTestClient.Register(fx, "bar"))
            {
                Assert.Equal(":irc.test 730 watcher bar!bar@127.0.0.1", watcher.NextLine());
                bar.Send("QUIT");
                Assert.Equal(":irc.test 731 watcher bar", watcher.NextLine());
            }

            watcher.Send("MONITOR L");
            Assert.Equal(":irc.test 732 watcher bar,baz", watcher.NextLine());
            Assert.Equal(":irc.test 733 watcher :End of MONITOR list", watcher.NextLine());
            watcher.Send("MONITOR C");
            using var again = IrcTestClient.Register(fx, "bar");
            watcher.AssertNothingPending();
        }

        [Fact]
        public void AFullMonitorListDraws734AndALimitedEvent()
        {
            using var fx = IrcBasicsTests.Irc(o => o.MaxMonitorEntries = 2);
            using var watcher = IrcTestClient.Register(fx, "watcher");

            watcher.Send("MONITOR + a,b,c,d");

            Assert.Equal(":irc.test 734 watcher 2 c,d :Monitor list is full", watcher.NextLine());
            Assert.Equal(":irc.test 731 watcher a,b", watcher.NextLine());
            Assert.Equal("MaxMonitorEntries", fx.WaitFor(ServerEventKind.Limited, e => e.Name == "watcher").Limit);
        }

        /// <summary>The objects work sends client tags to a nick with PRIVMSG and TAGMSG: they must arrive as sent.</summary>
        [Fact]
        public void ClientTagsReachANickWithPrivmsgAndTagmsg()
        {
            using var fx = IrcBasicsTests.Irc();
            using var a = IrcTestClient.Register(fx, "alice", "message-tags");
            using var b = IrcTestClient.Register(fx, "bob", "message-tags");

            a.Send("@+pschat.example/object=eyJhIjoxfQ TAGMSG bob");
            Assert.Matches(@"^@\+pschat\.example/object=eyJhIjoxfQ;msgid=\S+ :alice!alice@127\.0\.0\.1 TAGMSG bob$", b.NextLine());
            a.Send("@+pschat.example/part=1/2 PRIVMSG bob :chunk");
            Assert.Matches(@"^@\+pschat\.example/part=1/2;msgid=\S+ :alice!alice@127\.0\.0\.1 PRIVMSG bob chunk$", b.NextLine());
        }

        [Fact]
        public void ALabeledCommandGetsItsLabelOnOneLineInABatchOrOnAnAck()
        {
            using var fx = IrcBasicsTests.Irc();
            using var c = IrcTestClient.Register(fx, "bar", "batch echo-message labeled-response");
            using var other = IrcTestClient.Register(fx, "other");

            c.Send("@label=one PRIVMSG other :hi");
            Assert.Equal("@label=one :bar!bar@127.0.0.1 PRIVMSG other hi", c.NextLine());
            Assert.Equal(":bar!bar@127.0.0.1 PRIVMSG other hi", other.NextLine());

            c.Send("@label=none MODE bar +i");
            c.Send("@label=ack MODE bar +i");
            Assert.Equal("@label=none :bar!bar@127.0.0.1 MODE bar +i", c.NextLine());
            Assert.Equal("@label=ack :irc.test ACK", c.NextLine());

            c.Send("@label=many JOIN #chan");
            Assert.Matches(@"^@label=many :irc\.test BATCH \+(\w+) labeled-response$", c.NextLine());
            string reference = c.LastLine.Split(' ')[3].Substring(1);
            Assert.Equal($"@batch={reference} :bar!bar@127.0.0.1 JOIN #chan", c.NextLine());
            Assert.Equal($"@batch={reference} :irc.test 353 bar = #chan @bar", c.NextLine());
            Assert.Equal($"@batch={reference} :irc.test 366 bar #chan :End of /NAMES list", c.NextLine());
            Assert.Equal($":irc.test BATCH -{reference}", c.NextLine());
        }

        /// <summary>monitor.py testNickChange: a rename to a watched nick is 730, another spelling of it nothing, a rename away 731.</summary>
        [Fact]
        public void MonitorSeesRenamesButNotAChangeOfCase()
        {
            using var fx = IrcBasicsTests.Irc();
            using var watcher = IrcTestClient.Register(fx, "bar");
            using var baz = IrcTestClient.Register(fx, "baz");
            watcher.Send("MONITOR + qux");
            watcher.Expect("731");

            baz.Send("NICK qux");
            Assert.Equal(":irc.test 730 bar qux!baz@127.0.0.1", watcher.NextLine());
            baz.Send("NICK QUX");
            baz.Expect("NICK");
            baz.Send("NICK bazbat");
            Assert.Equal(":irc.test 731 bar QUX", watcher.NextLine());
        }

        /// <summary>who.py WhoInvisibleTestCase.testWhoInvisible: a mask finds an invisible user for those sharing a channel.</summary>
        [Fact]
        public void AWhoMaskFindsAnInvisibleUserOnlyForThoseSharingAChannel()
        {
            using var fx = IrcBasicsTests.Irc();
            using var evan = IrcTestClient.Register(fx, "evan");
            using var shivaram = IrcTestClient.Register(fx, "shivaram");
            evan.Send("MODE evan +i");
            evan.Expect("MODE");
            shivaram.Send("WHO eva*");
            Assert.Equal("315", shivaram.Next().Command);

            IrcTestClient.JoinAll("#test", evan, shivaram);
            shivaram.Send("WHO eva*");

            Assert.Equal("352", shivaram.Next().Command);
        }

        /// <summary>labeled_responses.py testLabeledPrivmsgResponsesToSelf: of the delivery and the echo, only the echo is labeled.</summary>
        [Fact]
        public void ALabeledMessageToOneselfLabelsOnlyTheEcho()
        {
            using var fx = IrcBasicsTests.Irc();
            using var c = IrcTestClient.Register(fx, "foo", "batch echo-message labeled-response");

            c.Send("@label=12345 PRIVMSG foo :hi");

            Assert.Equal(":foo!foo@127.0.0.1 PRIVMSG foo hi", c.NextLine());
            Assert.Equal("@label=12345 :foo!foo@127.0.0.1 PRIVMSG foo hi", c.NextLine());
        }

        [Fact]
        public void ExtendedMonitorTellsWatchersOfAwayAndSetNameAsIfTheySharedAChannel()
        {
            using var fx = IrcBasicsTests.Irc();
            using var watcher = IrcTestClient.Register(fx, "watcher", "extended-monitor away-notify");
            using var plain = IrcTestClient.Register(fx, "plain", "away-notify setname");
            using var bar = IrcTestClient.Register(fx, "bar");
            watcher.Send("MONITOR + bar");
            watcher.Expect("730");
            plain.Send("MONITOR + bar");
            plain.Expect("730");

            bar.Send("AWAY :afk");
            bar.Expect("306");
            bar.Send("SETNAME :new name");
            bar.AssertNothingPending();

            Assert.Equal(":bar!bar@127.0.0.1 AWAY afk", watcher.NextLine());
            watcher.AssertNothingPending();
            plain.AssertNothingPending();
        }
    }
}
