using System;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using PSChat.Engine.Client;
using PSChat.Engine.Irc;
using Xunit;

namespace PSChat.Engine.Tests
{
    public class IrcClientTests
    {
        private static ChatMessage Next(ChatSession session)
        {
            Assert.Equal(TakeResult.Taken, session.Receive(TimeSpan.FromSeconds(5), CancellationToken.None, out var message));
            return message!;
        }

        [Fact]
        public async Task RegistersWithCapabilitiesPasswordAndKeyedRooms()
        {
            using var irc = new FakeIrcServer();
            var options = irc.Options("alice", ChatProtocol.Irc, "#a", "b secret");
            options.Password = Secret.Of("hunter2");
            var connecting = irc.Connect(options);

            irc.Expect("CAP LS 302");
            irc.Expect("PASS hunter2");
            irc.Expect("NICK alice");
            irc.Expect("USER alice 0 * PSChat");
            irc.Send(":irc.test CAP * LS * :sasl echo-message");
            irc.Send(":irc.test CAP * LS :multi-prefix server-time message-tags");
            irc.Expect("CAP REQ :server-time message-tags multi-prefix");
            irc.Send(":irc.test CAP alice ACK :server-time message-tags multi-prefix");
            irc.Expect("CAP END");
            irc.Welcome("alice");
            irc.Expect("JOIN #a");
            irc.Expect("JOIN #b secret");
            Assert.False(connecting.IsCompleted);
            irc.Send(":alice!~alice@127.0.0.1 JOIN #a");
            irc.Send(":irc.test 353 alice = #a :@alice");
            irc.Send(":irc.test 366 alice #a :End of /NAMES list");
            irc.Send(":irc.test 475 alice #b :Cannot join channel (+k)");

            using var session = await connecting;
            Assert.Equal(ChatProtocol.Irc, session.Protocol);
            Assert.Equal("alice", session.Name);
            Assert.Equal("irc.test", session.ServerName);
            Assert.Equal(new[] { "#a" }, session.Rooms);
            Assert.Equal(new[] { "server-time", "message-tags", "multi-prefix" }, session.Capabilities);
            Assert.Equal("rfc1459", session.ServerSupport["CASEMAPPING"]);
            Assert.Equal("(ov)@+", session.ServerSupport["PREFIX"]);
            var refused = Next(session);
            Assert.Equal(ChatMessageKind.System, refused.Kind);
            Assert.Equal("#b", refused.Room);
            Assert.Equal("#b: Cannot join channel (+k)", refused.Text);
            Assert.Equal(0, session.MessagesPending);
        }

        [Fact]
        public async Task NickCollisionRetriesWithASuffixAndTheSessionShowsTheNickItGot()
        {
            using var irc = new FakeIrcServer();
            var connecting = irc.Connect(irc.Options("alice"));
            irc.Expect("CAP LS 302");
            irc.Expect("NICK alice");
            irc.Expect("USER alice 0 * PSChat");
            irc.Send(":irc.test CAP * LS :");
            irc.Expect("CAP END");
            irc.Send(":irc.test 433 * alice :Nickname is already in use");
            irc.Expect("NICK alice_");
            irc.Send(":irc.test 433 * alice_ :Nickname is already in use");
            irc.Expect("NICK alice2");
            irc.Welcome("alice2");
            irc.JoinLobby("alice2");

            using var session = await connecting;
            Assert.Equal("alice2", session.Name);
            Assert.Equal(0, session.MessagesPending);
        }

        [Fact]
        public async Task ErroneousNickIsCleanedAndShortened()
        {
            using var irc = new FakeIrcServer();
            var connecting = irc.Connect(irc.Options("Zoë Smith-Jones"));
            irc.Expect("CAP LS 302");
            irc.Expect("NICK :Zoë Smith-Jones");
            irc.Expect("USER ZoSmithJon 0 * PSChat");
            irc.Send(":irc.test 432 * :Zoë Smith-Jones :Erroneous nickname");
            irc.Expect("NICK ZoSmith-_");
            irc.Send(":irc.test CAP * LS :");
            irc.Expect("CAP END");
            irc.Welcome("ZoSmith-_");
            irc.JoinLobby("ZoSmith-_");

            using var session = await connecting;
            Assert.Equal("ZoSmith-_", session.Name);
        }

