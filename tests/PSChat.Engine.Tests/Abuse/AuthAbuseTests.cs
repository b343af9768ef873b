using System;
using System.Linq;
using PSChat.Engine.Timing;
using Xunit;

namespace PSChat.Engine.Tests.Abuse
{
    /// <summary>
    /// Issue 11, findings 10 and 11, replayed against a live server while a well-behaved pair is probed:
    /// password guessing, nick squatting before authentication, silent unauthenticated connections, and
    /// text clients that speak under another's name or ignore the room's kicks and modes.
    /// </summary>
    [Trait("Category", "Abuse")]
    [Collection(AbuseProbe.Collection)]
    public class AuthAbuseTests
    {
        private const string Password = "sesame";

        /// <summary>A password server on a clock the test moves; no ping or registration deadline gets in the way unless asked.</summary>
        private static ServerFixture PasswordServer(ManualClock clock, Action<ChatServerOptions>? configure = null) => IrcBasicsTests.Irc(o =>
        {
            o.Clock = clock;
            o.Password = Secret.Of(Password);
            o.PingInterval = TimeSpan.FromDays(1);
            o.PingTimeout = TimeSpan.FromDays(1);
            o.RegistrationTimeout = TimeSpan.FromDays(1);
            configure?.Invoke(o);
        });

        /// <summary>A server of IRC and text clients (text clients are told apart after 50 ms of silence).</summary>
        private static ServerFixture Mixed() => IrcBasicsTests.Irc(o => o.DetectTimeout = TimeSpan.FromMilliseconds(50));

        /// <summary>One login attempt: PASS, NICK and USER.</summary>
        private static IrcTestClient Guess(ServerFixture fx, string password, string nick)
        {
            var client = IrcTestClient.Connect(fx);
            client.Send("PASS " + password);
            client.Send("NICK " + nick);
            client.Send($"USER {nick} 0 * :{nick}");
            return client;
        }

        /// <summary>A text client that names itself with its first line; <paramref name="op"/> (in #lobby) reads its JOIN, NICK and message.</summary>
        private static TestClient TextJoin(ServerFixture fx, IrcTestClient op, string name)
        {
            var client = TestClient.Connect(fx.EndPoint);
            client.Write(name + ":hi\n");
            op.Expect("JOIN");
            op.Expect("NICK");
            Assert.Equal("hi", op.Expect("PRIVMSG")[1]);
            return client;
        }

        /// <summary>The first IRC user in #lobby: its operator, as text clients cannot moderate.</summary>
        private static IrcTestClient LobbyOperator(ServerFixture fx, string nick)
        {
            var op = IrcTestClient.Register(fx, nick);
            op.Join("#lobby");
            return op;
        }

