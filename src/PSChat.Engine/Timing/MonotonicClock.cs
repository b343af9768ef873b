using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading.Tasks;

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

        /// <summary>
        /// Completes once this clock has moved on by <paramref name="wait"/> (the machine's clock: a
        /// timer, clamped to a day like every engine wait; a manual clock: when a test advances it).
        /// </summary>
        public virtual Task Delay(TimeSpan wait) =>
            wait <= TimeSpan.Zero ? Task.CompletedTask : Task.Delay(TimeSpan.FromTicks(Math.Min(wait.Ticks, TimeSpan.TicksPerDay)));

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

        private readonly List<KeyValuePair<long, TaskCompletionSource<bool>>> waiters = new List<KeyValuePair<long, TaskCompletionSource<bool>>>();

        public void Advance(TimeSpan by)
        {
            var due = new List<TaskCompletionSource<bool>>();
            lock (waiters)
            {
                long reading = global::System.Threading.Interlocked.Add(ref now, by.Ticks);
                waiters.RemoveAll(w =>
                {
                    if (w.Key > reading) return false;
                    due.Add(w.Value);
                    return true;
                });
            }

            // Outside the lock: continuations may run inline and wait again.
            foreach (var waiter in due) waiter.TrySetResult(true);
        }

        public override Task Delay(TimeSpan wait)
        {
            if (wait <= TimeSpan.Zero) return Task.CompletedTask;
            var waiter = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            // Under the lock Advance moves the clock in, so no advance slips between the reading and the wait.
            lock (waiters) waiters.Add(new KeyValuePair<long, TaskCompletionSource<bool>>(NowTicks + wait.Ticks, waiter));
            return waiter.Task;
        }
    }
}
