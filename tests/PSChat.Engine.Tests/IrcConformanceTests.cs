using System.Linq;
using Xunit;

namespace PSChat.Engine.Tests
{
    /// <summary>
    /// Each test mirrors one case of the irctest server conformance suite (progval/irctest,
    /// irctest/server_tests/&lt;file&gt;.py, class.method) and asserts what that case asserts.
    /// </summary>
    public class IrcConformanceTests
    {
        /// <summary>connection_registration.py ConnectionRegistrationTestCase.testEmptyRealname.</summary>
        [Fact]
        public void TestEmptyRealname()
        {
            using var fx = IrcBasicsTests.Irc();
            using var c = IrcTestClient.Connect(fx);
            c.Send("NICK foo");
            c.Send("USER username * * :");

            Assert.Equal(":irc.test 461 foo USER :Not enough parameters", c.NextLine());
        }

        /// <summary>connection_registration.py and cap.py testEmptyCapList: "CAP LIST" first gets "CAP * LIST :".</summary>
        [Fact]
        public void TestEmptyCapList()
        {
            using var fx = IrcBasicsTests.Irc();
            using var c = IrcTestClient.Connect(fx);
            c.Send("CAP LIST");

            Assert.Equal(":irc.test CAP * LIST :", c.NextLine());
        }

        /// <summary>messages.py TagsTestCase.testLineTooLong: over 4094 bytes of client tag data is refused, not relayed.</summary>
        [Fact]
        public void TestLineTooLong()
        {
            using var fx = IrcBasicsTests.Irc();
            using var bar = IrcTestClient.Register(fx, "bar", "message-tags");
            using var recver = IrcTestClient.Register(fx, "recver", "message-tags");
            IrcTestClient.JoinAll("#xyz", bar, recver);

            bar.Send("@+clientOnlyTagExample=" + new string('a', 4096) + " PRIVMSG #xyz hi!");
            Assert.Equal(":irc.test 417 bar :Input line was too long", bar.NextLine());

            bar.Send("PRIVMSG #xyz :after");
            Assert.Matches(@"^@msgid=\S+ :bar!bar@127\.0\.0\.1 PRIVMSG #xyz after$", recver.NextLine());
        }

        /// <summary>The IRCv3 limit itself: exactly 4094 bytes of client tag data is still accepted.</summary>
        [Fact]
        public void TestLineAtTagLimit()
        {
            using var fx = IrcBasicsTests.Irc();
            using var bar = IrcTestClient.Register(fx, "bar", "message-tags");
            using var recver = IrcTestClient.Register(fx, "recver", "message-tags");
            IrcTestClient.JoinAll("#xyz", bar, recver);
            string tag = "+x=";

            bar.Send("@" + tag + new string('a', 4094 - tag.Length) + " PRIVMSG #xyz hi!");

            Assert.Equal("PRIVMSG", recver.Next().Command);
        }

        /// <summary>lusers.py BasicLusersTestCase.testLusersFull: the max of 265/266 outlives a QUIT.</summary>
        [Fact]
        public void TestLusersFull()
        {
            using var fx = IrcBasicsTests.Irc();
            using var bar = IrcTestClient.Register(fx, "bar");
            Assert.Equal("bar 1 1 :Current global users 1, max 1", Lusers(bar));
            using (var qux = IrcTestClient.Register(fx, "qux"))
            {
                Assert.Equal("qux 2 2 :Current global users 2, max 2", Lusers(qux));
                qux.Send("QUIT");
                qux.SkipTo("ERROR");
            }

            fx.WaitFor(ServerEventKind.Disconnected, e => e.Name == "qux");
            Assert.Equal("bar 1 2 :Current global users 1, max 2", Lusers(bar));
        }

        /// <summary>names.py NamesTestCase.testNamesMultipleChannels2812: a 353 per channel, then one 366 naming the list.</summary>
        [Fact]
        public void TestNamesMultipleChannels2812()
        {
            using var fx = IrcBasicsTests.Irc();
            using var nick1 = IrcTestClient.Register(fx, "nick1");
            nick1.Join("#chan1");
            nick1.Join("#chan2");

            nick1.Send("NAMES #chan1,#chan2");

            Assert.Equal(":irc.test 353 nick1 = #chan1 @nick1", nick1.NextLine());
            Assert.Equal(":irc.test 353 nick1 = #chan2 @nick1", nick1.NextLine());
            Assert.Equal(":irc.test 366 nick1 #chan1,#chan2 :End of /NAMES list", nick1.NextLine());
        }

        /// <summary>names.py NamesTestCase.testNamesNonexistingChannel: one 366 with the name as given.</summary>
        [Fact]
        public void TestNamesNonexistingChannel()
        {
            using var fx = IrcBasicsTests.Irc();
            using var foo = IrcTestClient.Register(fx, "foo");

            foo.Send("NAMES #nonexisting");

            Assert.Equal(":irc.test 366 foo #nonexisting :End of /NAMES list", foo.NextLine());
        }