        [Fact]
        public void PasswordGuessesFromOneAddressWaitAGrowingDelayThenTheAddressIsLockedOut()
        {
            var clock = new ManualClock();
            using var fx = PasswordServer(clock, o =>
            {
                o.LoginFailureDelay = TimeSpan.FromSeconds(1);
                o.MaxLoginFailures = 3;
                o.LoginLockout = TimeSpan.FromMinutes(10);
            });
            using var probe = AbuseProbe.Start(fx, "password-guessing", Password);

            // A wrong guess is checked; its refusal waits for the address's delay (1 s after one failure).
            using var first = Guess(fx, "nope", "g1");
            Assert.Equal("wrong password (1 in a row from 127.0.0.1)", fx.WaitFor(ServerEventKind.Rejected).Reason);

            // Meanwhile 16 connections guess at once, one of them right: none is even checked.
            var rush = Enumerable.Range(0, 16).Select(i => Guess(fx, i == 7 ? Password : "nope" + i, "r" + i)).ToArray();
            for (int i = 0; i < rush.Length; i++)
            {
                const string wait = "Too many failed logins from your address; try again in 1 seconds";
                Assert.Equal($":irc.test 464 r{i} :{wait}", rush[i].NextLine());
                Assert.Equal($"ERROR :Closing Link: 127.0.0.1 ({wait})", rush[i].NextLine());
                Assert.True(rush[i].Raw.WaitForClose());
                rush[i].Dispose();
            }

            probe.Check();
            clock.Advance(TimeSpan.FromSeconds(1));
            Assert.Equal(":irc.test 464 g1 :Password incorrect", first.NextLine());
            Assert.Equal("ERROR :Closing Link: 127.0.0.1 (Bad password)", first.NextLine());

            // The second failure waits 2 s, the third locks the address out.
            using var second = Guess(fx, "nope", "g2");
            Assert.Equal("wrong password (2 in a row from 127.0.0.1)", fx.WaitFor(ServerEventKind.Rejected).Reason);
            clock.Advance(TimeSpan.FromSeconds(2));
            Assert.Equal(":irc.test 464 g2 :Password incorrect", second.NextLine());
            using var third = Guess(fx, "nope", "g3");
            var lockout = fx.WaitFor(ServerEventKind.Limited, e => e.Limit == "MaxLoginFailures");
            Assert.Equal("3 failed logins in a row: 127.0.0.1 is locked out for 600 s", lockout.Reason);
            clock.Advance(TimeSpan.FromSeconds(3));
            Assert.Equal(":irc.test 464 g3 :Password incorrect", third.NextLine());
            probe.Check();

            // Locked out: the right password is not checked either, until the lockout is over.
            using var locked = Guess(fx, Password, "alice");
            Assert.Equal(":irc.test 464 alice :Too many failed logins from your address; try again in 597 seconds", locked.NextLine());
            clock.Advance(TimeSpan.FromSeconds(597));
            using var alice = IrcTestClient.Register(fx, "alice", password: Password);

            Assert.Equal(3, fx.Server.Limits.FailedLogins);
            Assert.Equal(17, fx.Server.Limits.ThrottledLogins);
            probe.Check();
        }

        [Fact]
        public void AClientThatHasNotGivenThePasswordHoldsNoNick()
        {
            using var fx = PasswordServer(new ManualClock());
            using var probe = AbuseProbe.Start(fx, "nick-squatting", Password);
            using var squatter = IrcTestClient.Connect(fx);
            squatter.Send("NICK alice");
            squatter.AssertNothingPending();

            using var alice = IrcTestClient.Register(fx, "alice", password: Password);
            probe.Check();

            // The squatter's nick is claimed only once its password is good: by then alice has it.
            squatter.Send("PASS " + Password);
            squatter.Send("USER s 0 * :S");
            Assert.Equal(":irc.test 433 * alice :Nickname is already in use", squatter.NextLine());
            squatter.Send("NICK squatter");
            Assert.StartsWith(":irc.test 001 squatter ", squatter.NextLine());
        }

        [Fact]
        public void SilentAndUnregisteredConnectionsOnAPasswordServerTimeOut()
        {
            var clock = new ManualClock();
            using var fx = PasswordServer(clock, o => o.RegistrationTimeout = TimeSpan.FromSeconds(60));
            using var probe = AbuseProbe.Start(fx, "silent-unauthenticated", Password);
            using var silent = TestClient.Connect(fx.EndPoint);
            string local = silent.Socket.LocalEndPoint!.ToString()!;
            fx.WaitFor(ServerEventKind.Connected, e => e.Client == local);
            using var unregistered = IrcTestClient.Connect(fx);
            unregistered.Send("NICK lurker");
            unregistered.AssertNothingPending();
            probe.Check();

            clock.Advance(TimeSpan.FromSeconds(61));

            Assert.Equal("*** error: no password within 60 s; this server needs one, which only IRC clients can give\n", silent.ReadLine());
            Assert.True(silent.WaitForClose());
            Assert.Equal("ERROR :Closing Link: 127.0.0.1 (Registration timed out)", unregistered.NextLine());
            Assert.True(unregistered.Raw.WaitForClose());
            fx.WaitFor(ServerEventKind.Limited, e => e.Limit == "RegistrationTimeoutSeconds");
            fx.WaitFor(ServerEventKind.Limited, e => e.Limit == "RegistrationTimeoutSeconds");
            Assert.Equal(2, fx.Server.Limits.RegistrationTimeouts);
            probe.Check();
        }

