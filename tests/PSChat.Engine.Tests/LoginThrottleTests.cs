using System;
using System.Net;
using PSChat.Engine.Server;
using PSChat.Engine.Timing;
using Xunit;

namespace PSChat.Engine.Tests
{
    /// <summary>The login throttle on a clock the tests move, and the way the server keeps its password.</summary>
    public class LoginThrottleTests
    {
        private static readonly IPAddress Guesser = IPAddress.Parse("192.0.2.1");
        private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);
        private readonly ManualClock clock = new ManualClock();

        private LoginThrottle Throttle(int maxFailures = 3, int capacity = LoginThrottle.DefaultCapacity) =>
            new LoginThrottle(clock, Second, maxFailures, TimeSpan.FromMinutes(10), capacity);

        private static LoginVerdict Fail(LoginThrottle throttle, IPAddress? address = null) => throttle.Check(address ?? Guesser, () => false);

        [Fact]
        public void EachFailureWaitsLongerAndTheLastLocksTheAddressOut()
        {
            var throttle = Throttle();

            var first = Fail(throttle);
            Assert.Equal((LoginOutcome.Refused, Second, Second, false), (first.Outcome, first.RetryAfter, first.ReplyDelay, first.LockoutStarted));
            clock.Advance(Second);
            var second = Fail(throttle);
            Assert.Equal((LoginOutcome.Refused, 2 * Second), (second.Outcome, second.RetryAfter));
            clock.Advance(2 * Second);
            var third = Fail(throttle);
            Assert.Equal((LoginOutcome.Refused, TimeSpan.FromMinutes(10), 3 * Second, true), (third.Outcome, third.RetryAfter, third.ReplyDelay, third.LockoutStarted));
        }

        [Fact]
        public void AnAttemptDuringTheWaitIsNotChecked()
        {
            var throttle = Throttle();
            Fail(throttle);
            int checks = 0;

            clock.Advance(TimeSpan.FromMilliseconds(400));
            var early = throttle.Check(Guesser, () => ++checks > 0);

            Assert.Equal((LoginOutcome.Throttled, TimeSpan.FromMilliseconds(600), 0), (early.Outcome, early.RetryAfter, checks));
            clock.Advance(TimeSpan.FromMilliseconds(600));
            Assert.Equal(LoginOutcome.Accepted, throttle.Check(Guesser, () => ++checks > 0).Outcome);
            Assert.Equal(1, checks);
        }

        [Fact]
        public void ALockoutIsServedWholeThenTheAddressStartsAfresh()
        {
            var throttle = Throttle(maxFailures: 2);
            Fail(throttle);
            clock.Advance(Second);
            Assert.True(Fail(throttle).LockoutStarted);

            clock.Advance(TimeSpan.FromMinutes(10) - TimeSpan.FromTicks(1));
            Assert.Equal(LoginOutcome.LockedOut, throttle.Check(Guesser, () => true).Outcome);
            clock.Advance(TimeSpan.FromTicks(1));
            var fresh = Fail(throttle);
            Assert.Equal((LoginOutcome.Refused, 1, Second), (fresh.Outcome, fresh.Failures, fresh.RetryAfter));
        }

        [Fact]
        public void AGoodLoginAndALongQuietForgetTheAddress()
        {
            var throttle = Throttle();
            Fail(throttle);
            clock.Advance(Second);
            Assert.Equal(LoginOutcome.Accepted, throttle.Check(Guesser, () => true).Outcome);
            Assert.Equal(0, throttle.Count);

            Fail(throttle);
            clock.Advance(TimeSpan.FromMinutes(10));
            Fail(throttle, IPAddress.Parse("192.0.2.2"));
            Assert.Equal(1, throttle.Count);
            Assert.Equal(1, Fail(throttle).Failures);
        }

        [Fact]
        public void MemoryIsBoundedByForgettingTheOldestFailure()
        {
            var throttle = Throttle(capacity: 2);
            Fail(throttle, IPAddress.Parse("192.0.2.1"));
            Fail(throttle, IPAddress.Parse("192.0.2.2"));
            Fail(throttle, IPAddress.Parse("192.0.2.3"));

            Assert.Equal(2, throttle.Count);
            Assert.Equal(LoginOutcome.Accepted, throttle.Check(IPAddress.Parse("192.0.2.1"), () => true).Outcome);
            Assert.Equal(LoginOutcome.Throttled, throttle.Check(IPAddress.Parse("192.0.2.3"), () => true).Outcome);
        }

        [Fact]
        public void AnIpv6HostCountsAsItsSlash64AndAMappedIpv4AddressAsItself()
        {
            var throttle = Throttle();
            Fail(throttle, IPAddress.Parse("2001:db8:1:2::1"));
            Assert.Equal(LoginOutcome.Throttled, throttle.Check(IPAddress.Parse("2001:db8:1:2:ffff::9"), () => true).Outcome);
            Assert.Equal(LoginOutcome.Accepted, throttle.Check(IPAddress.Parse("2001:db8:1:3::1"), () => true).Outcome);

            Fail(throttle);
            Assert.Equal(LoginOutcome.Throttled, throttle.Check(Guesser.MapToIPv6(), () => true).Outcome);
        }

        [Fact]
        public void TheServerKeepsAHashOfThePasswordNotTheSecret()
        {
            using var secret = Secret.Of("sesame");
            var server = ChatServer.Start(new ChatServerOptions { Port = 0, Password = secret });
            try
            {
                Assert.True(server.RequiresPassword);
                Assert.Null(server.Options.Password);
                Assert.True(server.Password!.Matches("sesame"));
                Assert.False(server.Password.Matches("sesam"));
                Assert.False(server.Password.Matches("sesame "));
                Assert.False(server.Password.Matches(null));
            }
            finally
            {
                server.Stop();
            }
        }

        [Theory]
        [InlineData(new byte[] { 1, 2, 3 }, new byte[] { 1, 2, 3 }, true)]
        [InlineData(new byte[] { 1, 2, 3 }, new byte[] { 1, 2, 4 }, false)]
        [InlineData(new byte[] { 1, 2, 3 }, new byte[] { 1, 2 }, false)]
        public void DigestsAreComparedWhole(byte[] left, byte[] right, bool equal) =>
            Assert.Equal(equal, ServerPassword.FixedTimeEquals(left, right));
    }
}
