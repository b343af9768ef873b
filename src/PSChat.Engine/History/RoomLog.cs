using System;
using PSChat.Engine.Rooms;

namespace PSChat.Engine.History
{
    /// <summary>
    /// The messages of one room, oldest first, in a ring that grows (doubling) up to its bound, so a
    /// quiet room costs a few slots and a busy one no more than HistorySize. Not thread-safe: the
    /// store's lock guards it.
    /// </summary>
    internal sealed class RoomLog
    {
        private const int InitialSlots = 16;
        private readonly int capacity;
        private HistoryEntry[] ring;
        private int head;

        /// <param name="owner">The room (a <see cref="ChatRoom"/>) or the private conversation (its <see cref="Conversation"/> key) the log is of.</param>
        public RoomLog(object owner, int capacity)
        {
            Owner = owner;
            this.capacity = capacity;
            ring = new HistoryEntry[Math.Min(InitialSlots, capacity)];
        }

        public object Owner { get; }

        public int Count { get; private set; }

        public bool IsFull => Count == capacity;

        /// <summary>The entry at <paramref name="index"/>, 0 the oldest.</summary>
        public HistoryEntry this[int index] => ring[(head + index) % ring.Length];

        public HistoryEntry Newest => this[Count - 1];

        /// <summary>Appends; the caller removes the oldest first when the log <see cref="IsFull"/>.</summary>
        public void Add(HistoryEntry entry)
        {
            if (Count == ring.Length) Grow();
            ring[(head + Count) % ring.Length] = entry;
            Count++;
        }

        public HistoryEntry RemoveOldest()
        {
            var oldest = ring[head];
            ring[head] = null!;
            head = (head + 1) % ring.Length;
            Count--;
            return oldest;
        }

        /// <summary>Removes the entry at <paramref name="index"/> (0 the oldest), the later ones moving up: O(Count), for rare removals (a redaction).</summary>
        public void RemoveAt(int index)
        {
            for (int i = index; i < Count - 1; i++) ring[(head + i) % ring.Length] = ring[(head + i + 1) % ring.Length];
            ring[(head + Count - 1) % ring.Length] = null!;
            Count--;
        }

        /// <summary>The index of the message with that msgid, newest first (references are usually recent); -1 when gone or unknown.</summary>
        public int IndexOf(string messageId)
        {
            for (int i = Count - 1; i >= 0; i--)
            {
                if (string.Equals(this[i].MessageId, messageId, StringComparison.Ordinal)) return i;
            }

            return -1;
        }

        /// <summary>The first index whose time is at or after <paramref name="time"/> (<paramref name="strictly"/>: after); Count when none.</summary>
        public int FirstFrom(DateTime time, bool strictly)
        {
            int lo = 0;
            int hi = Count;
            while (lo < hi)
            {
                int mid = (lo + hi) >> 1;
                var t = this[mid].Time;
                if (strictly ? t <= time : t < time) lo = mid + 1;
                else hi = mid;
            }

            return lo;
        }

        private void Grow()
        {
            var next = new HistoryEntry[Math.Min(capacity, ring.Length * 2)];
            for (int i = 0; i < Count; i++) next[i] = this[i];
            ring = next;
            head = 0;
        }
    }
}
