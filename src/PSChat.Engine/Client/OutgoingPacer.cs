using System;
using System.Collections.Generic;
using System.Threading;
using PSChat.Engine.Timing;

namespace PSChat.Engine.Client
{
    /// <summary>
    /// Paces what a session sends on its own account (messages, joins, nick changes) so a real IRC network
    /// never sees a flood: a burst of <see cref="Burst"/> lines goes at once, then one line per
    /// 1/<see cref="LinesPerSecond"/> s, in order, from a queue (RFC 1459 8.10 and every network's flood
    /// control expect this of clients). Answers the protocol gives by itself (PONG, CAP) do not wait here,
    /// and neither does receiving. Socket-free: the clock is injected and <see cref="Pump"/> is what the
    /// timer calls, so tests drive it by hand.
    /// </summary>
    internal sealed class OutgoingPacer : IDisposable
    {
        private readonly object gate = new object();
        private readonly Queue<byte[]> waiting = new Queue<byte[]>();
        private readonly MonotonicClock clock;
        private readonly Action<byte[]> write;
        private readonly long ticksPerLine;
        private readonly Timer? timer;
        private double tokens;
        private long updatedTicks;
        private bool timerSet;
        private bool disposed;

        /// <param name="write">Sends one line; called under the pacer's lock, so it must not block.</param>
        /// <param name="useTimer">False for tests, which call <see cref="Pump"/> themselves.</param>
        public OutgoingPacer(int burst, double linesPerSecond, MonotonicClock clock, Action<byte[]> write, bool useTimer = true)
        {
            if (burst < 1) throw new ArgumentOutOfRangeException(nameof(burst));
            if (!(linesPerSecond > 0)) throw new ArgumentOutOfRangeException(nameof(linesPerSecond));
            Burst = burst;
            LinesPerSecond = linesPerSecond;
            this.clock = clock;
            this.write = write;
            ticksPerLine = (long)(TimeSpan.TicksPerSecond / linesPerSecond);
            tokens = burst;
            updatedTicks = clock.NowTicks;
            if (useTimer) timer = new Timer(_ => Pump(), null, Timeout.Infinite, Timeout.Infinite);
        }

        /// <summary>Lines that may go at once after a quiet spell.</summary>
        public int Burst { get; }

        public double LinesPerSecond { get; }

        /// <summary>Most lines that may wait; a sender past it is told, rather than the queue growing without end.</summary>
        public int MaxWaiting { get; set; } = 10000;

        /// <summary>Lines waiting for their turn.</summary>
        public int Waiting
        {
            get { lock (gate) return waiting.Count; }
        }

        /// <summary>Raised (outside the lock) when the queue has emptied.</summary>
        public event Action? Drained;

        /// <summary>Sends the line now if the budget allows and nothing waits ahead of it; queues it otherwise.</summary>
        public void Enqueue(byte[] line)
        {
            lock (gate)
            {
                if (disposed) throw new ObjectDisposedException(nameof(OutgoingPacer));
                Refill();
                if (waiting.Count == 0 && tokens >= 1)
                {
                    tokens -= 1;
                    write(line);
                    return;
                }

                if (waiting.Count >= MaxWaiting)
                {
                    throw new InvalidOperationException(
                        $"{waiting.Count} lines already wait to be sent at {LinesPerSecond:0.##} a second (the session's pacing); slow down, or connect with -NoThrottle to a server you own.");
                }

                waiting.Enqueue(line);
                Schedule();
            }
        }

        /// <summary>Sends what the budget allows now, and sets the timer for the rest.</summary>
        public void Pump()
        {
            bool drained = false;
            lock (gate)
            {
                timerSet = false;
                if (disposed) return;
                Refill();
                while (waiting.Count > 0 && tokens >= 1)
                {
                    tokens -= 1;
                    write(waiting.Dequeue());
                }

                if (waiting.Count > 0) Schedule();
                else drained = true;
            }

            if (drained) Drained?.Invoke();
        }

        /// <summary>How long until the next waiting line may go (zero when none waits or one may go now).</summary>
        public TimeSpan NextIn()
        {
            lock (gate)
            {
                Refill();
                if (waiting.Count == 0 || tokens >= 1) return TimeSpan.Zero;
                return TimeSpan.FromTicks((long)Math.Ceiling((1 - tokens) * ticksPerLine));
            }
        }

        /// <summary>Drops what waits (the connection is gone); returns how many lines were dropped.</summary>
        public int Clear()
        {
            lock (gate)
            {
                int dropped = waiting.Count;
                waiting.Clear();
                return dropped;
            }
        }

        public void Dispose()
        {
            lock (gate)
            {
                disposed = true;
                waiting.Clear();
            }

            timer?.Dispose();
        }

        private void Refill()
        {
            long now = clock.NowTicks;
            long elapsed = now - updatedTicks;
            updatedTicks = now;
            if (elapsed > 0) tokens = Math.Min(Burst, tokens + (double)elapsed / ticksPerLine);
        }

        private void Schedule()
        {
            if (timer == null || timerSet) return;
            timerSet = true;
            long due = (long)Math.Ceiling((1 - Math.Min(tokens, 1)) * ticksPerLine);
            timer.Change(Math.Max(1, (int)Math.Min(int.MaxValue, TimeSpan.FromTicks(due).TotalMilliseconds + 1)), Timeout.Infinite);
        }
    }
}
