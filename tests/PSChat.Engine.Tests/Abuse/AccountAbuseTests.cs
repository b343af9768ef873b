using System;
using System.IO;
using System.Linq;
using System.Text;
using PSChat.Engine.Accounts;
using PSChat.Engine.Timing;
using Xunit;

namespace PSChat.Engine.Tests.Abuse
{
    /// <summary>
    /// Issue 12's accounts under attack, replayed against a live server while a well-behaved pair is
    /// probed: password guessing through SASL from many connections at once, and a client that floods
    /// while its login is being checked off the I/O thread.
    /// </summary>
    [Trait("Category", "Abuse")]
    public sealed class AccountAbuseTests : IDisposable
    {
        private readonly string folder = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "pschat-abuse-" + Guid.NewGuid().ToString("N"))).FullName;
        private readonly AccountFile store;

        public AccountAbuseTests()
        {
            store = AccountFile.Open(Path.Combine(folder, "accounts.txt"));
            store.Save(ChatAccount.Create("jilles", Secret.Of("sesame"), new string[0]));
        }

        public void Dispose() => Directory.Delete(folder, recursive: true);

        /// <summary>Accounts on a clock the test moves: a failed login's 904 waits until the test advances it.</summary>
        private ServerFixture Server(ManualClock clock, Action<ChatServerOptions>? configure = null) => IrcBasicsTests.Irc(o =>
        {
            o.Accounts = store;
            o.Clock = clock;
            o.LoginFailureDelay = TimeSpan.FromSeconds(1);
            o.MaxLoginFailures = 3;
            o.PingInterval = TimeSpan.FromDays(1);
            o.PingTimeout = TimeSpan.FromDays(1);
            o.RegistrationTimeout = TimeSpan.FromDays(1);
            configure?.Invoke(o);
        });

        private static IrcTestClient Guess(ServerFixture fx, string nick, string password)
        {
            var client = IrcTestClient.Connect(fx);
            client.Send("NICK " + nick);
            client.Send("AUTHENTICATE PLAIN");
            client.Expect("AUTHENTICATE");
            client.Send("AUTHENTICATE " + Convert.ToBase64String(Encoding.UTF8.GetBytes("\0jilles\0" + password)));
            return client;
        }

        [Fact]
        public void SaslGuessesFromOneAddressAreCheckedOneAtATimeAndTheRestRefusedUnchecked()
        {
            var clock = new ManualClock();
            // Flood control runs on the test's clock too: off, so the probe's lines are never held.
            using var fx = Server(clock, o => o.FloodControl = false);
            using var probe = AbuseProbe.Start(fx, "sasl-guessing");

            using var first = Guess(fx, "g0", "nope");
            Assert.Equal("SASL PLAIN login failed (1 in a row from 127.0.0.1)", fx.WaitFor(ServerEventKind.Rejected).Reason);
            probe.Check();

            // While the first refusal waits out its delay, twelve connections guess at once, one of them
            // right: none is hashed, each is told to wait.
            var rush = Enumerable.Range(1, 12).Select(i => Guess(fx, "g" + i, i == 6 ? "sesame" : "nope" + i)).ToArray();
            foreach (var guess in rush)
            {
                Assert.StartsWith("SASL authentication failed: too many failed logins from your address; try again in 1 seconds", guess.Expect("904")[1]);
                probe.Check();
            }

            Assert.Equal(1, fx.Server.Limits.FailedLogins);
            Assert.Equal(12, fx.Server.Limits.ThrottledLogins);
            clock.Advance(TimeSpan.FromSeconds(1));
            Assert.Equal(":irc.test 904 g0 :SASL authentication failed", first.NextLine());
            probe.Check();
            foreach (var guess in rush) guess.Dispose();
        }

        [Fact]
        public void AClientThatFloodsWhileItsLoginIsCheckedIsDisconnected()
        {
            var clock = new ManualClock();
            using var fx = Server(clock, o => o.FloodControl = false);
            using var probe = AbuseProbe.Start(fx, "flood-during-login");
            using var flooder = Guess(fx, "flooder", "nope");
            fx.WaitFor(ServerEventKind.Rejected);

            // Its lines wait behind the delayed refusal; past the bound the client is flooding.
            for (int i = 0; i <= LineDeferral.MaxLines; i++) flooder.Send("PING :held" + i);
            probe.Check();

            Assert.StartsWith("ERROR :Closing Link: 127.0.0.1 (Excess Flood)", flooder.NextLine());
            var gone = fx.WaitFor(ServerEventKind.Disconnected, e => e.Name == "flooder");
            Assert.Equal(nameof(ChatServerOptions.MaxReceiveQueue), gone.Limit);
            probe.Check();
        }
    }
}
