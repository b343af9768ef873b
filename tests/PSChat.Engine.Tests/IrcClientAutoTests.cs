using System;
using System.Threading;
using System.Threading.Tasks;
using PSChat.Engine.Client;
using Xunit;

namespace PSChat.Engine.Tests
{
    /// <summary>Protocol Auto: IRC when the server answers like IRC, text otherwise, with as little said as possible.</summary>
    public class IrcClientAutoTests
    {
        private static ChatSessionOptions AutoOptions(FakeIrcServer server)
        {
            var options = server.Options("alice", ChatProtocol.Auto);
            options.ProbeTimeout = TimeSpan.FromMilliseconds(300);
            return options;
        }

        /// <summary>
        /// For a server that answers: its answer decides, so the probe may wait long (a loaded machine can
        /// take longer than a short probe time to get the answer across, which would make it text).
        /// </summary>
        private static ChatSessionOptions AnsweredOptions(FakeIrcServer server)
        {
            var options = AutoOptions(server);
            options.ProbeTimeout = TimeSpan.FromSeconds(30);
            return options;
        }

        private static ChatMessage Next(ChatSession session)
        {
            Assert.Equal(TakeResult.Taken, session.Receive(TimeSpan.FromSeconds(5), CancellationToken.None, out var message));
            return message!;
        }

        [Theory]
        [InlineData("welcome!\r\n")]
        [InlineData("*** this server speaks plain text\n")]
        public async Task ServerThatGreetsWithANonIrcLineGetsTextAndNothingElse(string greeting)
        {
            using var server = new FakeIrcServer();
            var options = AutoOptions(server);
            options.GreetingWindow = TimeSpan.FromSeconds(2); // a loaded test machine must not turn this into a probe
            var connecting = server.Connect(options);
            server.Client.Write(greeting);

            using var session = await connecting;

            Assert.Equal(ChatProtocol.Text, session.Protocol);
            Assert.Equal(greeting.TrimEnd('\r', '\n').Replace("*** ", string.Empty), Next(session).Text);
            server.Client.AssertNothingBefore("alice:hi\n", () => session.Send("hi"));
        }

        [Fact]
        public async Task TutorialGreetingWithoutLineEndIsTakenAfterTheQuietTime()
        {
            using var server = new FakeIrcServer();
            var options = AutoOptions(server);
            options.GreetingWindow = TimeSpan.FromSeconds(2);
            var connecting = server.Connect(options);
            server.Client.Write("welcome!");

            using var session = await connecting;

            Assert.Equal(ChatProtocol.Text, session.Protocol);
            Assert.Equal("welcome!", Next(session).Text);
            server.Client.AssertNothingBefore("alice:hi\n", () => session.Send("hi"));
        }

        [Fact]
        public async Task SilentTextServerSeesOnlyTheOneProbingLine()
        {
            using var server = new FakeIrcServer();
            var connecting = server.Connect(AutoOptions(server));

            server.Expect("CAP LS 302");
            using var session = await connecting;

            Assert.Equal(ChatProtocol.Text, session.Protocol);
            server.Client.AssertNothingBefore("alice:hi\n", () => session.Send("hi"));
        }

        [Fact]
        public async Task TextServerAnsweringTheProbeWithChatIsText()
        {
            using var server = new FakeIrcServer();
            var connecting = server.Connect(AnsweredOptions(server));
            server.Expect("CAP LS 302");
            server.Client.Write("bob:CAP LS 302?\n");

            using var session = await connecting;

            Assert.Equal(ChatProtocol.Text, session.Protocol);
            var relayed = Next(session);
            Assert.Equal("bob", relayed.Sender);
            Assert.Equal("CAP LS 302?", relayed.Text);
        }

        [Fact]
        public async Task SilentIrcServerAnsweringTheProbeGetsTheRestOfRegistration()
        {
            using var server = new FakeIrcServer();
            var connecting = server.Connect(AnsweredOptions(server));
            // Nothing more before the answer: the client cannot know yet that an IRC server will answer,
            // and SilentTextServerSeesOnlyTheOneProbingLine proves a silent server hears only the probe.
            server.Expect("CAP LS 302");
            server.Send(":irc.test CAP * LS :server-time");
            server.Expect("NICK alice");
            server.Expect("USER alice 0 * PSChat");
            server.Expect("CAP REQ server-time");
            server.Send(":irc.test CAP * ACK server-time");
            server.Expect("CAP END");
            server.Welcome("alice");
            server.JoinLobby("alice");

            using var session = await connecting;

            Assert.Equal(ChatProtocol.Irc, session.Protocol);
            Assert.Equal(0, session.MessagesPending);
        }

        [Fact]
        public async Task IrcServerThatGreetsFirstGetsRegistrationAtOnce()
        {
            using var server = new FakeIrcServer();
            var connecting = server.Connect(AutoOptions(server));
            server.Send(":irc.test NOTICE * :*** Looking up your hostname...");
            server.AcceptRegistration();

            using var session = await connecting;

            Assert.Equal(ChatProtocol.Irc, session.Protocol);
            Assert.Equal(0, session.MessagesPending);
        }
    }
}