        [Fact]
        public async Task AnswersPingBeforeAndAfterRegistration()
        {
            using var irc = new FakeIrcServer();
            var connecting = irc.Connect(irc.Options("alice"));
            irc.Expect("CAP LS 302");
            irc.Expect("NICK alice");
            irc.Expect("USER alice 0 * PSChat");
            irc.Send("PING :cookie-1");
            irc.Expect("PONG cookie-1");
            irc.Send(":irc.test CAP * LS :");
            irc.Expect("CAP END");
            irc.Welcome("alice");
            irc.JoinLobby("alice");
            using var session = await connecting;

            irc.Send(":irc.test PING irc.test :with space");
            irc.Expect("PONG irc.test :with space");
            Assert.Equal(0, session.MessagesPending);
        }

        [Theory]
        [InlineData(":irc.test 464 * :Password incorrect", "The server refused the password (464: Password incorrect).")]
        [InlineData(":irc.test 465 * :You are banned from this server", "The server refused the connection (465: You are banned from this server).")]
        [InlineData("ERROR :Closing link: (alice@127.0.0.1) [K-Lined]", "The server ended the connection: Closing link: (alice@127.0.0.1) [K-Lined]")]
        public async Task RegistrationRefusalIsAProtocolExceptionWithTheServersReason(string reply, string expected)
        {
            using var irc = new FakeIrcServer();
            var connecting = irc.Connect(irc.Options("alice"));
            irc.Expect("CAP LS 302");
            irc.Send(reply);

            var ex = await Assert.ThrowsAsync<ChatProtocolException>(() => connecting);
            Assert.Equal(expected, ex.Message);
        }

        [Fact]
        public async Task ServerThatNeverWelcomesTimesOutAsARegistrationFailure()
        {
            using var irc = new FakeIrcServer();
            var options = irc.Options("alice");
            options.Timeout = TimeSpan.FromSeconds(2.5);
            var connecting = irc.Connect(options);
            irc.Expect("CAP LS 302");

            var ex = await Assert.ThrowsAsync<ChatProtocolException>(() => connecting);
            Assert.Equal($"127.0.0.1:{irc.Port} accepted the connection but did not complete IRC registration as 'alice' within 2.5 s.", ex.Message);
        }

        [Fact]
        public async Task ServerCloseDuringRegistrationIsAProtocolException()
        {
            using var irc = new FakeIrcServer();
            var connecting = irc.Connect(irc.Options("alice"));
            irc.Expect("CAP LS 302");
            irc.Client.Dispose();

            var ex = await Assert.ThrowsAsync<ChatProtocolException>(() => connecting);
            Assert.StartsWith("The server closed the connection during IRC registration", ex.Message);
        }

