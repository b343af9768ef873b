using System;
using System.Text.RegularExpressions;
using PSChat.Engine.Irc;
using Xunit;

namespace PSChat.Engine.Tests
{
    /// <summary>IRCv3: CAP negotiation, server-time, message-tags with TAGMSG, echo-message, multi-prefix.</summary>
    public class IrcCapabilityTests
    {
        [Fact]
        public void CapLsHoldsRegistrationUntilCapEnd()
        {
            using var fx = IrcBasicsTests.Irc();
            using var c = IrcTestClient.Connect(fx);
            c.Send("CAP LS 302");
            Assert.Equal(":irc.test CAP * LS :away-notify batch cap-notify draft/chathistory draft/message-redaction draft/metadata-3=before-connect,maxsub=20,maxkey=20 draft/multiline=max-bytes=4096,max-lines=100 draft/read-marker echo-message extended-monitor invite-notify labeled-response message-tags multi-prefix server-time setname standard-replies userhost-in-names pschat.dev/payload=rate=1048576,burst=262144,lines=2,line-burst=10", c.NextLine());
            c.Send("NICK alice");
            c.Send("USER a 0 * :A");
            c.Send("CAP REQ :server-time multi-prefix");
            Assert.Equal(":irc.test CAP alice ACK :server-time multi-prefix", c.NextLine());
            c.Send("CAP REQ :server-time sasl");
            Assert.Equal(":irc.test CAP alice NAK :server-time sasl", c.NextLine());
            c.Send("CAP LIST");
            Assert.Equal(":irc.test CAP alice LIST :multi-prefix server-time", c.NextLine());
            c.Send("CAP REQ -multi-prefix");
            Assert.Equal(":irc.test CAP alice ACK -multi-prefix", c.NextLine());

            c.Send("CAP END");

            Assert.Equal("001", c.Next().Command);
        }

        [Fact]
        public void ServerTimeTagsEveryRelayedEvent()
        {
            using var fx = IrcBasicsTests.Irc();
            using var a = IrcTestClient.Register(fx, "alice", "server-time");
            using var b = IrcTestClient.Register(fx, "bob");
            a.Join("#chan");
            b.Join("#chan");

            Assert.Matches(@"^@time=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z :bob!bob@127\.0\.0\.1 JOIN #chan$", a.NextLine());
            b.Send("PRIVMSG #chan :hi all");
            var message = a.Next();
            Assert.Equal("PRIVMSG", message.Command);
            var time = DateTime.Parse(message.Tags["time"]!, null, System.Globalization.DateTimeStyles.RoundtripKind);
            Assert.InRange((DateTime.UtcNow - time).TotalSeconds, -1, 5);
        }

        [Fact]
        public void ClientTagsAndTagmsgReachOnlyMembersWithMessageTags()
        {
            using var fx = IrcBasicsTests.Irc();
            using var a = IrcTestClient.Register(fx, "alice", "message-tags");
            using var b = IrcTestClient.Register(fx, "bob", "message-tags");
            using var c = IrcTestClient.Register(fx, "carol");
            IrcTestClient.JoinAll("#chan", a, b, c);

            a.Send("@+draft/react=\\:-) TAGMSG #chan");
            a.Send("@+example=a\\sb;nope=x PRIVMSG #chan :tagged");

            b.SkipTo("TAGMSG");
            Assert.Matches(@"^@\+draft/react=\\:-\);msgid=[0-9a-f]+-[0-9a-f]+ :alice!alice@127\.0\.0\.1 TAGMSG #chan$", b.LastLine);
            string? reactionId = IrcMessage.Parse(b.LastLine)!.Tags["msgid"];
            var tagged = b.Next();
            Assert.Matches(@"^@\+example=a\\sb;msgid=[0-9a-f]+-[0-9a-f]+ :alice!alice@127\.0\.0\.1 PRIVMSG #chan tagged$", b.LastLine);
            Assert.NotEqual(reactionId, tagged.Tags["msgid"]);
            c.SkipTo("PRIVMSG");
            Assert.Equal(":alice!alice@127.0.0.1 PRIVMSG #chan tagged", c.LastLine);
        }

