using System;
using PSChat.Engine.Timing;
using Xunit;

namespace PSChat.Engine.Tests
{
    /// <summary>Registration and ping deadlines run on the server's clock, which these tests move by hand.</summary>
    public class IrcDeadlineTests
    {
        private static readonly TimeSpan Deadline = TimeSpan.FromMilliseconds(100);
        private static readonly TimeSpan JustPast = Deadline + TimeSpan.FromTicks(1);

        private static ServerFixture Irc(ManualClock clock) => IrcBasicsTests.Irc(o =>
        {
            o.Clock = clock;
            o.RegistrationTimeout = Deadline;
            o.PingInterval = Deadline;
            o.PingTimeout = Deadline;
            // Four deadlines of real time: the witness in LetRealTimePass.
            o.DetectTimeout = TimeSpan.FromTicks(Deadline.Ticks * 4);
        });

        /// <summary>
        /// Returns once several deadlines of real time have passed, as the server itself shows: a silent
        /// client turns into a plain text listener after the detection timeout, a real-time delay.
        /// </summary>
        private static void LetRealTimePass(ServerFixture fx)
        {
            using var silent = TestClient.Connect(fx.EndPoint);
            string local = silent.Socket.LocalEndPoint!.ToString()!;
            fx.WaitFor(ServerEventKind.Joined, e => e.Client == local);
        }

        [Fact]
        public void PingWaitsForTheIntervalOnTheServersClockNotInRealTime()
        {
            // The PING goes out when the clock reads exactly 0: a clock may read any value, so "no PING
            // sent" must not be told by a reading.
            var clock = new ManualClock(startTicks: -JustPast.Ticks);
            using var fx = Irc(clock);
            using var alice = IrcTestClient.Register(fx, "alice");

            LetRealTimePass(fx);
            alice.Send("PING marker");
            Assert.Equal(":irc.test PONG irc.test marker", alice.NextLine());

            clock.Advance(JustPast);
            Assert.Equal("PING irc.test", alice.NextLine());

            LetRealTimePass(fx);
            Assert.NotNull(fx.Server.FindMember("alice"));

            clock.Advance(JustPast);
            Assert.Equal("ERROR :Closing Link: 127.0.0.1 (Ping timeout: 0 seconds)", alice.NextLine());
            Assert.True(alice.Raw.WaitForClose());
        }

        [Fact]
        public void RegistrationTimesOutOnTheServersClockNotInRealTime()
        {
            var clock = new ManualClock();
            using var fx = Irc(clock);
            using var slow = IrcTestClient.Connect(fx);
            slow.Send("NICK slow");

            LetRealTimePass(fx);
            slow.Send("PING marker");
            Assert.Equal(":irc.test PONG irc.test marker", slow.NextLine());

            clock.Advance(JustPast);
            Assert.Equal("ERROR :Closing Link: 127.0.0.1 (Registration timed out)", slow.NextLine());
            Assert.True(slow.Raw.WaitForClose());
        }

        [Fact]
        public void WhoisIdleTimeIsMeasuredOnTheServersClock()
        {
            var clock = new ManualClock();
            using var fx = IrcBasicsTests.Irc(o => o.Clock = clock);
            using var alice = IrcTestClient.Register(fx, "alice");

            clock.Advance(TimeSpan.FromSeconds(42));
            alice.Send("WHOIS alice");

            alice.SkipTo("317");
            Assert.Matches(@"^:irc\.test 317 alice alice 42 \d+ :seconds idle, signon time$", alice.LastLine);
        }
    }
}
