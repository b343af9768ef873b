using System;
using System.Net;
using PSChat.Engine.Server;
using PSChat.Engine.Timing;
using Xunit;

namespace PSChat.Engine.Tests
{
    /// <summary>
    /// Who may connect (issue 11, finding 12: 4,000 connections from one address were all accepted): the
    /// allow and deny ranges, connections per address and the connect-rate bucket on a clock the test drives.
    /// </summary>
    public class AddressGateTests
    {
        private readonly ManualClock clock = new ManualClock(startTicks: 0);

        private AddressGate NewGate(Action<ChatServerOptions> configure)
        {
            var options = new ChatServerOptions { Clock = clock, MaxConnectionsPerAddress = 0, MaxConnectsPerMinute = 0 };
            configure(options);
            return new AddressGate(options);
        }

        private static IPAddress Ip(string text) => IPAddress.Parse(text);

        [Theory]
        [InlineData("10.0.0.0/8", "10.255.1.2", true)]
        [InlineData("10.0.0.0/8", "11.0.0.1", false)]
        [InlineData("192.0.2.7", "192.0.2.7", true)]
        [InlineData("192.0.2.7", "192.0.2.8", false)]
        [InlineData("192.0.2.0/25", "192.0.2.127", true)]
        [InlineData("192.0.2.0/25", "192.0.2.128", false)]
        [InlineData("0.0.0.0/0", "203.0.113.9", true)]
        [InlineData("2001:db8::/32", "2001:db8:ffff::1", true)]
        [InlineData("2001:db8::/32", "2001:db9::1", false)]
        [InlineData("10.0.0.0/8", "::ffff:10.1.2.3", true)]
        [InlineData("::ffff:10.0.0.0/104", "10.1.2.3", true)]
        [InlineData("::ffff:10.0.0.0/104", "11.1.2.3", false)]
        [InlineData("::1", "::1", true)]
        [InlineData("10.0.0.0/8", "::1", false)]
        public void RangesMatchAddressesOfTheirFamilyAndIPv4MappedOnes(string range, string address, bool contained)
        {
            var parsed = AddressRange.TryParse(range, out string? error);
            Assert.Null(error);
            Assert.Equal(contained, parsed!.Contains(Ip(address)));
        }

        [Theory]
        [InlineData("")]
        [InlineData("10.0.0.0/33")]
        [InlineData("2001:db8::/129")]
        [InlineData("10.0.0.0/-1")]
        [InlineData("10.0.0.0/ 8")]
        [InlineData("10.0.0/8x")]
        [InlineData("example.com")]
        [InlineData("fe80::1%eth0")]
        public void WhatIsNotARangeIsRefusedWithAReason(string range)
        {
            Assert.Null(AddressRange.TryParse(range, out string? error));
            Assert.Contains(range.Trim(), error);
            Assert.False(ChatServerOptions.IsAddressRange(range, out _));
        }

        [Fact]
        public void AnAddressMayHoldItsLimitOfConnectionsAndOneMoreOnceOneCloses()
        {
            var gate = NewGate(o => o.MaxConnectionsPerAddress = 3);
            var address = Ip("192.0.2.7");
            for (int i = 0; i < 3; i++) Assert.Null(gate.TryAdmit(address));

            var refused = gate.TryAdmit(address);
            Assert.Equal("MaxConnectionsPerAddress", refused!.Limit);
            Assert.Equal(LimitCounter.RefusedPerAddress, refused.Counter);
            Assert.Equal("too many connections from your address (at most 3)", refused.Reason);
            Assert.True(refused.FirstOfEpisode);
            // The same episode: no second event.
            Assert.False(gate.TryAdmit(address)!.FirstOfEpisode);
            // Another address is not affected, nor an IPv4-mapped form counted apart.
            Assert.Null(gate.TryAdmit(Ip("192.0.2.8")));
            Assert.NotNull(gate.TryAdmit(Ip("::ffff:192.0.2.7")));

            gate.Release(address);
            Assert.Null(gate.TryAdmit(address));
            Assert.True(gate.TryAdmit(address)!.FirstOfEpisode);
        }

