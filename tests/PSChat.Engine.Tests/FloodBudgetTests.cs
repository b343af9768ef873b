using System;
using System.Net;
using System.Text;
using PSChat.Engine.Framing;
using PSChat.Engine.Server;
using PSChat.Engine.Timing;
using PSChat.Engine.Transport;
using Xunit;

namespace PSChat.Engine.Tests
{
    /// <summary>The flood budget on a clock the test moves: burst, steady rate, held lines in order, the bound, penalties.</summary>
    public class FloodBudgetTests
    {
        private static readonly byte[] Line = Encoding.ASCII.GetBytes("PRIVMSG #a :hi");

        private static FloodBudget Budget(ManualClock clock, int burst = 3, double rate = 2, int maxHeld = 1024) =>
            new FloodBudget(clock, new FloodLimits(burst, rate, maxHeld));

        private static FloodVerdict Offer(FloodBudget budget, string text)
        {
            byte[] bytes = Encoding.ASCII.GetBytes(text);
            return budget.Offer(bytes, 0, bytes.Length, LineTerminator.CrLf);
        }

        [Fact]
        public void A_burst_runs_at_once_and_the_next_line_is_held()
        {
            var clock = new ManualClock(1000);
            var budget = Budget(clock);
            for (int i = 0; i < 3; i++) Assert.Equal(FloodVerdict.Run, Offer(budget, "line" + i));
            Assert.Equal(FloodVerdict.Held, Offer(budget, "line3"));
            Assert.Equal(1, budget.HeldCount);
            Assert.Equal(TimeSpan.FromMilliseconds(500), budget.UntilNextDue);
        }

        [Fact]
        public void Held_lines_come_out_in_order_at_the_rate()
        {
            var clock = new ManualClock();
            var budget = Budget(clock);
            for (int i = 0; i < 3; i++) Offer(budget, "burst" + i);
            Offer(budget, "first");
            Offer(budget, "second");
            Assert.False(budget.TryTakeDue(out _));

            clock.Advance(TimeSpan.FromMilliseconds(500));
            Assert.True(budget.TryTakeDue(out var line));
            Assert.Equal("first", Encoding.ASCII.GetString(line.Bytes!, line.Offset, line.Count));
            Assert.Equal(LineTerminator.CrLf, line.Terminator);
            Assert.False(budget.TryTakeDue(out _));

            clock.Advance(TimeSpan.FromMilliseconds(500));
            Assert.True(budget.TryTakeDue(out line));
            Assert.Equal("second", Encoding.ASCII.GetString(line.Bytes!, line.Offset, line.Count));
            Assert.Equal(0, budget.HeldCount);
            Assert.Equal(0, budget.HeldBytes);
        }

        [Fact]
        public void A_line_after_held_ones_waits_its_turn_even_when_the_budget_would_allow_it()
        {
            var clock = new ManualClock();
            var budget = Budget(clock, burst: 1);
            Offer(budget, "a");
            Offer(budget, "b");
            clock.Advance(TimeSpan.FromSeconds(10));
            Assert.Equal(FloodVerdict.Held, Offer(budget, "c"));
            Assert.True(budget.TryTakeDue(out var line));
            Assert.Equal("b", Encoding.ASCII.GetString(line.Bytes!, line.Offset, line.Count));
        }

        [Fact]
        public void Holding_past_the_bound_is_an_overflow_and_keeps_nothing_more()
        {
            var clock = new ManualClock();
            var budget = Budget(clock, burst: 1, maxHeld: 2 * (Line.Length + 1));
            Assert.Equal(FloodVerdict.Run, budget.Offer(Line, 0, Line.Length, LineTerminator.CrLf));
            Assert.Equal(FloodVerdict.Held, budget.Offer(Line, 0, Line.Length, LineTerminator.CrLf));
            Assert.Equal(FloodVerdict.Held, budget.Offer(Line, 0, Line.Length, LineTerminator.CrLf));
            Assert.Equal(FloodVerdict.Overflow, budget.Offer(Line, 0, Line.Length, LineTerminator.CrLf));
            Assert.Equal(2, budget.HeldCount);
        }

        [Fact]
        public void Quiet_time_earns_the_burst_back_but_no_more()
        {
            var clock = new ManualClock();
            var budget = Budget(clock);
            for (int i = 0; i < 3; i++) Offer(budget, "x");
            clock.Advance(TimeSpan.FromHours(1));
            for (int i = 0; i < 3; i++) Assert.Equal(FloodVerdict.Run, Offer(budget, "y"));
            Assert.Equal(FloodVerdict.Held, Offer(budget, "z"));
        }

        [Fact]
        public void A_charge_delays_the_next_lines_by_at_most_a_burst()
        {
            var clock = new ManualClock();
            var budget = Budget(clock);
            Assert.Equal(FloodVerdict.Run, Offer(budget, "LIST"));
            budget.Charge(1000);
            Assert.Equal(FloodVerdict.Held, Offer(budget, "next"));
            // Spent: one line plus a burst of three; the next line may run once two lines' time has passed.
            Assert.Equal(TimeSpan.FromSeconds(1), budget.UntilNextDue);
            clock.Advance(TimeSpan.FromSeconds(1));
            Assert.True(budget.TryTakeDue(out _));
        }

        [Fact]
        public void An_overlong_line_takes_its_turn_in_order()
        {
            var clock = new ManualClock();
            var budget = Budget(clock, burst: 1);
            Offer(budget, "a");
            Assert.Equal(FloodVerdict.Held, budget.OfferOverlong(9000));
            Offer(budget, "b");
            clock.Advance(TimeSpan.FromMilliseconds(500));
            Assert.True(budget.TryTakeDue(out var line));
            Assert.True(line.Overlong);
            Assert.Equal(9000, line.Count);
        }

        [Fact]
        public void Many_held_lines_survive_the_store_growing_and_compacting()
        {
            var clock = new ManualClock();
            var budget = Budget(clock, burst: 1, rate: 1000, maxHeld: 64 * 1024);
            Offer(budget, "run");
            for (int i = 0; i < 2000; i++) Assert.Equal(FloodVerdict.Held, Offer(budget, "line " + i));
            for (int i = 0; i < 2000; i++)
            {
                clock.Advance(TimeSpan.FromMilliseconds(1));
                Assert.True(budget.TryTakeDue(out var line));
                Assert.Equal("line " + i, Encoding.ASCII.GetString(line.Bytes!, line.Offset, line.Count));
                if (i % 3 == 0) Offer(budget, "late " + i);
            }
        }

        [Theory]
        [InlineData("127.0.0.1", "127.0.0.1", true)]
        [InlineData("127.0.0.0/8", "127.1.2.3", true)]
        [InlineData("10.0.0.0/8", "11.0.0.1", false)]
        [InlineData("192.168.1.128/25", "192.168.1.200", true)]
        [InlineData("192.168.1.128/25", "192.168.1.100", false)]
        [InlineData("127.0.0.1", "::ffff:127.0.0.1", true)]
        [InlineData("::1", "::1", true)]
        [InlineData("fd00::/8", "fd12::1", true)]
        [InlineData("::1", "127.0.0.1", false)]
        public void Exempt_addresses_match_addresses_and_blocks(string range, string address, bool contained) =>
            Assert.Equal(contained, AddressRange.Parse(range).Contains(IPAddress.Parse(address)));

        [Theory]
        [InlineData("localhost")]
        [InlineData("10.0.0.0/33")]
        [InlineData("10.0.0.0/")]
        public void A_bad_exempt_entry_is_refused(string range) =>
            Assert.Throws<FormatException>(() => AddressRange.Parse(range));
    }
}