        /// <summary>IRCv3 message-ids (irctest message_tags.py testBasic): the echo and every copy share one msgid.</summary>
        [Fact]
        public void EveryCopyOfAMessageCarriesTheSameMsgid()
        {
            using var fx = IrcBasicsTests.Irc();
            using var a = IrcTestClient.Register(fx, "alice", "message-tags echo-message");
            using var b = IrcTestClient.Register(fx, "bob", "message-tags");
            IrcTestClient.JoinAll("#chan", a, b);

            a.Send("PRIVMSG #chan :with an id");

            var echo = a.Next();
            var copy = b.Next();
            Assert.Equal("PRIVMSG", echo.Command);
            Assert.Equal("PRIVMSG", copy.Command);
            Assert.False(string.IsNullOrEmpty(echo.Tags["msgid"]));
            Assert.Equal(echo.Tags["msgid"], copy.Tags["msgid"]);
        }

        [Fact]
        public void EchoMessageSendsTheSenderItsOwnMessage()
        {
            using var fx = IrcBasicsTests.Irc();
            using var a = IrcTestClient.Register(fx, "alice", "echo-message");
            using var b = IrcTestClient.Register(fx, "bob");
            a.Join("#chan");

            a.Send("PRIVMSG #chan :to myself");
            a.Send("NOTICE bob :to bob");

            Assert.Equal(":alice!alice@127.0.0.1 PRIVMSG #chan :to myself", a.NextLine());
            Assert.Equal(":alice!alice@127.0.0.1 NOTICE bob :to bob", a.NextLine());
            Assert.Equal(":alice!alice@127.0.0.1 NOTICE bob :to bob", b.NextLine());
        }

        [Fact]
        public void MultiPrefixShowsEveryStatusInNamesWhoAndWhois()
        {
            using var fx = IrcBasicsTests.Irc();
            using var a = IrcTestClient.Register(fx, "alice", "multi-prefix");
            using var b = IrcTestClient.Register(fx, "bob");
            a.Join("#chan");
            a.Send("MODE #chan +v alice");
            a.Expect("MODE");
            b.Join("#chan");
            a.Expect("JOIN");

            a.Send("NAMES #chan");
            Assert.Equal(":irc.test 353 alice = #chan :@+alice bob", a.NextLine());
            a.Expect("366");
            b.Send("NAMES #chan");
            Assert.Equal(":irc.test 353 bob = #chan :@alice bob", b.NextLine());
            b.Expect("366");

            a.Send("WHO #chan");
            Assert.Equal(":irc.test 352 alice #chan alice 127.0.0.1 irc.test alice H@+ :0 Real alice", a.NextLine());
            Assert.Equal(":irc.test 352 alice #chan bob 127.0.0.1 irc.test bob H :0 Real bob", a.NextLine());
            Assert.Equal(":irc.test 315 alice #chan :End of WHO list", a.NextLine());

            b.Send("WHOIS alice");
            Assert.Equal(":irc.test 311 bob alice alice 127.0.0.1 * :Real alice", b.NextLine());
            Assert.Equal(":irc.test 319 bob alice @#chan", b.NextLine());
            Assert.Equal(":irc.test 312 bob alice irc.test :PSChat chat server", b.NextLine());
            Assert.Matches(@"^:irc\.test 317 bob alice \d+ \d+ :seconds idle, signon time$", b.NextLine());
            Assert.Equal(":irc.test 318 bob alice :End of /WHOIS list", b.NextLine());
        }

        [Fact]
        public void WhoisOfAnInvisibleUserListsOnlySharedChannels()
        {
            using var fx = IrcBasicsTests.Irc();
            using var a = IrcTestClient.Register(fx, "alice");
            using var b = IrcTestClient.Register(fx, "bob");
            a.Send("MODE alice +i");
            a.Expect("MODE");
            a.Join("#shared");
            a.Join("#secret");
            b.Join("#shared");

            b.Send("WHOIS alice");
            b.Expect("311");
            Assert.Equal(":irc.test 319 bob alice @#shared", b.NextLine());

            a.Send("WHOIS alice");
            a.SkipTo("311");
            Assert.Matches(@"^:irc\.test 319 alice alice :?(@#shared @#secret|@#secret @#shared)$", a.NextLine());
        }

