using System;
using System.Diagnostics;

namespace PSChat.Engine.Timing
{
    /// <summary>
    /// The one clock every deadline of the engine is measured on (write delay, quiet time, ping and
    /// registration timeouts, send budgets): monotonic, so an NTP step or a change of the wall clock
    /// neither drops nor spares anyone. Readings are <see cref="TimeSpan"/> ticks from an arbitrary
    /// origin; only differences mean anything. Tests inject a clock they drive by hand.
    /// </summary>
    internal abstract class MonotonicClock
    {
        /// <summary>The machine's monotonic clock (<see cref="Stopwatch"/>).</summary>
        public static MonotonicClock System { get; } = new StopwatchClock();

        /// <summary>Now, in <see cref="TimeSpan"/> ticks (100 ns) since the clock's origin.</summary>
        public abstract long NowTicks { get; }

        /// <summary>Ticks since <paramref name="earlierTicks"/>, a reading of this clock.</summary>
        public TimeSpan Since(long earlierTicks) => TimeSpan.FromTicks(NowTicks - earlierTicks);

        private sealed class StopwatchClock : MonotonicClock
        {
            private static readonly double TicksPerTimestamp = (double)TimeSpan.TicksPerSecond / Stopwatch.Frequency;

            public override long NowTicks => (long)(Stopwatch.GetTimestamp() * TicksPerTimestamp);
        }
    }

    /// <summary>A clock that moves only when told to: for tests of deadlines.</summary>
    internal sealed class ManualClock : MonotonicClock
    {
        private long now;

        /// <param name="startTicks">The first reading; 0 is what a machine booted a moment ago reads.</param>
        public ManualClock(long startTicks = 0) => now = startTicks;

        public override long NowTicks => global::System.Threading.Interlocked.Read(ref now);

        public void Advance(TimeSpan by) => global::System.Threading.Interlocked.Add(ref now, by.Ticks);
    }
}