        [Theory]
        [InlineData(":bob!b@h PRIVMSG #a :hi all", ChatMessageKind.Message, "#a", "bob", "hi all", null)]
        [InlineData(":bob!b@h PRIVMSG alice :psst", ChatMessageKind.Private, null, "bob", "psst", "alice")]
        [InlineData(":bob!b@h NOTICE #a :fyi", ChatMessageKind.Notice, "#a", "bob", "fyi", null)]
        [InlineData(":bob!b@h JOIN #a", ChatMessageKind.Join, "#a", "bob", "joined", null)]
        [InlineData(":bob!b@h PART #a :bye now", ChatMessageKind.Part, "#a", "bob", "bye now", null)]
        [InlineData(":bob!b@h QUIT :Quit: gone", ChatMessageKind.Quit, null, "bob", "Quit: gone", null)]
        [InlineData(":bob!b@h NICK robert", ChatMessageKind.Nick, null, "bob", "robert", null)]
        [InlineData(":bob!b@h TOPIC #a :new topic", ChatMessageKind.Topic, "#a", "bob", "new topic", null)]
        [InlineData(":bob!b@h KICK #a carol :spam", ChatMessageKind.Kick, "#a", "bob", "spam", "carol")]
        [InlineData(":irc.test 401 alice nobody :No such nick/channel", ChatMessageKind.System, null, "irc.test", "nobody: No such nick/channel", null)]
        [InlineData(":bob!b@h PRIVMSG #a :\u0001ACTION waves\u0001", ChatMessageKind.Message, "#a", "bob", "* bob waves", null)]
        [InlineData(":irc.test 372 alice :- be nice", ChatMessageKind.System, null, "irc.test", "- be nice", null)]
        public async Task ReceivesTypedMessages(string line, ChatMessageKind kind, string? room, string? sender, string text, string? target)
        {
            using var irc = new FakeIrcServer();
            var connecting = irc.Connect(irc.Options("alice"));
            irc.AcceptRegistration();
            using var session = await connecting;

            irc.Send(line);

            var message = Next(session);
            Assert.Equal(kind, message.Kind);
            Assert.Equal(room, message.Room);
            Assert.Equal(sender, message.Sender);
            Assert.Equal(text, message.Text);
            Assert.Equal(target, message.Target);
            Assert.Equal(line, message.Raw);
            Assert.Equal(session.Id, message.SessionId);
        }

        [Fact]
        public async Task CtcpRequestsAreNotChat()
        {
            using var irc = new FakeIrcServer();
            var connecting = irc.Connect(irc.Options("alice"));
            irc.AcceptRegistration();
            using var session = await connecting;

            irc.Send(":bob!b@h PRIVMSG alice :\u0001VERSION\u0001");
            irc.Send(":bob!b@h PRIVMSG alice :after");

            Assert.Equal("after", Next(session).Text);
            Assert.Equal(0, session.MessagesPending);
        }

        [Fact]
        public async Task TimeComesFromServerTimeWhenPresent()
        {
            using var irc = new FakeIrcServer();
            var connecting = irc.Connect(irc.Options("alice"));
            irc.AcceptRegistration();
            using var session = await connecting;

            irc.Send("@time=2026-11-29T01:02:03.456Z;msgid=x :bob!b@h PRIVMSG #a :stamped");
            irc.Send(":bob!b@h PRIVMSG #a :unstamped");

            var stamped = Next(session);
            Assert.Equal(new DateTime(2026, 11, 29, 1, 2, 3, 456, DateTimeKind.Utc), stamped.Time.ToUniversalTime());
            Assert.Equal(DateTimeKind.Local, stamped.Time.Kind);
            var unstamped = Next(session);
            Assert.True((DateTime.Now - unstamped.Time).Duration() < TimeSpan.FromSeconds(5));
        }

        [Fact]
        public async Task TracksRoomsAndNickFromTheServersEchoes()
        {
            using var irc = new FakeIrcServer();
            var connecting = irc.Connect(irc.Options("alice"));
            irc.AcceptRegistration();
            using var session = await connecting;

            session.Join("ops", "k3y");
            irc.Expect("JOIN #ops k3y");
            irc.Send(":alice!~alice@h JOIN #ops");
            session.Join("#b");
            irc.Expect("JOIN #b");
            irc.Send(":ALICE!~alice@h JOIN #b");
            irc.Send(":alice!~alice@h NICK alicia");
            session.Part("#ops", "later");
            irc.Expect("PART #ops later");
            irc.Send(":alicia!~alice@h PART #ops :later");

            Assert.Equal(ChatMessageKind.Join, Next(session).Kind);
            Assert.Equal(ChatMessageKind.Join, Next(session).Kind);
            Assert.Equal(ChatMessageKind.Nick, Next(session).Kind);
            Assert.Equal("alicia", session.Name);
            Assert.Equal(ChatMessageKind.Part, Next(session).Kind);
            Assert.Equal(new[] { "#lobby", "#b" }, session.Rooms);
            irc.Send(":op!o@h KICK #b alicia :out");
            Assert.Equal(ChatMessageKind.Kick, Next(session).Kind);
            Assert.Equal(new[] { "#lobby" }, session.Rooms);
        }

