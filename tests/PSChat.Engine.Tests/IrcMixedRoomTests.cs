using System;
using Xunit;

namespace PSChat.Engine.Tests
{
    /// <summary>Plain text clients and IRC clients in the default room see each other.</summary>
    public class IrcMixedRoomTests
    {
        [Fact]
        public void AClientSilentPastTheDetectionTimeoutStillStartsIrcWithItsFirstLine()
        {
            using var fx = IrcBasicsTests.Irc(o => o.DetectTimeout = TimeSpan.FromMilliseconds(50));
            using var alice = IrcTestClient.Register(fx, "alice");
            alice.Join("#lobby");

            using var late = TestClient.Connect(fx.EndPoint);
            string guest = alice.Next().SourceNick!;
            late.Write("NICK late\r\nUSER late 0 * :Late Comer\r\n");

            Assert.StartsWith(":irc.test 001 late ", late.ReadLine());
            Assert.Equal($":{guest}!text@127.0.0.1 QUIT :Connection closed", alice.NextLine());
        }

        [Fact]
        public void TheFirstIrcUserInALobbyOfTextClientsIsItsOperator()
        {
            using var fx = IrcBasicsTests.Irc(o => o.DetectTimeout = TimeSpan.FromMilliseconds(50));
            using var text = TestClient.Connect(fx.EndPoint);
            text.Write("carol:here first\n");
            fx.WaitFor(ServerEventKind.Message);

            using var alice = IrcTestClient.Register(fx, "alice");
            alice.Join("#lobby");
            alice.Send("NAMES #lobby");

            Assert.Equal(":irc.test 353 alice = #lobby :carol @alice", alice.NextLine());
        }

        [Fact]
        public void ATextLineTooLongForIrcReachesIrcMembersAsSeveralWholeLines()
        {
            using var fx = IrcBasicsTests.Irc(o => o.DetectTimeout = TimeSpan.FromMilliseconds(50));
            using var alice = IrcTestClient.Register(fx, "alice");
            alice.Join("#lobby");
            using var text = TestClient.Connect(fx.EndPoint);
            alice.Expect("JOIN");
            string body = string.Concat(System.Linq.Enumerable.Repeat("ünïcödé ", 150));

            text.Write("carol:" + body + "\n");

            Assert.Equal("NICK", alice.Next().Command);
            var received = new System.Text.StringBuilder();
            while (received.Length < body.Length)
            {
                var line = alice.Next();
                Assert.Equal("PRIVMSG", line.Command);
                Assert.True(System.Text.Encoding.UTF8.GetByteCount(alice.LastLine) + 2 <= 512, "a line over 512 bytes");
                received.Append(line[1]);
            }

            Assert.Equal(body, received.ToString());
        }

        [Fact]
        public void AnIrcMessageThePrefixPushesOver512BytesIsCutShortNotSplit()
        {
            using var fx = IrcBasicsTests.Irc();
            using var alice = IrcTestClient.Register(fx, "alice");
            using var bob = IrcTestClient.Register(fx, "bob");
            alice.Join("#c");
            bob.Join("#c");
            alice.Expect("JOIN");
            string text = new string('x', 512 - "PRIVMSG #c :".Length - 2);

            alice.Send("PRIVMSG #c :" + text);
            alice.Send("PING :relayed");
            alice.SkipTo("PONG");

            var relayed = bob.Next();
            Assert.Equal("PRIVMSG", relayed.Command);
            Assert.True(System.Text.Encoding.UTF8.GetByteCount(bob.LastLine) + 2 <= 512, "a line over 512 bytes");
            Assert.StartsWith(relayed[1]!, text);
            bob.AssertNothingPending();
        }

