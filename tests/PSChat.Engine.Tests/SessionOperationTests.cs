using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using PSChat.Engine.Client;
using Xunit;

namespace PSChat.Engine.Tests
{
    /// <summary>
    /// The IRC operations a script waits on (issue 13): each completes on the server's answer to its own
    /// command, fails with the numeric that refused it, and never waits past its timeout or a Ctrl+C.
    /// </summary>
    public class SessionOperationTests
    {
        private static async Task<(FakeIrcServer Irc, ChatSession Session)> ConnectedAsync(TimeSpan? timeout = null)
        {
            var irc = new FakeIrcServer();
            var options = irc.Options("alice");
            options.PaceLinesPerSecond = 0; // these tests read each line as it is sent
            if (timeout != null) options.Timeout = timeout.Value;
            var connecting = irc.Connect(options);
            irc.AcceptRegistration();
            return (irc, await connecting);
        }

        /// <summary>The PING the session sends after a command whose success may be silent; returns its token.</summary>
        private static string ExpectMarker(FakeIrcServer irc)
        {
            string line = irc.Client.ReadLine();
            Assert.StartsWith("PING pschat-op-", line);
            return line.Substring("PING ".Length).TrimEnd('\r', '\n');
        }

        [Fact]
        public async Task JoinCompletesOnItsOwnEchoNotOnAnotherRoomsRefusal()
        {
            var (irc, session) = await ConnectedAsync();
            using (irc)
            using (session)
            {
                var join = session.JoinAsync("ops");
                irc.Expect("JOIN #ops");
                irc.Send(":irc.test 403 alice #other :No such channel");
                irc.Send(":irc.test 404 alice #ops2 :Cannot send to channel");
                Assert.False(join.IsCompleted);
                irc.Send(":alice!~alice@127.0.0.1 JOIN #ops");
                await join.WaitAsync(TimeSpan.FromSeconds(5));
                Assert.Equal(new[] { "#lobby", "#ops" }, session.Rooms);
            }
        }

        [Fact]
        public async Task JoinFailsWithTheNumericThatNamesItsRoom()
        {
            var (irc, session) = await ConnectedAsync();
            using (irc)
            using (session)
            {
                var join = session.JoinAsync("#vault");
                irc.Expect("JOIN #vault");
                irc.Send(":irc.test 475 alice #vault :Cannot join channel (+k)");
                var refused = await Assert.ThrowsAsync<ChatCommandRefusedException>(() => join.WaitAsync(TimeSpan.FromSeconds(5)));
                Assert.Equal("475", refused.Numeric);
                Assert.Equal("#vault", refused.Subject);
                Assert.Equal("Cannot join channel (+k)", refused.ServerText);
                Assert.Equal(new[] { "#lobby" }, session.Rooms);
            }
        }

        [Fact]
        public async Task JoiningARoomTheSessionIsInSendsNothing()
        {
            var (irc, session) = await ConnectedAsync();
            using (irc)
            using (session)
            {
                await session.JoinAsync("#LOBBY").WaitAsync(TimeSpan.FromSeconds(5));
                session.RequestMembers("#lobby");
                irc.Expect("NAMES #lobby"); // the next line: no JOIN went before it
            }
        }

        [Fact]
        public async Task ModeWaitsForItsMarkerAndTakesAnErrorBeforeIt()
        {
            var (irc, session) = await ConnectedAsync();
            using (irc)
            using (session)
            {
                var unchanged = session.SetModeAsync("#lobby", "+t");
                irc.Expect("MODE #lobby +t");
                string token = ExpectMarker(irc);
                Assert.False(unchanged.IsCompleted);
                irc.Send(":irc.test PONG irc.test :" + token);
                await unchanged.WaitAsync(TimeSpan.FromSeconds(5));

                var refused = session.SetModeAsync("#lobby", "+o", new[] { "bob" });
                irc.Expect("MODE #lobby +o bob");
                token = ExpectMarker(irc);
                irc.Send(":irc.test 482 alice #lobby :You're not channel operator");
                irc.Send(":irc.test PONG irc.test :" + token);
                var ex = await Assert.ThrowsAsync<ChatCommandRefusedException>(() => refused.WaitAsync(TimeSpan.FromSeconds(5)));
                Assert.Equal("482", ex.Numeric);
                Assert.Equal("The server refused 'MODE #lobby +o bob': 482 #lobby: You're not channel operator", ex.Message);
            }
        }

        [Fact]
        public async Task NickChangesTheNameBeforeItCompletes()
        {
            var (irc, session) = await ConnectedAsync();
            using (irc)
            using (session)
            {
                var nick = session.ChangeNameAsync("alice2");
                irc.Expect("NICK alice2");
                string token = ExpectMarker(irc);
                irc.Send(":alice!~alice@127.0.0.1 NICK :alice2");
                irc.Send(":irc.test PONG irc.test :" + token);
                await nick.WaitAsync(TimeSpan.FromSeconds(5));
                Assert.Equal("alice2", session.Name);
            }
        }

        [Fact]
        public async Task KickAnswersOnlyToTheEchoOfItsOwnNick()
        {
            var (irc, session) = await ConnectedAsync();
            using (irc)
            using (session)
            {
                var kick = session.KickAsync("#lobby", "bob", "spam");
                irc.Expect("KICK #lobby bob spam");
                irc.Send(":carol!~carol@127.0.0.1 KICK #lobby bob :not alice's");
                irc.Send(":alice!~alice@127.0.0.1 KICK #lobby dave :another one");
                Assert.False(kick.IsCompleted);
                irc.Send(":alice!~alice@127.0.0.1 KICK #lobby bob :spam");
                await kick.WaitAsync(TimeSpan.FromSeconds(5));
            }
        }