        [Fact]
        public async Task SendsToRoomsAndNicksAndQuitsWithTheReason()
        {
            using var irc = new FakeIrcServer();
            var connecting = irc.Connect(irc.Options("alice", ChatProtocol.Irc, "#a"));
            irc.AcceptRegistration(room: "#a");
            using var session = await connecting;

            session.Send("hello room");
            session.Join("#b");
            session.Send(":-) two\nlines", room: "#b");
            session.Send("psst", to: "bob");
            session.Disconnect("off to lunch");

            irc.Expect("PRIVMSG #a :hello room");
            irc.Expect("JOIN #b");
            irc.Expect("PRIVMSG #b ::-) two");
            irc.Expect("PRIVMSG #b lines");
            irc.Expect("PRIVMSG bob psst");
            irc.Expect("QUIT :off to lunch");
        }

        [Theory]
        [InlineData("x", 1000, new[] { 474, 474, 52 })]
        [InlineData("é", 500, new[] { 474, 474, 52 })]
        [InlineData("€", 400, new[] { 474, 474, 252 })]
        [InlineData("😀", 300, new[] { 472, 472, 256 })]
        public async Task LongTextIsSplitAtTheServersLimitOnCharacterBoundaries(string unit, int repeat, int[] pieceBytes)
        {
            using var irc = new FakeIrcServer();
            var connecting = irc.Connect(irc.Options("alice", ChatProtocol.Irc, "#a"));
            irc.AcceptRegistration(room: "#a");
            using var session = await connecting;
            string text = string.Concat(Enumerable.Repeat(unit, repeat));

            session.Send(text);

            var received = new StringBuilder();
            foreach (int expected in pieceBytes)
            {
                string line = irc.Client.ReadLine();
                var sent = IrcMessage.Parse(line.TrimEnd('\r', '\n'))!;
                Assert.Equal("PRIVMSG", sent.Command);
                Assert.Equal("#a", sent[0]);
                string piece = sent[1]!;
                Assert.Equal(expected, Encoding.UTF8.GetByteCount(piece));
                Assert.DoesNotContain('\uFFFD', piece);
                string relayed = ":alice!~alice@127.0.0.1 " + line;
                Assert.True(Encoding.UTF8.GetByteCount(relayed) <= 512, "relayed line over 512 bytes");
                received.Append(piece);
            }

            Assert.Equal(text, received.ToString());
        }

        [Theory]
        [InlineData("rfc1459", "Nick[]\\~", "nick{}|^", true)]
        [InlineData("strict-rfc1459", "Nick[]\\~", "nick{}|^", false)]
        [InlineData("strict-rfc1459", "Nick[]\\", "nick{}|", true)]
        [InlineData("ascii", "Nick[]", "nick{}", false)]
        [InlineData("ascii", "NICK", "nick", true)]
        public void CaseMappingFromIsupportDecidesWhatIsTheSameName(string mapping, string a, string b, bool same)
        {
            var support = new IrcServerSupport();
            support.Add(new[] { "me", "CASEMAPPING=" + mapping, "LINELEN=1024", "are supported" });
            Assert.Equal(same, support.SameName(a, b));
            Assert.Equal(1024, support.LineLength);
        }

        [Fact]
        public void SplitterNeverCutsASurrogatePair()
        {
            var pieces = PSChat.Engine.Text.Utf8Splitter.Split("ab😀cd", 5);
            Assert.Equal(new[] { "ab", "😀c", "d" }, pieces);
            Assert.Equal(new[] { "" }, PSChat.Engine.Text.Utf8Splitter.Split("", 10));
        }
    }
}
