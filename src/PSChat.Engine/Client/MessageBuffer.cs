using System;
using System.Collections.Generic;
using System.Threading;

namespace PSChat.Engine.Client
{
    internal enum TakeResult
    {
        Taken,
        TimedOut,
        Cancelled,
        Completed,
    }

    /// <summary>
    /// The bounded buffer between a session's reader and any number of consumers. When full, the
    /// oldest message is dropped and counted: a session never blocks its socket on a slow reader
    /// and never loses messages silently.
    /// </summary>
    internal sealed class MessageBuffer<T>
        where T : class
    {
        private readonly object gate = new object();
        private readonly Queue<T> queue = new Queue<T>();
        private readonly int capacity;
        private bool completed;
        private long dropped;

        public MessageBuffer(int capacity)
        {
            if (capacity < 1) throw new ArgumentOutOfRangeException(nameof(capacity));
            this.capacity = capacity;
        }

        public int Capacity => capacity;

        public long Dropped => Interlocked.Read(ref dropped);

        public int Count
        {
            get { lock (gate) return queue.Count; }
        }

        public bool IsCompleted
        {
            get { lock (gate) return completed; }
        }

        public void Add(T item)
        {
            lock (gate)
            {
                if (queue.Count >= capacity)
                {
                    queue.Dequeue();
                    dropped++;
                }

                queue.Enqueue(item);
                Monitor.Pulse(gate);
            }
        }

        /// <summary>No more items will come; waiting consumers finish once the buffer is empty.</summary>
        public void Complete()
        {
            lock (gate)
            {
                completed = true;
                Monitor.PulseAll(gate);
            }
        }

        /// <summary>Takes without waiting.</summary>
        public T? TryTake()
        {
            lock (gate) return queue.Count > 0 ? queue.Dequeue() : null;
        }

        /// <summary>Waits up to <paramref name="timeout"/> (infinite when negative) for an item.</summary>
        public TakeResult Take(TimeSpan timeout, CancellationToken cancel, out T? item)
        {
            item = null;
            using (cancel.Register(PulseAll))
            {
                // On the monotonic clock: a wall-clock step must not cut a wait short or stretch it.
                var clock = Engine.Timing.MonotonicClock.System;
                long deadline = timeout < TimeSpan.Zero ? long.MaxValue : clock.NowTicks + timeout.Ticks;
                lock (gate)
                {
                    while (true)
                    {
                        if (queue.Count > 0)
                        {
                            item = queue.Dequeue();
                            return TakeResult.Taken;
                        }

                        if (cancel.IsCancellationRequested) return TakeResult.Cancelled;
                        if (completed) return TakeResult.Completed;
                        if (deadline == long.MaxValue)
                        {
                            Monitor.Wait(gate);
                            continue;
                        }

                        var remaining = TimeSpan.FromTicks(deadline - clock.NowTicks);
                        if (remaining <= TimeSpan.Zero) return TakeResult.TimedOut;
                        Monitor.Wait(gate, remaining);
                    }
                }
            }
        }

        private void PulseAll()
        {
            lock (gate) Monitor.PulseAll(gate);
        }
    }
}