        [Fact]
        public void AwayIsShownToSendersAndInWhois()
        {
            using var fx = IrcBasicsTests.Irc();
            using var a = IrcTestClient.Register(fx, "alice");
            using var b = IrcTestClient.Register(fx, "bob");
            a.Send("AWAY :gone fishing");
            a.Expect("306");

            b.Send("PRIVMSG alice :you there?");
            Assert.Equal(":irc.test 301 bob alice :gone fishing", b.NextLine());
            b.Send("WHOIS alice");
            b.SkipTo("301");
            Assert.Equal(":irc.test 301 bob alice :gone fishing", b.LastLine);
        }

        [Fact]
        public void TopicIsSetShownAndAnnounced()
        {
            using var fx = IrcBasicsTests.Irc();
            using var a = IrcTestClient.Register(fx, "alice");
            using var b = IrcTestClient.Register(fx, "bob");
            a.Join("#chan");
            a.Send("TOPIC #chan :all about cheese");
            Assert.Equal(":alice!alice@127.0.0.1 TOPIC #chan :all about cheese", a.NextLine());

            b.Send("JOIN #chan");
            b.Expect("JOIN");
            Assert.Equal(":irc.test 332 bob #chan :all about cheese", b.NextLine());
            Assert.Matches(@"^:irc\.test 333 bob #chan alice \d+$", b.NextLine());

            b.Send("LIST");
            b.SkipTo("321");
            Assert.Equal(":irc.test 321 bob Channel :Users  Name", b.LastLine);
            Assert.Equal(":irc.test 322 bob #chan 2 :all about cheese", b.NextLine());
            Assert.Equal(":irc.test 323 bob :End of /LIST", b.NextLine());
        }

        [Fact]
        public void KickRemovesTheMemberAndTellsEveryone()
        {
            using var fx = IrcBasicsTests.Irc();
            using var a = IrcTestClient.Register(fx, "alice");
            using var b = IrcTestClient.Register(fx, "bob");
            IrcTestClient.JoinAll("#chan", a, b);

            a.Send("KICK #chan bob :behave");

            Assert.Equal(":alice!alice@127.0.0.1 KICK #chan bob behave", a.NextLine());
            Assert.Equal(":alice!alice@127.0.0.1 KICK #chan bob behave", b.NextLine());
            b.Send("PRIVMSG #chan :let me in");
            Assert.Equal(":irc.test 404 bob #chan :Cannot send to channel", b.NextLine());
        }

        [Fact]
        public void NickChangeAndJoinZeroAreSeenOnceByEachNeighbour()
        {
            using var fx = IrcBasicsTests.Irc();
            using var a = IrcTestClient.Register(fx, "alice");
            using var b = IrcTestClient.Register(fx, "bob");
            foreach (string room in new[] { "#one", "#two" })
            {
                IrcTestClient.JoinAll(room, a, b);
            }

            b.Send("NICK Robert");
            Assert.Equal(":bob!bob@127.0.0.1 NICK Robert", b.NextLine());
            Assert.Equal(":bob!bob@127.0.0.1 NICK Robert", a.NextLine());
            b.Send("JOIN 0");
            Assert.Equal(":Robert!bob@127.0.0.1 PART #one", a.NextLine());
            Assert.Equal(":Robert!bob@127.0.0.1 PART #two", a.NextLine());
            a.AssertNothingPending();
        }

        [Fact]
        public void ClosedConnectionIsAQuitForNeighbours()
        {
            using var fx = IrcBasicsTests.Irc();
            using var a = IrcTestClient.Register(fx, "alice");
            var b = IrcTestClient.Register(fx, "bob");
            IrcTestClient.JoinAll("#chan", a, b);

            b.Dispose();

            Assert.Matches(new Regex("^:bob!bob@127\\.0\\.0\\.1 QUIT :client closed the connection$"), a.NextLine());
        }
    }
}
