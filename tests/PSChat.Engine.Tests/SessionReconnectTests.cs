using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using PSChat.Engine.Client;
using PSChat.Engine.Timing;
using Xunit;

namespace PSChat.Engine.Tests
{
    /// <summary>Sessions a script can rely on: reconnect after a drop, keepalive on a quiet link.</summary>
    public class SessionReconnectTests
    {
        private static ChatMessage NextSystem(ChatSession session, string startsWith)
        {
            while (true)
            {
                Assert.Equal(TakeResult.Taken, session.Receive(TimeSpan.FromSeconds(15), CancellationToken.None, out var message));
                if (message!.Kind == ChatMessageKind.System && message.Text.StartsWith(startsWith, StringComparison.Ordinal)) return message;
            }
        }

        private static ChatSessionOptions Options(int port, string name, params string[] rooms) => new ChatSessionOptions
        {
            ComputerName = "127.0.0.1",
            Port = port,
            Name = name,
            Rooms = rooms,
            Protocol = ChatProtocol.Irc,
            Reconnect = true,
            ReconnectDelay = TimeSpan.FromMilliseconds(20),
            MaxReconnectDelay = TimeSpan.FromMilliseconds(200),
        };

        [Fact]
        public async Task ADroppedSessionReconnectsAsTheSameSessionWithItsNameAndRooms()
        {
            using var fx = new ServerFixture(o => o.Protocol = ChatProtocol.Irc);
            using var session = await ChatSession.ConnectAsync(Options(fx.EndPoint.Port, "bot", "#a", "#b"), CancellationToken.None);
            int id = session.Id;
            fx.ConnectionOf(session).Abort("dropped by the test");

            Assert.StartsWith($"The connection to 127.0.0.1:{fx.EndPoint.Port} dropped", NextSystem(session, "The connection").Text);
            var back = NextSystem(session, "Reconnected");
            Assert.Equal($"Reconnected to 127.0.0.1:{fx.EndPoint.Port} as bot; back in #a, #b.", back.Text);
            Assert.Equal(id, session.Id);
            Assert.Equal(SessionState.Connected, session.State);
            Assert.Equal(1, session.Reconnects);
            Assert.Equal(new[] { "#a", "#b" }, session.Rooms);

            using var other = IrcTestClient.Register(fx, "other");
            other.Join("#b");
            other.Send("PRIVMSG #b :welcome back");
            while (true)
            {
                Assert.Equal(TakeResult.Taken, session.Receive(TimeSpan.FromSeconds(5), CancellationToken.None, out var message));
                if (message!.Kind != ChatMessageKind.Message) continue;
                Assert.Equal("welcome back", message.Text);
                break;
            }
        }

        [Fact]
        public async Task ASessionOutlivesAServerRestartOnTheSamePort()
        {
            var first = new ServerFixture(o => o.Protocol = ChatProtocol.Irc);
            int port = first.EndPoint.Port;
            using var session = await ChatSession.ConnectAsync(Options(port, "bot", "#ops"), CancellationToken.None);
            first.Server.Stop();
            Assert.Contains("server is shutting down", NextSystem(session, "The connection").Text);
            // Attempts fail while nothing listens; the session keeps trying.
            NextSystem(session, "Reconnect attempt 1 failed");
            using var second = new ServerFixture(o => { o.Protocol = ChatProtocol.Irc; o.Port = port; });
            NextSystem(session, "Reconnected");
            Assert.Equal(new[] { "#ops" }, session.Rooms);
            Assert.Equal(SessionState.Connected, session.State);
        }

        [Fact]
        public async Task DisconnectStopsReconnecting()
        {
            var fx = new ServerFixture(o => o.Protocol = ChatProtocol.Irc);
            using var session = await ChatSession.ConnectAsync(Options(fx.EndPoint.Port, "bot"), CancellationToken.None);
            fx.Server.Stop();
            NextSystem(session, "Reconnect attempt 1 failed");
            session.Disconnect("enough");
            await session.Completion;
            Assert.Equal(SessionState.Closed, session.State);
            Assert.Equal("enough", session.CloseReason);
        }

        [Fact]
        public async Task GivesUpAfterTheAttemptsAllowed()
        {
            var fx = new ServerFixture(o => o.Protocol = ChatProtocol.Irc);
            var options = Options(fx.EndPoint.Port, "bot");
            options.MaxReconnectAttempts = 2;
            using var session = await ChatSession.ConnectAsync(options, CancellationToken.None);
            fx.Server.Stop();
            await session.Completion;
            Assert.StartsWith("gave up reconnecting after 2 attempt(s):", session.CloseReason);
        }

        [Fact]
        public async Task AQuietLinkIsPingedAndOneThatStaysQuietIsClosed()
        {
            using var irc = new FakeIrcServer();
            var clock = new ManualClock(0);
            var options = irc.Options("alice");
            options.Clock = clock;
            options.KeepAliveCheckPeriod = TimeSpan.FromMilliseconds(10);
            var connecting = irc.Connect(options);
            irc.AcceptRegistration();
            using var session = await connecting;

            clock.Advance(TimeSpan.FromSeconds(61));
            irc.Expect("PING pschat-keepalive");
            clock.Advance(TimeSpan.FromSeconds(30));
            await session.Completion;
            Assert.Equal("the server did not answer for 91 s (keepalive)", session.CloseReason);
        }
    }
}