        /// <summary>kick.py KickTestCase.testDoubleKickMessages: one KICK line per user, for both target forms.</summary>
        [Theory]
        [InlineData("KICK #chan,#chan bar,baz :bye")]
        [InlineData("KICK #chan bar,baz :bye")]
        public void TestDoubleKickMessages(string kick)
        {
            using var fx = IrcBasicsTests.Irc();
            using var foo = IrcTestClient.Register(fx, "foo");
            using var bar = IrcTestClient.Register(fx, "bar");
            using var baz = IrcTestClient.Register(fx, "baz");
            using var qux = IrcTestClient.Register(fx, "qux");
            IrcTestClient.JoinAll("#chan", foo, bar, baz, qux);

            foo.Send(kick);

            Assert.Equal(":foo!foo@127.0.0.1 KICK #chan bar bye", qux.NextLine());
            Assert.Equal(":foo!foo@127.0.0.1 KICK #chan baz bye", qux.NextLine());
        }

        /// <summary>kick.py KickTestCase.testKickDefaultComment: without a comment the reason is the kicker's nick.</summary>
        [Fact]
        public void TestKickDefaultComment()
        {
            using var fx = IrcBasicsTests.Irc();
            using var foo = IrcTestClient.Register(fx, "foo");
            using var bar = IrcTestClient.Register(fx, "bar");
            using var baz = IrcTestClient.Register(fx, "baz");
            IrcTestClient.JoinAll("#chan", foo, bar, baz);

            foo.Send("KICK #chan bar");

            Assert.Equal(":foo!foo@127.0.0.1 KICK #chan bar foo", baz.NextLine());
        }

        /// <summary>RFC 2812 3.2.8: several channels need as many users, paired in order.</summary>
        [Fact]
        public void KickWithUnpairedChannelsNeedsMoreParams()
        {
            using var fx = IrcBasicsTests.Irc();
            using var foo = IrcTestClient.Register(fx, "foo");
            foo.Join("#chan");

            foo.Send("KICK #chan,#other bar");

            Assert.Equal(":irc.test 461 foo KICK :Not enough parameters", foo.NextLine());
        }

        /// <summary>
        /// chmodes/key.py KeyTestCase.testKeyValidation[spaces] and [empty]: an unusable key draws
        /// ERR_INVALIDMODEPARAM with "*" for the parameter, and no MODE.
        /// </summary>
        [Theory]
        [InlineData("MODE #chan +k :passphrase with spaces")]
        [InlineData("MODE #chan +k :")]
        [InlineData("MODE #chan +k a,b")]
        public void TestKeyValidation(string mode)
        {
            using var fx = IrcBasicsTests.Irc();
            using var bar = IrcTestClient.Register(fx, "bar");
            bar.Join("#chan");

            bar.Send(mode);
            Assert.Equal(":irc.test 696 bar #chan k * :Invalid key", bar.NextLine());

            using var foo = IrcTestClient.Register(fx, "foo");
            foo.Send("JOIN #chan");
            Assert.Equal(":foo!foo@127.0.0.1 JOIN #chan", foo.NextLine());
        }

        /// <summary>chmodes/key.py KeyTestCase.testKeyValidation[long]: a long key is kept whole and opens the channel.</summary>
        [Fact]
        public void TestKeyValidationLong()
        {
            using var fx = IrcBasicsTests.Irc();
            using var bar = IrcTestClient.Register(fx, "bar");
            bar.Join("#chan");
            string key = string.Concat(Enumerable.Repeat("long", 100));

            bar.Send("MODE #chan +k :" + key);
            Assert.Equal(":bar!bar@127.0.0.1 MODE #chan +k " + key, bar.NextLine());

            using var foo = IrcTestClient.Register(fx, "foo");
            foo.Send("JOIN #chan " + key);
            Assert.Equal(":foo!foo@127.0.0.1 JOIN #chan", foo.NextLine());
        }

        /// <summary>chmodes/limit.py LimitTestCase.testLimitInvalidValues: ERR_INVALIDMODEPARAM, and the channel stays open.</summary>
        [Theory]
        [InlineData("0", "0")]
        [InlineData("-1", "-1")]
        [InlineData("abc", "abc")]
        [InlineData("", "*")]
        public void TestLimitInvalidValues(string limit, string shown)
        {
            using var fx = IrcBasicsTests.Irc();
            using var chanop = IrcTestClient.Register(fx, "chanop");
            chanop.Join("#chan");

            chanop.Send("MODE #chan +l :" + limit);
            Assert.Equal(":irc.test 696 chanop #chan l " + shown + " :Invalid limit", chanop.NextLine());

            using var user2 = IrcTestClient.Register(fx, "user2");
            user2.Send("JOIN #chan");
            Assert.Equal(":user2!user2@127.0.0.1 JOIN #chan", user2.NextLine());
        }

