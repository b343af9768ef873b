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
    /// and neither does receiving. Payload lines (object chunks, <see cref="EnqueuePayload"/>) may have a
    /// budget of their own in bytes a second, as a server that offers pschat.dev/payload advertises; both
    /// kinds wait in the one queue, so lines keep their order. Socket-free: the clock is injected and
    /// <see cref="Pump"/> is what the timer calls, so tests drive it by hand.
    /// </summary>
    internal sealed class OutgoingPacer : IDisposable
    {
        private readonly object gate = new object();
        private readonly Queue<QueuedLine> waiting = new Queue<QueuedLine>();
        private readonly MonotonicClock clock;
        private readonly Action<byte[]> write;
        private readonly long ticksPerLine;
        private readonly Timer? timer;
        private readonly double payloadBytesPerTick;
        private readonly int payloadBurstBytes;
        private double tokens;
        private double payloadTokens;
        private long waitingBytes;
        private long updatedTicks;
        private bool timerSet;
        private bool disposed;

        /// <param name="linesPerSecond">The line rate; zero sends lines at once (a payload budget may still pace payload lines).</param>
        /// <param name="write">Sends one line; called under the pacer's lock, so it must not block.</param>
        /// <param name="useTimer">False for tests, which call <see cref="Pump"/> themselves.</param>
        /// <param name="payloadBytesPerSecond">The budget of payload lines, in bytes a second; zero makes them lines.</param>
        /// <param name="payloadBurstBytes">Payload bytes that may go at once.</param>
        public OutgoingPacer(int burst, double linesPerSecond, MonotonicClock clock, Action<byte[]> write, bool useTimer = true, int payloadBytesPerSecond = 0, int payloadBurstBytes = 0)
        {
            if (burst < 1) throw new ArgumentOutOfRangeException(nameof(burst));
            if (!(linesPerSecond >= 0)) throw new ArgumentOutOfRangeException(nameof(linesPerSecond));
            if (payloadBytesPerSecond < 0 || (payloadBytesPerSecond > 0 && payloadBurstBytes < 1)) throw new ArgumentOutOfRangeException(nameof(payloadBurstBytes));
            Burst = burst;
            LinesPerSecond = linesPerSecond;
            this.clock = clock;
            this.write = write;
            ticksPerLine = linesPerSecond > 0 ? (long)(TimeSpan.TicksPerSecond / linesPerSecond) : 0;
            tokens = burst;
            payloadBytesPerTick = (double)payloadBytesPerSecond / TimeSpan.TicksPerSecond;
            this.payloadBurstBytes = payloadBurstBytes;
            payloadTokens = payloadBurstBytes;
            updatedTicks = clock.NowTicks;
            if (useTimer) timer = new Timer(_ => Pump(), null, Timeout.Infinite, Timeout.Infinite);
        }

        /// <summary>Lines that may go at once after a quiet spell.</summary>
        public int Burst { get; }

        public double LinesPerSecond { get; }

        /// <summary>Whether payload lines have a budget of their own (else <see cref="EnqueuePayload"/> is <see cref="Enqueue"/>).</summary>
        public bool BudgetsPayload => payloadBytesPerTick > 0;

        /// <summary>Bytes of the lines waiting.</summary>
        public long WaitingBytes
        {
            get { lock (gate) return waitingBytes; }
        }

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
        public void Enqueue(byte[] line) => Enqueue(new QueuedLine(line, payload: false));

        /// <summary>As <see cref="Enqueue"/> for a payload line (an object chunk), which the payload budget paces by its bytes.</summary>
        public void EnqueuePayload(byte[] line) => Enqueue(new QueuedLine(line, BudgetsPayload));

        private void Enqueue(QueuedLine line)
        {
            lock (gate)
            {
                if (disposed) throw new ObjectDisposedException(nameof(OutgoingPacer));
                Refill();
                if (waiting.Count == 0 && TryTake(line))
                {
                    write(line.Bytes);
                    return;
                }

                if (waiting.Count >= MaxWaiting)
                {
                    throw new InvalidOperationException(
                        $"{waiting.Count} lines already wait to be sent at {LinesPerSecond:0.##} a second (the session's pacing); slow down, or connect with -NoThrottle to a server you own.");
                }

                waiting.Enqueue(line);
                waitingBytes += line.Bytes.Length;
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
                while (waiting.Count > 0 && TryTake(waiting.Peek()))
                {
                    var line = waiting.Dequeue();
                    waitingBytes -= line.Bytes.Length;
                    write(line.Bytes);
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
                return waiting.Count == 0 ? TimeSpan.Zero : TimeSpan.FromTicks(TicksUntilAffordable(waiting.Peek()));
            }
        }

        /// <summary>Drops what waits (the connection is gone); returns how many lines were dropped.</summary>
        public int Clear()
        {
            lock (gate)
            {
                int dropped = waiting.Count;
                waiting.Clear();
                waitingBytes = 0;
                return dropped;
            }
        }

        public void Dispose()
        {
            lock (gate)
            {
                disposed = true;
                waiting.Clear();
                waitingBytes = 0;
            }

            timer?.Dispose();
        }

        private void Refill()
        {
            long now = clock.NowTicks;
            long elapsed = now - updatedTicks;
            updatedTicks = now;
            if (elapsed <= 0) return;
            tokens = ticksPerLine == 0 ? Burst : Math.Min(Burst, tokens + ((double)elapsed / ticksPerLine));
            if (BudgetsPayload) payloadTokens = Math.Min(payloadBurstBytes, payloadTokens + (elapsed * payloadBytesPerTick));
        }

        /// <summary>Takes the line's cost from its budget when the budget holds it; a payload line longer than the burst needs the whole burst.</summary>
        private bool TryTake(QueuedLine line)
        {
            if (line.Payload)
            {
                if (payloadTokens < PayloadCost(line)) return false;
                payloadTokens -= line.Bytes.Length;
                return true;
            }

            if (ticksPerLine == 0) return true;
            if (tokens < 1) return false;
            tokens -= 1;
            return true;
        }

        private double PayloadCost(QueuedLine line) => Math.Min(line.Bytes.Length, payloadBurstBytes);

        private long TicksUntilAffordable(QueuedLine line)
        {
            if (line.Payload) return (long)Math.Ceiling(Math.Max(0, PayloadCost(line) - payloadTokens) / payloadBytesPerTick);
            return ticksPerLine == 0 ? 0 : (long)Math.Ceiling(Math.Max(0, 1 - tokens) * ticksPerLine);
        }

        private void Schedule()
        {
            if (timer == null || timerSet) return;
            timerSet = true;
            long due = waiting.Count == 0 ? 0 : TicksUntilAffordable(waiting.Peek());
            timer.Change(Math.Max(1, (int)Math.Min(int.MaxValue, TimeSpan.FromTicks(due).TotalMilliseconds + 1)), Timeout.Infinite);
        }

        /// <summary>A line waiting its turn, and which budget it takes from.</summary>
        private readonly struct QueuedLine
        {
            public QueuedLine(byte[] bytes, bool payload)
            {
                Bytes = bytes;
                Payload = payload;
            }

            public byte[] Bytes { get; }

            public bool Payload { get; }
        }
    }
}