        [Fact]
        public void TextAndIrcClientsInTheLobbySeeEachOther()
        {
            using var fx = IrcBasicsTests.Irc(o => o.DetectTimeout = TimeSpan.FromMilliseconds(100));
            using var alice = IrcTestClient.Register(fx, "alice");
            alice.Join("#lobby");

            using var text = TestClient.Connect(fx.EndPoint);
            var join = alice.Next();
            Assert.Equal("JOIN", join.Command);
            Assert.Equal("#lobby", join[0]);
            string guest = join.SourceNick!;
            Assert.Matches("^guest[0-9]+$", guest);
            Assert.Equal($":{guest}!text@127.0.0.1 JOIN #lobby", alice.LastLine);

            text.Write("carol:hello irc\n");
            Assert.Equal($":{guest}!text@127.0.0.1 NICK carol", alice.NextLine());
            Assert.Equal(":carol!text@127.0.0.1 PRIVMSG #lobby :hello irc", alice.NextLine());

            alice.Send("PRIVMSG #lobby :hi carol");
            Assert.Equal("alice:hi carol\n", text.ReadLine());
            alice.Send("PRIVMSG carol :just you");
            Assert.Equal("alice:just you\n", text.ReadLine());
            alice.Send("PRIVMSG #lobby :\u0001ACTION waves\u0001 \u001b[2J\u0002bold");
            Assert.Equal("alice:ACTION waves [2J\u0002bold\n", text.ReadLine());

            alice.Send("NAMES #lobby");
            Assert.Equal(":irc.test 353 alice = #lobby :@alice carol", alice.NextLine());
            alice.Expect("366");

            text.Write("exit\n");
            Assert.Equal(":carol!text@127.0.0.1 QUIT :Connection closed", alice.NextLine());
        }

        [Fact]
        public void TextNameThatIsNoIrcNickStaysInTheTextOnIrc()
        {
            using var fx = IrcBasicsTests.Irc(o => o.DetectTimeout = TimeSpan.FromMilliseconds(50));
            using var alice = IrcTestClient.Register(fx, "alice");
            alice.Join("#lobby");
            using var text = TestClient.Connect(fx.EndPoint);
            using var other = TestClient.Connect(fx.EndPoint);
            alice.Expect("JOIN");
            alice.Expect("JOIN");

            text.Write("t.o.m:hi\n");

            Assert.Matches(@"^:guest\d+!text@127\.0\.0\.1 PRIVMSG #lobby t\.o\.m:hi$", alice.NextLine());
            Assert.Equal("t.o.m:hi\n", other.ReadLine());
        }

        [Fact]
        public void IrcClientNeverSeesTextLinesSentWhileItWasBeingDetected()
        {
            using var fx = IrcBasicsTests.Irc();
            using var text = TestClient.Connect(fx.EndPoint);
            text.Write("dave:first\n");
            fx.WaitFor(ServerEventKind.Joined);
            using var irc = TestClient.Connect(fx.EndPoint);
            text.Write("dave:while you connect\n");

            irc.Write("NICK erin\r\nUSER e 0 * :E\r\n");

            Assert.Equal(":irc.test 001 erin :Welcome to the PSChat Network, erin!e@127.0.0.1\r\n", irc.ReadLine());
        }

        [Fact]
        public void ForcedIrcProtocolSkipsDetection()
        {
            using var fx = IrcBasicsTests.Irc(o => o.Protocol = ChatProtocol.Irc);
            using var c = IrcTestClient.Connect(fx);
            c.Send("hello");
            Assert.Equal(":irc.test 451 * :You have not registered", c.NextLine());
        }

        [Fact]
        public void MessageEventsNameTheSendersEndPointEachTime()
        {
            using var fx = IrcBasicsTests.Irc(o => o.DetectTimeout = TimeSpan.FromMilliseconds(50));
            using var alice = IrcTestClient.Register(fx, "alice");
            alice.Join("#lobby");
            using var text = TestClient.Connect(fx.EndPoint);
            alice.Next();
            string ircEnd = alice.Raw.Socket.LocalEndPoint!.ToString()!;
            string textEnd = text.Socket.LocalEndPoint!.ToString()!;

            for (int i = 0; i < 2; i++)
            {
                alice.Send("PRIVMSG #lobby :hi");
                Assert.Equal(ircEnd, fx.WaitFor(ServerEventKind.Message, e => e.Name == "alice").Client);
                text.Write("carol:hi\n");
                Assert.Equal(textEnd, fx.WaitFor(ServerEventKind.Message, e => e.Name == "carol").Client);
            }
        }
    }
}