        [Fact]
        public async Task RawLineCollectsTheServersAnswerNotOtherPeoplesChat()
        {
            var (irc, session) = await ConnectedAsync();
            using (irc)
            using (session)
            {
                var whois = session.SendCommandAsync("WHOIS bob");
                irc.Expect("WHOIS bob");
                string token = ExpectMarker(irc);
                irc.Send(":irc.test 311 alice bob ~bob 127.0.0.1 * :Bob");
                irc.Send(":carol!~carol@127.0.0.1 PRIVMSG #lobby :hello all");
                irc.Send(":irc.test 401 alice bobby :No such nick");
                irc.Send(":irc.test 318 alice bob :End of WHOIS list");
                irc.Send(":irc.test PONG irc.test :" + token);
                var result = await whois.WaitAsync(TimeSpan.FromSeconds(5));
                Assert.Equal(new[] { ":irc.test 311 alice bob ~bob 127.0.0.1 * :Bob" }, result.Replies.Select(r => r.Raw));
                Assert.Equal("401", Assert.Single(result.Refusals).Numeric);
            }
        }

        [Fact]
        public async Task RawLineIsCheckedBeforeAnythingIsSent()
        {
            var (irc, session) = await ConnectedAsync();
            using (irc)
            using (session)
            {
                foreach (string line in new[] { "PRIVMSG #a :x\r\nJOIN #pwned", "JOIN #pwned\n", "JOIN\0#pwned", "PRIVMSG x :" + new string('y', 500), "QUIT :bye", " " })
                {
                    await Assert.ThrowsAsync<ArgumentException>(() => session.SendCommandAsync(line));
                }

                await Assert.ThrowsAsync<ArgumentException>(() => session.SetModeAsync("#lobby", "+o\r\nQUIT"));
                await Assert.ThrowsAsync<ArgumentException>(() => session.SetModeAsync("#lobby", "+o", new[] { ":all of it" }));
                await Assert.ThrowsAsync<ArgumentException>(() => session.SetTopicAsync("#lobby", "a\nJOIN #pwned"));
                session.RequestMembers("#lobby");
                irc.Expect("NAMES #lobby");
            }
        }

        [Fact]
        public async Task NoAnswerIsATimeout()
        {
            var (irc, session) = await ConnectedAsync();
            using (irc)
            using (session)
            {
                session.Options.Timeout = TimeSpan.FromMilliseconds(300);
                var topic = session.SetTopicAsync("#lobby", "so quiet");
                irc.Expect("TOPIC #lobby :so quiet");
                var ex = await Assert.ThrowsAsync<TimeoutException>(() => topic.WaitAsync(TimeSpan.FromSeconds(10)));
                Assert.Equal("The server did not answer 'TOPIC #lobby :so quiet' within 0.3 s.", ex.Message);
            }
        }

        [Fact]
        public async Task CancellingStopsTheWait()
        {
            var (irc, session) = await ConnectedAsync(TimeSpan.FromMinutes(5));
            using (irc)
            using (session)
            using (var cancel = new CancellationTokenSource())
            {
                var part = session.PartAsync("#lobby", null, cancel.Token);
                irc.Expect("PART #lobby");
                cancel.Cancel();
                await Assert.ThrowsAnyAsync<OperationCanceledException>(() => part.WaitAsync(TimeSpan.FromSeconds(5)));
            }
        }

        [Fact]
        public async Task AClosedConnectionEndsTheWait()
        {
            var (irc, session) = await ConnectedAsync(TimeSpan.FromMinutes(5));
            using (irc)
            using (session)
            {
                var part = session.PartAsync("#lobby");
                irc.Expect("PART #lobby");
                irc.Client.Dispose();
                var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => part.WaitAsync(TimeSpan.FromSeconds(5)));
                Assert.StartsWith($"Session {session.Id}'s connection closed before the server answered 'PART #lobby'", ex.Message);
            }
        }

        [Fact]
        public async Task TheRosterFollowsNamesJoinsPartsKicksQuitsAndNicks()
        {
            var (irc, session) = await ConnectedAsync();
            using (irc)
            using (session)
            {
                irc.Send(":irc.test 353 alice = #lobby :@alice +bob carol");
                irc.Send(":dave!~dave@127.0.0.1 JOIN #lobby");
                irc.Send(":bob!~bob@127.0.0.1 NICK :robert");
                irc.Send(":carol!~carol@127.0.0.1 PART #lobby");
                irc.Send(":alice!~alice@127.0.0.1 KICK #lobby dave :out");
                irc.Send(":eve!~eve@127.0.0.1 JOIN #lobby");
                irc.Send(":eve!~eve@127.0.0.1 QUIT :gone");
                Assert.Equal(TakeResult.Taken, WaitFor(session, m => m.Kind == ChatMessageKind.Quit)); // the last line, read in order
                Assert.Equal(new[] { "alice", "robert" }, session.GetMembers("lobby"));
            }
        }

        private static TakeResult WaitFor(ChatSession session, Func<ChatMessage, bool> match)
        {
            while (true)
            {
                var result = session.Receive(TimeSpan.FromSeconds(5), CancellationToken.None, out var message);
                if (result != TakeResult.Taken || match(message!)) return result;
            }
        }
    }
}