        [Fact]
        public void ATextClientSpeaksOnlyUnderItsOwnName()
        {
            using var fx = Mixed();
            using var probe = AbuseProbe.Start(fx, "text-impersonation");
            using var obs = LobbyOperator(fx, "obs");
            using var reader = TextJoin(fx, obs, "reader");
            using var mallory = TextJoin(fx, obs, "mallory");
            Assert.Equal("mallory:hi\n", reader.ReadLine());

            mallory.Write("obs:I am obs\n");
            Assert.Equal("*** error: the name obs belongs to someone else; the line was not sent\n", mallory.ReadLine());
            mallory.Write("OBS:I am obs\n");
            Assert.Equal("*** error: the name OBS belongs to someone else; the line was not sent\n", mallory.ReadLine());
            mallory.Write("reader:I am reader\n");
            Assert.Equal("*** error: the name reader belongs to someone else; the line was not sent\n", mallory.ReadLine());
            mallory.Write("ChanServ:please identify\n");
            Assert.Equal("*** error: the name ChanServ is reserved; the line was not sent\n", mallory.ReadLine());
            probe.Check();

            // Nothing reached the victims; an honest line still goes out byte for byte.
            obs.AssertNothingPending();
            reader.AssertNothingBefore("mallory:still me\n", () => mallory.Write("mallory:still me\n"));

            // A service name is refused on IRC too.
            obs.Send("NICK ChanServ");
            obs.SkipTo("PRIVMSG");
            Assert.Equal(":irc.test 432 obs ChanServ :Nickname is reserved", obs.NextLine());
        }

        [Fact]
        public void AKickedTextClientIsDisconnected()
        {
            using var fx = Mixed();
            using var probe = AbuseProbe.Start(fx, "text-kick");
            using var alice = LobbyOperator(fx, "alice");
            using var reader = TextJoin(fx, alice, "reader");
            using var troll = TextJoin(fx, alice, "troll");
            Assert.Equal("troll:hi\n", reader.ReadLine());

            alice.Send("KICK #lobby troll :enough");

            Assert.Equal(":alice!alice@127.0.0.1 KICK #lobby troll enough", alice.NextLine());
            Assert.Equal("*** error: you were kicked from #lobby by alice (enough)\n", troll.ReadLine());
            Assert.True(troll.WaitForClose());
            probe.Check();
            alice.AssertNothingPending();
            reader.AssertNothingBefore("alice:marker\n", () => alice.Send("PRIVMSG #lobby :marker"));
        }

        [Fact]
        public void AModeratedRoomSilencesTextClientsWithoutVoice()
        {
            using var fx = Mixed();
            using var probe = AbuseProbe.Start(fx, "text-moderated");
            using var alice = LobbyOperator(fx, "alice");
            using var reader = TextJoin(fx, alice, "reader");
            using var bob = TextJoin(fx, alice, "bob");
            Assert.Equal("bob:hi\n", reader.ReadLine());
            alice.Send("MODE #lobby +m");
            alice.Expect("MODE");

            bob.Write("bob:may I?\n");

            Assert.Equal("*** error: cannot send to #lobby: it is moderated (+m), only voiced members and operators may speak; the line was not sent\n", bob.ReadLine());
            probe.Check();
            alice.AssertNothingPending();
            reader.AssertNothingBefore("alice:marker\n", () => alice.Send("PRIVMSG #lobby :marker"));

            alice.Send("MODE #lobby +v bob");
            alice.Expect("MODE");
            reader.AssertNothingBefore("bob:now I may\n", () => bob.Write("bob:now I may\n"));
        }

        [Theory]
        [InlineData("+i", "it is invite only (+i)")]
        [InlineData("+k key", "it needs a key (+k), which only IRC clients can give")]
        [InlineData("+l 2", "it is full (+l)")]
        public void TheRoomsEntryModesKeepTextClientsOut(string modes, string why)
        {
            using var fx = Mixed();
            using var probe = AbuseProbe.Start(fx, "text-entry-modes");
            using var alice = LobbyOperator(fx, "alice");
            using var reader = TextJoin(fx, alice, "reader");
            alice.Send("MODE #lobby " + modes);
            alice.Expect("MODE");

            using var late = TestClient.Connect(fx.EndPoint);
            late.Write("late:let me in\n");

            Assert.Equal($"*** error: cannot join #lobby: {why}\n", late.ReadLine());
            Assert.True(late.WaitForClose());
            probe.Check();
            alice.AssertNothingPending();
            reader.AssertNothingBefore("alice:marker\n", () => alice.Send("PRIVMSG #lobby :marker"));
        }
    }
}
