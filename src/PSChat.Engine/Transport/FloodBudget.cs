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
        public FloodLimits(int burst, double linesPerSecond, int maxHeldBytes, IReadOnlyList<AddressRange>? exempt = null, int payloadBytesPerSecond = 0)
        {
            if (burst < 1) throw new ArgumentOutOfRangeException(nameof(burst));
            if (!(linesPerSecond > 0)) throw new ArgumentOutOfRangeException(nameof(linesPerSecond));
            if (maxHeldBytes < 1) throw new ArgumentOutOfRangeException(nameof(maxHeldBytes));
            if (payloadBytesPerSecond < 0) throw new ArgumentOutOfRangeException(nameof(payloadBytesPerSecond));
            Burst = burst;
            IntervalTicks = Math.Max(1, (long)(TimeSpan.TicksPerSecond / linesPerSecond));
            MaxHeldBytes = maxHeldBytes;
            Exempt = exempt ?? Array.Empty<AddressRange>();
            PayloadBytesPerSecond = payloadBytesPerSecond;
            PayloadBurstBytes = PayloadBurstOf(payloadBytesPerSecond);
        }

        /// <summary>
        /// Bytes a second of payload lines (object chunks, which the handler names) a client may send, budgeted
        /// apart from its lines; 0 when payload lines count as lines like any other.
        /// </summary>
        public int PayloadBytesPerSecond { get; }

        /// <summary>Payload bytes a client may send at once: a quarter second's worth, and never less than two long lines.</summary>
        public int PayloadBurstBytes { get; }

        /// <summary>The payload burst of a rate (what the pschat.dev/payload capability advertises with it).</summary>
        public static int PayloadBurstOf(int payloadBytesPerSecond) =>
            payloadBytesPerSecond <= 0 ? 0 : Math.Max(payloadBytesPerSecond / 4, 16 * 1024);

        /// <summary>What one payload line of <paramref name="bytes"/> costs on the penalty clock.</summary>
        internal long PayloadTicks(int bytes) => (long)bytes * TimeSpan.TicksPerSecond / PayloadBytesPerSecond;

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
    /// Payload lines (object chunks, when the limits give them a rate) run on a second penalty clock that
    /// counts bytes instead of lines; both kinds wait in the one queue, so a client's lines keep their order.
    /// Socket-free and single-threaded: the connection calls it from its serial receive context.
    /// </summary>
    internal sealed class FloodBudget
    {
        private readonly MonotonicClock clock;
        private readonly long interval;
        private readonly long window;
        private readonly int maxHeldBytes;
        private readonly FloodLimits limits;
        private readonly long payloadWindow;
        private readonly Queue<HeldLine> held = new Queue<HeldLine>();
        private byte[] store = Array.Empty<byte>();
        private int storeStart;
        private int storeEnd;

        /// <summary>The penalty clock: the reading up to which this client's budget is spent.</summary>
        private long spentUntil;

        /// <summary>The payload penalty clock, as <see cref="spentUntil"/> for payload bytes.</summary>
        private long payloadSpentUntil;

        /// <summary>Bytes of the held lines that are payload lines.</summary>
        private int heldPayloadBytes;

        public FloodBudget(MonotonicClock clock, FloodLimits limits)
        {
            this.clock = clock ?? throw new ArgumentNullException(nameof(clock));
            if (limits == null) throw new ArgumentNullException(nameof(limits));
            interval = limits.IntervalTicks;
            window = limits.Burst * interval;
            maxHeldBytes = limits.MaxHeldBytes;
            this.limits = limits;
            payloadWindow = limits.PayloadBytesPerSecond > 0 ? limits.PayloadTicks(limits.PayloadBurstBytes) : 0;
            spentUntil = payloadSpentUntil = clock.NowTicks;
        }

        /// <summary>Whether payload lines have a budget of their own (else they are lines).</summary>
        public bool BudgetsPayload => payloadWindow > 0;

        /// <summary>Lines waiting for their turn.</summary>
        public int HeldCount => held.Count;

        /// <summary>Bytes the held lines take (each line's bytes and one for its end).</summary>
        public int HeldBytes { get; private set; }

        /// <summary>
        /// Runs a line now when nothing is held and the budget allows, else holds a copy of it (after the
        /// lines already held), unless that would pass the bound. A <paramref name="payload"/> line is
        /// budgeted by its bytes when payload has a budget.
        /// </summary>
        public FloodVerdict Offer(byte[] buffer, int offset, int count, LineTerminator terminator, bool payload = false)
        {
            long now = clock.NowTicks;
            payload = payload && BudgetsPayload;
            if (held.Count == 0 && Affords(now, payload, count))
            {
                Spend(now, payload, count);
                return FloodVerdict.Run;
            }

            if (HeldBytes + count + 1 - PayloadAllowance(payload ? count + 1 : 0) > maxHeldBytes) return FloodVerdict.Overflow;
            Append(buffer, offset, count);
            held.Enqueue(new HeldLine(count, terminator, overlong: false, payload: payload));
            HeldBytes += count + 1;
            if (payload) heldPayloadBytes += count + 1;
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

            if (HeldBytes + 1 - PayloadAllowance(0) > maxHeldBytes) return FloodVerdict.Overflow;
            held.Enqueue(new HeldLine(bytesSeen, LineTerminator.None, overlong: true, payload: false));
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
            var next = held.Peek();
            if (!Affords(now, next.Payload, next.Count)) return false;
            Spend(now, next.Payload, next.Count);
            line = held.Dequeue();
            if (line.Overlong)
            {
                HeldBytes -= 1;
                return true;
            }

            line = line.At(store, storeStart);
            storeStart += line.Count;
            HeldBytes -= line.Count + 1;
            if (line.Payload) heldPayloadBytes -= line.Count + 1;
            if (held.Count == 0) storeStart = storeEnd = 0;
            return true;
        }

        /// <summary>How long until the oldest held line may run (zero when it may now).</summary>
        public TimeSpan UntilNextDue
        {
            get
            {
                long now = clock.NowTicks;
                long wait = held.Count > 0 && held.Peek().Payload
                    ? Math.Max(payloadSpentUntil, now) + PayloadCost(held.Peek().Count) - payloadWindow - now
                    : Math.Max(spentUntil, now) + interval - window - now;
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
            HeldBytes = heldPayloadBytes = 0;
            storeStart = storeEnd = 0;
            store = Array.Empty<byte>();
        }

        private bool Affords(long now) => Math.Max(spentUntil, now) + interval - now <= window;

        private void Spend(long now, int lines) => spentUntil = Math.Max(spentUntil, now) + (lines * interval);

        /// <summary>
        /// Held payload bytes (with <paramref name="adding"/> more) that do not count against the held-bytes bound,
        /// up to one payload burst: a server that stalled (a loaded machine) meets a well-paced sender's chunks all
        /// at once, and must hold them, not drop the sender. Past that, payload counts like any held line.
        /// </summary>
        private int PayloadAllowance(int adding) => Math.Min(heldPayloadBytes + adding, limits.PayloadBurstBytes);

        private bool Affords(long now, bool payload, int bytes) =>
            payload ? Math.Max(payloadSpentUntil, now) + PayloadCost(bytes) - now <= payloadWindow : Affords(now);

        private void Spend(long now, bool payload, int bytes)
        {
            if (payload) payloadSpentUntil = Math.Max(payloadSpentUntil, now) + limits.PayloadTicks(bytes);
            else Spend(now, 1);
        }

        /// <summary>What a payload line must find free of the window: its cost, but never more than the window, so a line longer than the burst still runs once the budget is whole.</summary>
        private long PayloadCost(int bytes) => Math.Min(limits.PayloadTicks(bytes), payloadWindow);

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
        public HeldLine(int count, LineTerminator terminator, bool overlong, bool payload, byte[]? bytes = null, int offset = 0)
        {
            Count = count;
            Terminator = terminator;
            Overlong = overlong;
            Payload = payload;
            Bytes = bytes;
            Offset = offset;
        }

        /// <summary>The line's length, or the bytes seen of an overlong line.</summary>
        public int Count { get; }

        public LineTerminator Terminator { get; }

        public bool Overlong { get; }

        /// <summary>A payload line, budgeted by its bytes.</summary>
        public bool Payload { get; }

        public byte[]? Bytes { get; }

        public int Offset { get; }

        public HeldLine At(byte[] bytes, int offset) => new HeldLine(Count, Terminator, Overlong, Payload, bytes, offset);
    }
}
