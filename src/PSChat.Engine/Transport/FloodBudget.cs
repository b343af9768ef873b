using System;
using System.Collections.Generic;
using PSChat.Engine.Framing;
using PSChat.Engine.Server;
using PSChat.Engine.Timing;

namespace PSChat.Engine.Transport
{
    /// <summary>What <see cref="FloodBudget.Offer"/> decided for a line.</summary>
    internal enum FloodVerdict
    {
        /// <summary>The budget allows it: run it now.</summary>
        Run,

        /// <summary>Copied and held until the budget allows it (see <see cref="FloodBudget.TryTakeDue"/>).</summary>
        Held,

        /// <summary>Holding it would pass the held-bytes bound: excess flood.</summary>
        Overflow,
    }

    /// <summary>A server's flood-control settings, shared by its connections.</summary>
    internal sealed class FloodLimits
    {
        public FloodLimits(int burst, double linesPerSecond, int maxHeldBytes, IReadOnlyList<AddressRange>? exempt = null)
        {
            if (burst < 1) throw new ArgumentOutOfRangeException(nameof(burst));
            if (!(linesPerSecond > 0)) throw new ArgumentOutOfRangeException(nameof(linesPerSecond));
            if (maxHeldBytes < 1) throw new ArgumentOutOfRangeException(nameof(maxHeldBytes));
            Burst = burst;
            IntervalTicks = Math.Max(1, (long)(TimeSpan.TicksPerSecond / linesPerSecond));
            MaxHeldBytes = maxHeldBytes;
            Exempt = exempt ?? Array.Empty<AddressRange>();
        }

        /// <summary>Lines a client may send at once before the rate applies.</summary>
        public int Burst { get; }

        /// <summary>The steady rate, as the time one line costs.</summary>
        public long IntervalTicks { get; }

        /// <summary>Bytes of held lines past which a client is dropped for excess flood (its RecvQ).</summary>
        public int MaxHeldBytes { get; }

        /// <summary>Addresses whose connections run without flood control (a local bot).</summary>
        public IReadOnlyList<AddressRange> Exempt { get; }

        /// <summary>
        /// Single connections exempted by their client end point before they connect: for a test's
        /// probe client, which must measure the server, not its own flood budget.
        /// </summary>
        private readonly System.Collections.Concurrent.ConcurrentDictionary<System.Net.IPEndPoint, bool> exemptEndPoints =
            new System.Collections.Concurrent.ConcurrentDictionary<System.Net.IPEndPoint, bool>();

        internal void ExemptEndPoint(System.Net.IPEndPoint client) => exemptEndPoints[client] = true;

        /// <summary>Whether a connection from <paramref name="client"/> runs without flood control.</summary>
        public bool Exempts(System.Net.IPEndPoint client) =>
            Exempts(client.Address) || (!exemptEndPoints.IsEmpty && exemptEndPoints.ContainsKey(client));

        public bool Exempts(System.Net.IPAddress address)
        {
            foreach (var range in Exempt)
            {
                if (range.Contains(address)) return true;
            }

            return false;
        }
    }

    /// <summary>
    /// One connection's flood control, after ngircd's penalty time and InspIRCd's fake lag: every line
    /// costs one interval of a penalty clock that may run at most a burst of intervals ahead of now, so
    /// a client gets a burst of lines at once and then the steady rate. A line over budget is not refused
    /// but held (copied, in order, with every line after it) until its time comes; a command may charge
    /// more (a big reply). Held bytes are bounded: past the bound the client is flooding (excess flood).
    /// Socket-free and single-threaded: the connection calls it from its serial receive context.
    /// </summary>
    internal sealed class FloodBudget
    {
        private readonly MonotonicClock clock;
        private readonly long interval;
        private readonly long window;
        private readonly int maxHeldBytes;
        private readonly Queue<HeldLine> held = new Queue<HeldLine>();
        private byte[] store = Array.Empty<byte>();
        private int storeStart;
        private int storeEnd;

        /// <summary>The penalty clock: the reading up to which this client's budget is spent.</summary>
        private long spentUntil;

        public FloodBudget(MonotonicClock clock, FloodLimits limits)
        {
            this.clock = clock ?? throw new ArgumentNullException(nameof(clock));
            if (limits == null) throw new ArgumentNullException(nameof(limits));
            interval = limits.IntervalTicks;
            window = limits.Burst * interval;
            maxHeldBytes = limits.MaxHeldBytes;
            spentUntil = clock.NowTicks;
        }

        /// <summary>Lines waiting for their turn.</summary>
        public int HeldCount => held.Count;

        /// <summary>Bytes the held lines take (each line's bytes and one for its end).</summary>
        public int HeldBytes { get; private set; }

