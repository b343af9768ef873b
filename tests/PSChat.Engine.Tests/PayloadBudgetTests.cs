using System;
using System.Text;
using PSChat.Engine.Framing;
using PSChat.Engine.Timing;
using PSChat.Engine.Transport;
using Xunit;

namespace PSChat.Engine.Tests
{
    /// <summary>The flood budget's payload clock on a clock the test moves: bytes, not lines, in one queue with the lines.</summary>
    public class PayloadBudgetTests
    {
        /// <summary>4 KB chunks at 64 KB a second: a burst of 16 KB (the least there is) holds four.</summary>
        private static readonly byte[] Chunk = Encoding.ASCII.GetBytes(new string('c', 4095));

        private static readonly byte[] Line = Encoding.ASCII.GetBytes("PRIVMSG #a :hi");

        private static FloodBudget Budget(ManualClock clock, int maxHeld = 1024) =>
            new FloodBudget(clock, new FloodLimits(3, 2, maxHeld, payloadBytesPerSecond: 64 * 1024));

        private static FloodVerdict OfferChunk(FloodBudget budget) => budget.Offer(Chunk, 0, Chunk.Length, LineTerminator.CrLf, payload: true);

        private static FloodVerdict OfferLine(FloodBudget budget) => budget.Offer(Line, 0, Line.Length, LineTerminator.CrLf);

        [Fact]
        public void ChunksSpendBytesNotLinesAndLinesSpendLinesNotBytes()
        {
            var clock = new ManualClock(1000);
            var budget = Budget(clock);
            Assert.Equal(16 * 1024, FloodLimits.PayloadBurstOf(64 * 1024));
            for (int i = 0; i < 4; i++) Assert.Equal(FloodVerdict.Run, OfferChunk(budget));
            // Four chunks spent the payload burst, none of the line burst.
            for (int i = 0; i < 3; i++) Assert.Equal(FloodVerdict.Run, OfferLine(budget));
            Assert.Equal(FloodVerdict.Held, OfferChunk(budget));
            // The fifth chunk's cost, less what the first four left of the 250 ms window.
            long chunkTicks = TimeSpan.TicksPerSecond * 4095 / (64 * 1024);
            Assert.Equal(TimeSpan.FromTicks((5 * chunkTicks) - (TimeSpan.TicksPerSecond / 4)), budget.UntilNextDue);
        }

        [Fact]
        public void HeldChunksAndLinesComeOutInOrderEachWhenItsOwnBudgetAllows()
        {
            var clock = new ManualClock();
            var budget = Budget(clock);
            for (int i = 0; i < 4; i++) OfferChunk(budget);
            for (int i = 0; i < 3; i++) OfferLine(budget);
            Assert.Equal(FloodVerdict.Held, OfferChunk(budget));
            Assert.Equal(FloodVerdict.Held, OfferLine(budget));
            Assert.False(budget.TryTakeDue(out _));

            clock.Advance(TimeSpan.FromMilliseconds(63));
            Assert.True(budget.TryTakeDue(out var first));
            Assert.Equal(Chunk.Length, first.Count);
            Assert.True(first.Payload);
            // The line behind it waits for the line budget (500 ms a line), not for bytes.
            Assert.False(budget.TryTakeDue(out _));
            clock.Advance(TimeSpan.FromMilliseconds(437));
            Assert.True(budget.TryTakeDue(out var second));
            Assert.Equal("PRIVMSG #a :hi", Encoding.ASCII.GetString(second.Bytes!, second.Offset, second.Count));
            Assert.Equal(0, budget.HeldBytes);
        }

        [Fact]
        public void HeldChunksUpToOneBurstDoNotCountAgainstTheHeldBoundButPastItTheyDo()
        {
            var clock = new ManualClock();
            var budget = Budget(clock, maxHeld: 1024);
            for (int i = 0; i < 4; i++) OfferChunk(budget);
            // A burst's worth held (four chunks of 4096 with their ends): within the allowance.
            for (int i = 0; i < 4; i++) Assert.Equal(FloodVerdict.Held, OfferChunk(budget));
            // The fifth passes the allowance by 4 KB, more than the 1 KB bound.
            Assert.Equal(FloodVerdict.Overflow, OfferChunk(budget));
            // A short line still fits the bound on top of the allowance.
            Assert.Equal(FloodVerdict.Held, OfferLine(budget));
        }

        [Fact]
        public void WithoutAPayloadRateChunksAreLines()
        {
            var clock = new ManualClock();
            var budget = new FloodBudget(clock, new FloodLimits(3, 2, 64 * 1024));
            Assert.False(budget.BudgetsPayload);
            for (int i = 0; i < 3; i++) Assert.Equal(FloodVerdict.Run, OfferChunk(budget));
            Assert.Equal(FloodVerdict.Held, OfferChunk(budget));
            Assert.Equal(TimeSpan.FromMilliseconds(500), budget.UntilNextDue);
        }
    }
}
