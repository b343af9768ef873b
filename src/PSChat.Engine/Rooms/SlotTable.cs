using System;
using System.Threading;

namespace PSChat.Engine.Rooms
{
    /// <summary>
    /// Numbered slots that codecs and protocols take once, for what rooms and events keep on their
    /// behalf without reading it (encoded bytes, channel state). Fixed in number, so an object made
    /// before a codec took its slots still has them.
    /// </summary>
    internal sealed class SlotTable
    {
        private readonly string takers;
        private readonly string what;
        private int taken;

        public SlotTable(int capacity, string takers, string what)
        {
            Capacity = capacity;
            this.takers = takers;
            this.what = what;
        }

        public int Capacity { get; }

        /// <summary>The first of <paramref name="count"/> new slots.</summary>
        public int Take(int count = 1)
        {
            int end = Interlocked.Add(ref taken, count);
            if (end > Capacity) throw new InvalidOperationException($"{takers} want more than {Capacity} {what} slots");
            return end - count;
        }
    }
}