        /// <summary>
        /// Runs a line now when nothing is held and the budget allows, else holds a copy of it (after the
        /// lines already held), unless that would pass the bound.
        /// </summary>
        public FloodVerdict Offer(byte[] buffer, int offset, int count, LineTerminator terminator)
        {
            long now = clock.NowTicks;
            if (held.Count == 0 && Affords(now))
            {
                Spend(now, 1);
                return FloodVerdict.Run;
            }

            if (HeldBytes + count + 1 > maxHeldBytes) return FloodVerdict.Overflow;
            Append(buffer, offset, count);
            held.Enqueue(new HeldLine(count, terminator, overlong: false));
            HeldBytes += count + 1;
            return FloodVerdict.Held;
        }

        /// <summary>An overlong line (reported, not kept) takes its turn like any other, so replies stay in order.</summary>
        public FloodVerdict OfferOverlong(int bytesSeen)
        {
            long now = clock.NowTicks;
            if (held.Count == 0 && Affords(now))
            {
                Spend(now, 1);
                return FloodVerdict.Run;
            }

            if (HeldBytes + 1 > maxHeldBytes) return FloodVerdict.Overflow;
            held.Enqueue(new HeldLine(bytesSeen, LineTerminator.None, overlong: true));
            HeldBytes += 1;
            return FloodVerdict.Held;
        }

        /// <summary>
        /// The oldest held line when its turn has come. Its bytes (<paramref name="line"/>.Bytes) are valid
        /// until the next call on this budget.
        /// </summary>
        public bool TryTakeDue(out HeldLine line)
        {
            line = default;
            if (held.Count == 0) return false;
            long now = clock.NowTicks;
            if (!Affords(now)) return false;
            Spend(now, 1);
            line = held.Dequeue();
            if (line.Overlong)
            {
                HeldBytes -= 1;
                return true;
            }

            line = line.At(store, storeStart);
            storeStart += line.Count;
            HeldBytes -= line.Count + 1;
            if (held.Count == 0) storeStart = storeEnd = 0;
            return true;
        }

        /// <summary>How long until the oldest held line may run (zero when it may now).</summary>
        public TimeSpan UntilNextDue
        {
            get
            {
                long now = clock.NowTicks;
                long wait = Math.Max(spentUntil, now) + interval - window - now;
                return TimeSpan.FromTicks(Math.Max(0, wait));
            }
        }

        /// <summary>
        /// Charges <paramref name="lines"/> more lines' worth of penalty (a command whose reply was big);
        /// at most one burst, so a client is never held back longer than a burst takes to earn back.
        /// </summary>
        public void Charge(int lines)
        {
            if (lines <= 0) return;
            long now = clock.NowTicks;
            long extra = Math.Min(lines * interval, window);
            spentUntil = Math.Max(spentUntil, now) + extra;
        }

        /// <summary>Drops every held line (the connection is going away).</summary>
        public void Discard()
        {
            held.Clear();
            HeldBytes = 0;
            storeStart = storeEnd = 0;
            store = Array.Empty<byte>();
        }

        private bool Affords(long now) => Math.Max(spentUntil, now) + interval - now <= window;

        private void Spend(long now, int lines) => spentUntil = Math.Max(spentUntil, now) + (lines * interval);

        private void Append(byte[] buffer, int offset, int count)
        {
            if (store.Length - storeEnd < count)
            {
                int live = storeEnd - storeStart;
                byte[] target = store.Length - live >= count ? store : new byte[Math.Max(live + count, Math.Min(maxHeldBytes, Math.Max(256, store.Length * 2)))];
                Buffer.BlockCopy(store, storeStart, target, 0, live);
                store = target;
                storeStart = 0;
                storeEnd = live;
            }

            Buffer.BlockCopy(buffer, offset, store, storeEnd, count);
            storeEnd += count;
        }
    }

    /// <summary>A line flood control held back: its length, how it ended, and (when taken) where its bytes are.</summary>
    internal readonly struct HeldLine
    {
        public HeldLine(int count, LineTerminator terminator, bool overlong, byte[]? bytes = null, int offset = 0)
        {
            Count = count;
            Terminator = terminator;
            Overlong = overlong;
            Bytes = bytes;
            Offset = offset;
        }

        /// <summary>The line's length, or the bytes seen of an overlong line.</summary>
        public int Count { get; }

        public LineTerminator Terminator { get; }

        public bool Overlong { get; }

        public byte[]? Bytes { get; }

        public int Offset { get; }

        public HeldLine At(byte[] bytes, int offset) => new HeldLine(Count, Terminator, Overlong, bytes, offset);
    }
}