        [Fact]
        public void IPv6ClientsAreCountedPerSlash64()
        {
            var gate = NewGate(o => o.MaxConnectionsPerAddress = 2);
            Assert.Null(gate.TryAdmit(Ip("2001:db8:1:2::1")));
            Assert.Null(gate.TryAdmit(Ip("2001:db8:1:2::ffff")));
            Assert.NotNull(gate.TryAdmit(Ip("2001:db8:1:2:abcd::9")));
            Assert.Null(gate.TryAdmit(Ip("2001:db8:1:3::1")));
        }

        [Fact]
        public void TheConnectRateBucketTakesABurstThenRefillsOnTheClock()
        {
            var gate = NewGate(o => o.MaxConnectsPerMinute = 6);
            var address = Ip("198.51.100.1");
            for (int i = 0; i < 6; i++) Assert.Null(gate.TryAdmit(address));

            var refused = gate.TryAdmit(address);
            Assert.Equal("MaxConnectsPerMinute", refused!.Limit);
            Assert.Equal(LimitCounter.RefusedConnectRate, refused.Counter);

            // One token every 10 s; a refused attempt spends nothing it does not have.
            clock.Advance(TimeSpan.FromSeconds(9));
            Assert.NotNull(gate.TryAdmit(address));
            clock.Advance(TimeSpan.FromSeconds(10));
            Assert.Null(gate.TryAdmit(address));
            Assert.NotNull(gate.TryAdmit(address));
        }

        [Fact]
        public void LoopbackIsExemptFromThePerAddressLimitsUnlessTold()
        {
            var exempt = NewGate(o => { o.MaxConnectionsPerAddress = 1; o.MaxConnectsPerMinute = 1; });
            for (int i = 0; i < 5; i++) Assert.Null(exempt.TryAdmit(IPAddress.Loopback));
            Assert.Null(exempt.TryAdmit(IPAddress.IPv6Loopback));
            Assert.Null(exempt.TryAdmit(Ip("::ffff:127.0.0.1")));

            var limited = NewGate(o => { o.MaxConnectionsPerAddress = 1; o.LimitLoopback = true; });
            Assert.Null(limited.TryAdmit(IPAddress.Loopback));
            Assert.NotNull(limited.TryAdmit(IPAddress.Loopback));
        }

        [Fact]
        public void TheDenyListWinsOverTheAllowListAndLoopbackIsNotExemptFromEither()
        {
            var gate = NewGate(o =>
            {
                o.AllowAddress = new[] { "10.0.0.0/8", "127.0.0.1" };
                o.DenyAddress = new[] { "10.6.6.0/24" };
            });
            Assert.Null(gate.TryAdmit(Ip("10.1.1.1")));
            Assert.Null(gate.TryAdmit(IPAddress.Loopback));
            Assert.Equal("DenyAddress", gate.TryAdmit(Ip("10.6.6.6"))!.Limit);
            var outside = gate.TryAdmit(Ip("192.0.2.1"));
            Assert.Equal("AllowAddress", outside!.Limit);
            Assert.Equal(LimitCounter.RefusedDenied, outside.Counter);
            Assert.Equal("your address is not allowed on this server", outside.Reason);
            Assert.Equal("AllowAddress", gate.TryAdmit(IPAddress.IPv6Loopback)!.Limit);
        }

        [Fact]
        public void AddressesWithNothingOpenAndAFullBucketAreForgotten()
        {
            var gate = NewGate(o => { o.MaxConnectsPerMinute = 60; o.MaxConnectionsPerAddress = 1; });
            var held = Ip("192.0.2.1");
            Assert.Null(gate.TryAdmit(held));
            for (int i = 0; i < 1000; i++)
            {
                var passing = new IPAddress(new byte[] { 198, 51, (byte)(i / 256), (byte)i });
                Assert.Null(gate.TryAdmit(passing));
                gate.Release(passing);
                clock.Advance(TimeSpan.FromMilliseconds(100));
            }

            // The passers-by of the last sweep period at most (their buckets refill in a second), and the
            // one still connected, whose connection is still counted.
            Assert.InRange(gate.TrackedAddresses, 1, 1 + 256 + 10);
            Assert.Equal("MaxConnectionsPerAddress", gate.TryAdmit(held)!.Limit);
        }
    }
}
