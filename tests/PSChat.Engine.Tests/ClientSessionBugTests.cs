using System;
using System.Threading;
using System.Threading.Tasks;
using PSChat.Engine.Client;
using Xunit;

namespace PSChat.Engine.Tests
{
    /// <summary>The client-session bugs a new user hit (issue 13), each against a scripted IRC server.</summary>
    public class ClientSessionBugTests
    {
        private static ChatMessage Next(ChatSession session)
        {
            Assert.Equal(TakeResult.Taken, session.Receive(TimeSpan.FromSeconds(5), CancellationToken.None, out var message));
            return message!;
        }

        private static async Task<(FakeIrcServer Irc, ChatSession Session)> ConnectedAsync()
        {
            var irc = new FakeIrcServer();
            var connecting = irc.Connect(irc.Options("alice"));
            irc.AcceptRegistration();
            return (irc, await connecting);
        }

        [Fact]
        public async Task NickAndWhoWorkOnIrcSessions()
        {
            var (irc, session) = await ConnectedAsync();
            using (irc)
            using (session)
            {
                session.ChangeName("bob");
                irc.Expect("NICK bob");
                irc.Send(":alice!~alice@127.0.0.1 NICK :bob");
                Assert.Equal(ChatMessageKind.Nick, Next(session).Kind);
                Assert.Equal("bob", session.Name);

                session.RequestMembers("lobby");
                irc.Expect("NAMES #lobby");
                irc.Send(":irc.test 353 bob = #lobby :@bob carol");
                irc.Send(":irc.test 366 bob #lobby :End of /NAMES list");
                var names = Next(session);
                Assert.Equal(ChatMessageKind.System, names.Kind);
                Assert.Equal("#lobby: @bob carol", names.Text);
            }
        }

        [Theory]
        [InlineData("watcher\r\nJOIN #pwned", null)]
        [InlineData("a,b", null)]
        [InlineData("x y", null)]
        [InlineData(null, "#lobby\r\nJOIN #pwned")]
        [InlineData(null, "#a,#b")]
        public async Task TargetsThatWouldInjectOrMultiplyAreRefusedAndNothingIsSent(string? to, string? room)
        {
            var (irc, session) = await ConnectedAsync();
            using (irc)
            using (session)
            {
                var ex = Assert.ThrowsAny<ArgumentException>(() => session.Send("injected", room, to));
                Assert.Equal(to != null ? "to" : "room", ex.ParamName);
                // Nothing went out: the next line the server reads is the marker.
                session.Send("marker", "#lobby");
                irc.Expect("PRIVMSG #lobby marker");
            }
        }

        [Fact]
        public async Task JoinPartAndNickRefuseLineBreaksSpacesAndCommas()
        {
            var (irc, session) = await ConnectedAsync();
            using (irc)
            using (session)
            {
                Assert.Equal("room", Assert.ThrowsAny<ArgumentException>(() => session.Join("#a,#b")).ParamName);
                Assert.Equal("key", Assert.ThrowsAny<ArgumentException>(() => session.Join("#a", "k\r\nQUIT")).ParamName);
                Assert.Equal("reason", Assert.ThrowsAny<ArgumentException>(() => session.Part("#lobby", "bye\nJOIN #x")).ParamName);
                Assert.Equal("name", Assert.ThrowsAny<ArgumentException>(() => session.ChangeName("bad nick!")).ParamName);
                Assert.Equal("name", Assert.ThrowsAny<ArgumentException>(() => session.ChangeName("#chan")).ParamName);
                session.Send("marker", "#lobby");
                irc.Expect("PRIVMSG #lobby marker");
            }
        }

        [Theory]
        [InlineData("#a,b")]
        [InlineData("#a\r\nQUIT")]
        public async Task ARoomListThatIsNotOneNameFailsAtOnceInsteadOfHanging(string room)
        {
            using var irc = new FakeIrcServer();
            var options = irc.Options("alice", ChatProtocol.Irc, room);
            options.Timeout = TimeSpan.FromSeconds(30);
            var ex = await Assert.ThrowsAnyAsync<ArgumentException>(() => irc.Connect(options));
            Assert.Contains("room name", ex.Message);
        }