        /// <summary>chmodes/limit.py LimitTestCase.testLimitWithInvite: an invitation lets a user past +l.</summary>
        [Fact]
        public void TestLimitWithInvite()
        {
            using var fx = IrcBasicsTests.Irc();
            using var chanop = IrcTestClient.Register(fx, "chanop");
            chanop.Join("#chan");
            chanop.Send("MODE #chan +l 1");
            chanop.Expect("MODE");
            using var user2 = IrcTestClient.Register(fx, "user2");
            user2.Send("JOIN #chan");
            Assert.Equal(":irc.test 471 user2 #chan :Cannot join channel (+l)", user2.NextLine());

            chanop.Send("INVITE user2 #chan");
            Assert.Equal(":irc.test 341 chanop user2 #chan", chanop.NextLine());
            user2.Expect("INVITE");
            user2.Send("JOIN #chan");

            Assert.Equal(":user2!user2@127.0.0.1 JOIN #chan", user2.NextLine());
        }

        /// <summary>A parameter echoed in a numeric that the wire cannot carry in the middle becomes "*", never a broken line.</summary>
        [Theory]
        [InlineData("NAMES :", ":irc.test 366 foo * :End of /NAMES list")]
        [InlineData("WHOIS :a b", ":irc.test 401 foo * :No such nick/channel")]
        public void UnsayableParametersAreEchoedAsStar(string command, string expected)
        {
            using var fx = IrcBasicsTests.Irc();
            using var foo = IrcTestClient.Register(fx, "foo");

            foo.Send(command);

            Assert.Equal(expected, foo.NextLine());
        }

        /// <summary>lusers.py: RPL_LUSERCHANNELS counts the channels people are in, as LIST lists them.</summary>
        [Fact]
        public void LuserChannelsCountsFormedChannels()
        {
            using var fx = IrcBasicsTests.Irc();
            using var bar = IrcTestClient.Register(fx, "bar");
            bar.Join("#chan");

            bar.Send("LUSERS");

            bar.SkipTo("254");
            Assert.Equal(":irc.test 254 bar 1 :channels formed", bar.LastLine);
        }

        /// <summary>channel.py ChannelCaseSensitivityTestCase.testChannelsEquivalent (rfc1459 rows): both names are one channel.</summary>
        [Theory]
        [InlineData("#Foo", "#foo")]
        [InlineData("#F]|oo{", "#f}\\oo[")]
        [InlineData("#F}o\\o[", "#f]o|o{")]
        public void TestChannelsEquivalent(string name1, string name2)
        {
            using var fx = IrcBasicsTests.Irc();
            using var foo = IrcTestClient.Register(fx, "foo");
            using var bar = IrcTestClient.Register(fx, "bar");
            foo.Join(name1);

            bar.Send("JOIN " + name2);

            Assert.Equal(":bar!bar@127.0.0.1 JOIN " + name1, foo.NextLine());
        }

        /// <summary>isupport_limits.py IsupportLimitTestCase.testChannellen[#]: CHANNELLEN=50 admits 50 characters, refuses 51 with 403.</summary>
        [Fact]
        public void TestChannellen()
        {
            using var fx = IrcBasicsTests.Irc();
            using var foo = IrcTestClient.Register(fx, "foo");
            string valid = "#" + new string('a', 49);
            string invalid = "#" + new string('b', 50);

            foo.Send("JOIN " + valid);
            Assert.Equal(":foo!foo@127.0.0.1 JOIN " + valid, foo.NextLine());
            foo.SkipTo("366");
            foo.Send("JOIN " + invalid);

            Assert.Equal(":irc.test 403 foo " + invalid + " :No such channel", foo.NextLine());
        }

        /// <summary>isupport_limits.py IsupportLimitTestCase.testNicklen: NICKLEN=32 admits 32 characters, refuses longer with 432.</summary>
        [Fact]
        public void TestNicklen()
        {
            using var fx = IrcBasicsTests.Irc();
            using var foo = IrcTestClient.Register(fx, "foo");
            string valid = new string('a', 32);
            string invalid = new string('b', 37);

            foo.Send("NICK " + valid);
            Assert.Equal(":foo!foo@127.0.0.1 NICK " + valid, foo.NextLine());
            foo.Send("NICK " + invalid);

            Assert.Equal(":irc.test 432 " + valid + " " + invalid + " :Erroneus nickname", foo.NextLine());
        }

        /// <summary>Sends LUSERS; returns RPL_GLOBALUSERS after its numeric, having checked RPL_LOCALUSERS carries the same counts.</summary>
        private static string Lusers(IrcTestClient client)
        {
            client.Send("LUSERS");
            var local = client.SkipTo("265").Parameters;
            var global = client.Expect("266");
            Assert.Equal(local.Take(3), global.Take(3));
            return client.LastLine.Substring(":irc.test 266 ".Length);
        }
    }
}
