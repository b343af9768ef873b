using System;
using System.Linq;
using System.Text;
using PSChat.Engine.Timing;
using Xunit;

namespace PSChat.Engine.Tests
{
    /// <summary>
    /// Flood control on a live server, on a clock the test moves: a burst runs at once, the rest is held
    /// and runs as time passes, and a client whose held input passes MaxReceiveQueue is dropped. Every
    /// client line counts, IRC and plain text alike; both drivers.
    /// </summary>
    public class FloodControlTests
    {
        private static ServerFixture Server(ManualClock clock, bool useIoLoop, Action<ChatServerOptions>? configure = null) => IrcBasicsTests.Irc(o =>
        {
            o.Clock = clock;
            o.UseIoLoop = useIoLoop;
            o.FloodBurst = 5;
            o.FloodRate = 1;
            configure?.Invoke(o);
        });

        private static string Lines(string format, int count) =>
            string.Concat(Enumerable.Range(1, count).Select(i => string.Format(System.Globalization.CultureInfo.InvariantCulture, format, i)));

        [Theory]
        [InlineData(true)]
        [InlineData(false)]
        public void AnIrcClientGetsABurstThenItsHeldLinesRunAsTimePasses(bool useIoLoop)
        {
            var clock = new ManualClock();
            using var fx = Server(clock, useIoLoop);
            using var alice = IrcTestClient.Register(fx, "alice");
            using var bob = IrcTestClient.Register(fx, "bob");
            // Registration spent part of each burst: quiet time earns it back (less than the ping interval).
            clock.Advance(TimeSpan.FromSeconds(30));

            alice.Raw.Write(Lines("PRIVMSG bob :m{0}\r\n", 8));
            for (int i = 1; i <= 5; i++) Assert.Equal($":alice!alice@127.0.0.1 PRIVMSG bob m{i}", bob.NextLine());
            bob.AssertNothingPending();
            var limited = fx.WaitFor(ServerEventKind.Limited, e => e.Name == "alice");
            Assert.Equal("FloodRate", limited.Limit);

            clock.Advance(TimeSpan.FromSeconds(1));
            Assert.Equal(":alice!alice@127.0.0.1 PRIVMSG bob m6", bob.NextLine());
            clock.Advance(TimeSpan.FromSeconds(2));
            Assert.Equal(":alice!alice@127.0.0.1 PRIVMSG bob m7", bob.NextLine());
            Assert.Equal(":alice!alice@127.0.0.1 PRIVMSG bob m8", bob.NextLine());
            Assert.Equal(3, fx.Server.Limits.FloodDelayedLines);
        }

        [Fact]
        public void AConnectionExemptedByItsEndPointRunsFreeWhileOthersFromItsAddressAreHeld()
        {
            // The abuse probe's exemption: by client end point, so an attacker on the same address is not.
            var clock = new ManualClock();
            using var fx = Server(clock, useIoLoop: true);
            using var free = IrcTestClient.Register(
                IrcTestClient.Wrap(TestClient.Connect(fx.EndPoint, bound => fx.Server.ExemptFromFloodControl(bound))), "free");
            using var held = IrcTestClient.Register(fx, "held");
            using var bob = IrcTestClient.Register(fx, "bob");
            clock.Advance(TimeSpan.FromSeconds(30));

            free.Raw.Write(Lines("PRIVMSG bob :f{0}\r\n", 8));
            for (int i = 1; i <= 8; i++) Assert.Equal($":free!free@127.0.0.1 PRIVMSG bob f{i}", bob.NextLine());
            held.Raw.Write(Lines("PRIVMSG bob :h{0}\r\n", 8));
            for (int i = 1; i <= 5; i++) Assert.Equal($":held!held@127.0.0.1 PRIVMSG bob h{i}", bob.NextLine());
            bob.AssertNothingPending();
            Assert.Equal(3, fx.Server.Limits.FloodDelayedLines);
        }

