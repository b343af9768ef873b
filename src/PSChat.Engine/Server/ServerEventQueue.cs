using System;
using System.Collections.Concurrent;
using System.Threading;

namespace PSChat.Engine.Server
{
    /// <summary>
    /// Server events on their way from I/O threads to one reader (Start-ChatServer -Wait), bounded so a flood
    /// cannot take the process's memory. What does not fit is dropped and counted, never silently: the reader
    /// sees <see cref="Dropped"/> grow and the server's <see cref="ChatServerCounters.DroppedEvents"/> with it.
    /// Everyday events (Connected, Joined, Message, Renamed, Left) may fill only nine tenths of the queue, so a
    /// flood of messages cannot push out the events that say a client was refused, limited or gone.
    /// </summary>
    internal sealed class ServerEventQueue : IDisposable
    {
        private readonly BlockingCollection<ServerEvent> events = new BlockingCollection<ServerEvent>(new ConcurrentQueue<ServerEvent>());
        private readonly int capacity;
        private readonly int everydayCapacity;
        private int count;
        private long dropped;

        public ServerEventQueue(int capacity)
        {
            if (capacity < 10) throw new ArgumentOutOfRangeException(nameof(capacity), "at least 10 events");
            this.capacity = capacity;
            everydayCapacity = capacity - capacity / 10;
        }

        /// <summary>Events dropped so far because the queue was full.</summary>
        public long Dropped => Interlocked.Read(ref dropped);

        /// <summary>
        /// Queues an event, or drops and counts it (also in <paramref name="counters"/>, the raising server's)
        /// when its share of the queue is full. Never blocks: it runs on an I/O thread.
        /// </summary>
        public bool Add(ServerEvent e, ChatServerCounters? counters)
        {
            int limit = IsEveryday(e.Kind) ? everydayCapacity : capacity;
            if (Interlocked.Increment(ref count) > limit)
            {
                Interlocked.Decrement(ref count);
                Interlocked.Increment(ref dropped);
                counters?.Add(LimitCounter.DroppedEvents);
                return false;
            }

            events.Add(e);
            return true;
        }

        /// <summary>Takes the next event, waiting up to <paramref name="timeoutMs"/> (-1: until one comes or the token is cancelled).</summary>
        public bool TryTake(out ServerEvent e, int timeoutMs, CancellationToken cancellation)
        {
            if (!events.TryTake(out e!, timeoutMs, cancellation)) return false;
            Interlocked.Decrement(ref count);
            return true;
        }

        public void Dispose() => events.Dispose();

        private static bool IsEveryday(ServerEventKind kind) =>
            kind == ServerEventKind.Connected || kind == ServerEventKind.Joined || kind == ServerEventKind.Message ||
            kind == ServerEventKind.Renamed || kind == ServerEventKind.Left;
    }
}