        [Fact]
        public async Task TheCloseReasonQuotesTheServersGoodbyeInsteadOfBlamingTheClient()
        {
            var (irc, session) = await ConnectedAsync();
            using (irc)
            using (session)
            {
                irc.Send("ERROR :Closing Link: alice[127.0.0.1] (server is shutting down)");
                irc.Client.Dispose();
                await session.Completion;
                Assert.Equal("the server closed the connection: Closing Link: alice[127.0.0.1] (server is shutting down)", session.CloseReason);
            }
        }

        [Fact]
        public async Task AServerThatJustClosesIsNamedAsTheOneThatClosed()
        {
            var (irc, session) = await ConnectedAsync();
            using (irc)
            using (session)
            {
                irc.Client.Dispose();
                await session.Completion;
                Assert.Equal("server closed the connection", session.CloseReason);
            }
        }

        [Fact]
        public void ServerEventsAreEventArgsSoRegisterObjectEventPassesThem()
        {
            Assert.True(typeof(EventArgs).IsAssignableFrom(typeof(ServerEvent)));
        }

        [Theory]
        [InlineData("::1", 31999, "[::1]:31999")]
        [InlineData("127.0.0.1", 9999, "127.0.0.1:9999")]
        [InlineData("chat.example.test", 6667, "chat.example.test:6667")]
        [InlineData("[::1]", 1, "[::1]:1")]
        public void EndPointsAreWrittenWithIPv6InBrackets(string host, int port, string expected)
        {
            Assert.Equal(expected, PSChat.Engine.Client.HostPort.Format(host, port));
        }

        [Fact]
        public async Task ATimeoutToAnIPv6HostNamesItInBrackets()
        {
            if (!System.Net.Sockets.Socket.OSSupportsIPv6) return; // no ::1 on this machine: nothing to name
            using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.IPv6Loopback, 0);
            listener.Start();
            int port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
            // Accepted and held open, silent: the session can only time out waiting for registration.
            var accepted = listener.AcceptTcpClientAsync();
            var options = new ChatSessionOptions { ComputerName = "::1", Port = port, Name = "alice", Protocol = ChatProtocol.Irc, Timeout = TimeSpan.FromSeconds(3) };
            var ex = await Assert.ThrowsAsync<ChatProtocolException>(() => ChatSession.ConnectAsync(options, CancellationToken.None));
            Assert.True(ex.Message.StartsWith($"[::1]:{port} accepted the connection", StringComparison.Ordinal), ex.Message);
            (await accepted).Dispose();
        }

        [Fact]
        public async Task SendingToARoomNotJoinedOrKickedFromFailsAtOnce()
        {
            var (irc, session) = await ConnectedAsync();
            using (irc)
            using (session)
            {
                var notIn = Assert.Throws<ChatTargetException>(() => session.Send("hello", "#elsewhere"));
                Assert.Equal("#elsewhere", notIn.Target);
                Assert.Contains("is not in #elsewhere", notIn.Message);

                // A room being joined takes messages at once (the server handles them after the JOIN).
                session.Join("#new");
                session.Send("early", "#new");
                irc.Expect("JOIN #new");
                irc.Expect("PRIVMSG #new early");

                irc.Send(":op!~op@127.0.0.1 KICK #lobby alice :behave");
                Assert.Equal(ChatMessageKind.Kick, Next(session).Kind);
                var kicked = Assert.Throws<ChatTargetException>(() => session.Send("still here?", "#lobby"));
                Assert.Contains("was kicked from #lobby", kicked.Message);
                session.Send("marker", to: "op");
                irc.Expect("PRIVMSG op marker");
            }
        }

        [Fact]
        public async Task ATextLineLongerThanTheServerTakesIsSentAsSeveralNamedLines()
        {
            using var fx = new ServerFixture();
            using var listener = TestClient.Connect(fx.EndPoint);
            fx.WaitFor(ServerEventKind.Joined);
            var options = new ChatSessionOptions { ComputerName = "127.0.0.1", Port = fx.EndPoint.Port, Name = "alice", Protocol = ChatProtocol.Text };
            using var session = await ChatSession.ConnectAsync(options, CancellationToken.None);
            fx.WaitFor(ServerEventKind.Joined);

            string text = new string('x', 9001);
            session.Send(text);
            string first = listener.ReadLine();
            string second = listener.ReadLine();
            Assert.Equal(8192 + 1, first.Length); // the server's default line limit, with its LF
            Assert.StartsWith("alice:", first);
            Assert.StartsWith("alice:", second);
            Assert.Equal(text, first.Substring(6).TrimEnd('\n') + second.Substring(6).TrimEnd('\n'));
        }
    }
}