        [Theory]
        [InlineData(true)]
        [InlineData(false)]
        public void AnIrcClientPastItsReceiveQueueIsDroppedForExcessFlood(bool useIoLoop)
        {
            var clock = new ManualClock();
            using var fx = Server(clock, useIoLoop, o => o.MaxReceiveQueue = 1024);
            using var alice = IrcTestClient.Register(fx, "alice");
            using var bob = IrcTestClient.Register(fx, "bob");
            IrcTestClient.JoinAll("#room", alice, bob);
            clock.Advance(TimeSpan.FromSeconds(30));

            alice.Raw.Write(Lines("PRIVMSG #room :flood {0} " + new string('x', 40) + "\r\n", 100));

            Assert.Equal("ERROR", alice.SkipTo("ERROR").Command);
            Assert.Equal("ERROR :Closing Link: 127.0.0.1 (Excess Flood)", alice.LastLine);
            Assert.True(alice.Raw.WaitForClose());
            bob.SkipTo("QUIT");
            Assert.Equal(":alice!alice@127.0.0.1 QUIT :Excess Flood", bob.LastLine);
            var gone = fx.WaitFor(ServerEventKind.Disconnected, e => e.Name == "alice");
            Assert.Equal("MaxReceiveQueue", gone.Limit);
            Assert.Equal(1, fx.Server.Limits.FloodDisconnects);
        }

        [Theory]
        [InlineData(true)]
        [InlineData(false)]
        public void ATextClientIsHeldToTheRateAndDroppedForExcessFlood(bool useIoLoop)
        {
            var clock = new ManualClock();
            using var fx = Server(clock, useIoLoop, o =>
            {
                o.Protocol = ChatProtocol.Text;
                o.MaxReceiveQueue = 512;
            });
            using var listener = fx.Join();
            using var flooder = fx.Join();

            flooder.Write(Lines("carol:line {0}\n", 7));
            for (int i = 1; i <= 5; i++) Assert.Equal($"carol:line {i}\n", listener.ReadLine());
            clock.Advance(TimeSpan.FromSeconds(1));
            Assert.Equal("carol:line 6\n", listener.ReadLine());

            flooder.Write(Lines("carol:more {0} " + new string('y', 20) + "\n", 40));
            Assert.Equal("*** error: excess flood\n", flooder.ReadLine());
            Assert.True(flooder.WaitForClose());
            var gone = fx.WaitFor(ServerEventKind.Disconnected, e => e.Name == "carol");
            Assert.Equal("MaxReceiveQueue", gone.Limit);
        }

        /// <summary>The same flood against a server with flood control, then one that exempts the address or has it off.</summary>
        [Theory]
        [InlineData(true, "127.0.0.0/8")]
        [InlineData(false, "127.0.0.1")]
        [InlineData(true, null)]
        public void AnExemptAddressOrFloodControlOffRunsEveryLineAtOnce(bool useIoLoop, string? exempt)
        {
            var clock = new ManualClock();
            using (var controlled = Server(clock, useIoLoop))
            {
                // Registering took two lines of alice's burst of five.
                Flood(controlled, delivered: 3);
            }

            using var free = Server(clock, useIoLoop, o =>
            {
                if (exempt != null) o.FloodExemptAddress = new[] { exempt };
                else o.FloodControl = false;
            });
            Flood(free, delivered: 50);
            Assert.Equal(0, free.Server.Limits.FloodDelayedLines);
        }

        /// <summary>Alice sends bob 50 lines at once on a clock that stands still; bob gets <paramref name="delivered"/> and nothing more.</summary>
        private static void Flood(ServerFixture fx, int delivered)
        {
            using var alice = IrcTestClient.Register(fx, "alice");
            using var bob = IrcTestClient.Register(fx, "bob");
            alice.Raw.Write(Lines("PRIVMSG bob m{0}\r\n", 50));
            for (int i = 1; i <= delivered; i++) Assert.Equal($":alice!alice@127.0.0.1 PRIVMSG bob m{i}", bob.NextLine());
            bob.AssertNothingPending();
        }

        [Fact]
        public void ABadExemptEntryStopsTheServerFromStarting() =>
            Assert.Throws<ArgumentException>(() => ChatServer.Start(new ChatServerOptions { Port = 0, FloodExemptAddress = new[] { "not-an-address" } }));
    }
}
