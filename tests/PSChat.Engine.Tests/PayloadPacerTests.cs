using System;
using System.Collections.Generic;
using System.Text;
using PSChat.Engine.Client;
using PSChat.Engine.Timing;
using Xunit;

namespace PSChat.Engine.Tests
{
    /// <summary>The session's pacer with a payload budget, as a server's pschat.dev/payload asks: chunks by bytes, lines by lines, one order.</summary>
    public class PayloadPacerTests
    {
        private static byte[] Bytes(string text) => Encoding.ASCII.GetBytes(text);

        [Fact]
        public void ChunksGoByBytesAndALineWaitsBehindAChunkThatWaits()
        {
            var clock = new ManualClock(0);
            var sent = new List<string>();
            // Lines unpaced (a session to this machine), chunks at 1000 bytes a second, 500 at once.
            using var pacer = new OutgoingPacer(5, 0, clock, b => sent.Add(Encoding.ASCII.GetString(b)), useTimer: false, payloadBytesPerSecond: 1000, payloadBurstBytes: 500);
            string chunk1 = new string('a', 300), chunk2 = new string('b', 300);
            pacer.EnqueuePayload(Bytes(chunk1));
            pacer.EnqueuePayload(Bytes(chunk2));
            pacer.Enqueue(Bytes("line"));
            Assert.Equal(new[] { chunk1 }, sent);
            Assert.Equal(2, pacer.Waiting);
            Assert.Equal(304, pacer.WaitingBytes);
            // 200 bytes of budget left, 300 wanted: 100 bytes at 1000 a second.
            // (Within a tick: the budget is counted in fractions of a byte.)
            Assert.InRange(pacer.NextIn().Ticks, TimeSpan.FromMilliseconds(100).Ticks - 1, TimeSpan.FromMilliseconds(100).Ticks + 1);

            clock.Advance(TimeSpan.FromMilliseconds(99));
            pacer.Pump();
            Assert.Single(sent);
            clock.Advance(TimeSpan.FromMilliseconds(2));
            pacer.Pump();
            Assert.Equal(new[] { chunk1, chunk2, "line" }, sent);
            Assert.Equal(0, pacer.WaitingBytes);

            // Lines do not spend the payload budget: many go at once while the chunk budget is empty.
            for (int i = 0; i < 20; i++) pacer.Enqueue(Bytes("l" + i));
            Assert.Equal(23, sent.Count);
        }

        [Fact]
        public void AChunkLongerThanTheBurstGoesOnceTheBudgetIsWhole()
        {
            var clock = new ManualClock(0);
            var sent = new List<int>();
            using var pacer = new OutgoingPacer(5, 1, clock, b => sent.Add(b.Length), useTimer: false, payloadBytesPerSecond: 1000, payloadBurstBytes: 500);
            pacer.EnqueuePayload(new byte[800]);
            pacer.EnqueuePayload(new byte[100]);
            Assert.Equal(new[] { 800 }, sent);
            // The 800 took the budget 300 below zero: 400 bytes' worth of time before 100 more may go.
            Assert.InRange(pacer.NextIn().Ticks, TimeSpan.FromMilliseconds(400).Ticks - 1, TimeSpan.FromMilliseconds(400).Ticks + 1);
            clock.Advance(TimeSpan.FromMilliseconds(399));
            pacer.Pump();
            Assert.Single(sent);
            clock.Advance(TimeSpan.FromMilliseconds(2));
            pacer.Pump();
            Assert.Equal(new[] { 800, 100 }, sent);
        }

        [Fact]
        public void WithoutAPayloadBudgetAChunkIsALine()
        {
            var clock = new ManualClock(0);
            var sent = new List<int>();
            using var pacer = new OutgoingPacer(1, 1, clock, b => sent.Add(b.Length), useTimer: false);
            Assert.False(pacer.BudgetsPayload);
            pacer.EnqueuePayload(new byte[10]);
            pacer.EnqueuePayload(new byte[10]);
            Assert.Single(sent);
            Assert.Equal(TimeSpan.FromSeconds(1), pacer.NextIn());
        }
    }
}
