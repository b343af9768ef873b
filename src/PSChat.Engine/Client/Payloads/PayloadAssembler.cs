using System;
using System.Collections.Generic;
using System.Text;
using PSChat.Engine.Timing;

namespace PSChat.Engine.Client.Payloads
{
    /// <summary>A payload put back together: what its first chunk said and the bytes.</summary>
    internal sealed class AssembledPayload
    {
        public AssembledPayload(string id, PayloadMeta meta, byte[] data)
        {
            Id = id;
            Meta = meta;
            Data = data;
        }

        public string Id { get; }

        public PayloadMeta Meta { get; }

        public byte[] Data { get; }
    }

    /// <summary>
    /// Puts chunked payloads back together, per sender and payload id, while other senders' lines
    /// interleave. Everything it holds is bounded: the bytes of one payload (<see cref="PayloadLimits.MaxPayloadBytes"/>),
    /// the payloads in progress per sender and in all, and how long one may go without a chunk (a slow
    /// server, ngircd throttling a sender to a few lines a second, makes a large payload take minutes while
    /// its chunks keep coming: it is alive). A payload that breaks a bound is
    /// refused once (the refusal text is returned for the reader) and its later chunks are passed over.
    /// Not thread-safe: one connection's reader feeds it.
    /// </summary>
    internal sealed class PayloadAssembler
    {
        private readonly Dictionary<string, Pending> pending = new Dictionary<string, Pending>(StringComparer.Ordinal);
        private readonly Dictionary<string, int> perSender = new Dictionary<string, int>(StringComparer.Ordinal);
        private readonly PayloadLimits limits;
        private readonly MonotonicClock clock;

        /// <summary>Base64 characters held for payloads in progress, all senders together.</summary>
        private long held;

        public PayloadAssembler(PayloadLimits limits, MonotonicClock clock)
        {
            this.limits = limits;
            this.clock = clock;
        }

        /// <summary>Payloads in progress (refused ones still passing over their chunks included).</summary>
        public int Count => pending.Count;

        /// <summary>Takes one chunk; returns a refusal to report, or null.</summary>
        public string? Add(string sender, PayloadRecord record)
        {
            string key = sender + "\n" + record.Id;
            if (pending.TryGetValue(key, out var entry))
            {
                entry.LastTicks = clock.NowTicks;
                if (entry.Refused) return null;
                if (record.Sequence != entry.Received + 1 || record.Total != entry.Total) return Refuse(entry, $"chunk {record.Sequence} of {record.Total} came after chunk {entry.Received} of {entry.Total}");
                if (entry.Data.Length + record.Data.Length > MaxEncodedLength) return Refuse(entry, $"it is larger than MaxPayloadBytes ({limits.MaxPayloadBytes})");
                if (held + record.Data.Length > MaxHeldLength) return Refuse(entry, $"payloads in progress hold {held} characters already");
                entry.Data.Append(record.Data);
                held += record.Data.Length;
                entry.Received++;
                return null;
            }

            int mine = perSender.TryGetValue(sender, out int count) ? count : 0;
            if (mine >= limits.MaxIncompletePayloads || pending.Count >= limits.MaxIncompletePayloadsInAll)
            {
                Expire();
                mine = perSender.TryGetValue(sender, out count) ? count : 0;
                if (mine >= limits.MaxIncompletePayloads) return Track(key, sender, record, $"{sender} has {mine} payloads in progress already (MaxIncompletePayloads)");
                if (pending.Count >= limits.MaxIncompletePayloadsInAll) return Track(key, sender, record, $"{pending.Count} payloads are in progress already");
            }

            if (record.Sequence != 1) return Track(key, sender, record, $"its chunk {record.Sequence} came without chunk 1");
            var meta = record.Meta!;
            if (meta.Length > limits.MaxPayloadBytes) return Track(key, sender, record, $"it declared {meta.Length} bytes, more than MaxPayloadBytes ({limits.MaxPayloadBytes})");
            if (record.Data.Length > MaxEncodedLength) return Track(key, sender, record, $"it is larger than MaxPayloadBytes ({limits.MaxPayloadBytes})");
            var created = new Pending(sender, record.Id, record.Total, clock.NowTicks) { Meta = meta, Received = 1 };
            created.Data.Append(record.Data);
            held += record.Data.Length;
            Insert(key, created);
            return null;
        }

        /// <summary>
        /// The sender's closing line for payload <paramref name="id"/>: the payload when complete; null
        /// otherwise, with a refusal to report unless one was reported already or there was no such payload.
        /// </summary>
        public AssembledPayload? Complete(string sender, string id, out string? refusal)
        {
            refusal = null;
            string key = sender + "\n" + id;
            if (!pending.TryGetValue(key, out var entry)) return null;
            Remove(key, entry);
            if (entry.Refused) return null;
            if (entry.Received != entry.Total)
            {
                refusal = Describe(entry, $"it ended after {entry.Received} of {entry.Total} chunks");
                return null;
            }

            var data = PayloadCodec.Decode(entry.Data.ToString(), entry.Meta!.Deflated, entry.Meta.Length, out string? error);
            if (data == null)
            {
                refusal = Describe(entry, error!);
                return null;
            }

            return new AssembledPayload(id, entry.Meta, data);
        }

        /// <summary>Forgets payloads that went the timeout without a chunk; the refusals of those not yet refused.</summary>
        public List<string> Expire()
        {
            var refusals = new List<string>();
            long now = clock.NowTicks;
            List<string>? old = null;
            foreach (var pair in pending)
            {
                if (now - pair.Value.LastTicks >= limits.IncompletePayloadTimeout.Ticks) (old ??= new List<string>()).Add(pair.Key);
            }

            if (old == null) return refusals;
            foreach (string key in old)
            {
                var entry = pending[key];
                Remove(key, entry);
                if (!entry.Refused) refusals.Add(Describe(entry, $"no chunk of it came for {limits.IncompletePayloadTimeout.TotalSeconds:0.#} s (IncompletePayloadTimeout)"));
            }

            return refusals;
        }

        /// <summary>Base64 of the largest payload, deflated data a little larger than its input at worst.</summary>
        private long MaxEncodedLength => ((((long)limits.MaxPayloadBytes + 1024) / 3) + 1) * 4;

        /// <summary>Two of the largest payloads at once, whoever sends them.</summary>
        private long MaxHeldLength => 2 * MaxEncodedLength;

        private static string Describe(Pending entry, string why) => $"A payload from {entry.Sender} (#{entry.Id}) was refused: {why}.";

        private string Refuse(Pending entry, string why)
        {
            entry.Refused = true;
            held -= entry.Data.Length;
            entry.Data.Clear();
            entry.Data.Capacity = 0;
            return Describe(entry, why);
        }

        /// <summary>A refused payload is remembered (without data) until it ends or times out, so its chunks are passed over quietly.</summary>
        private string Track(string key, string sender, PayloadRecord record, string why)
        {
            var entry = new Pending(sender, record.Id, record.Total, clock.NowTicks) { Refused = true };
            string refusal = Describe(entry, why);
            // Over the bounds, nothing more is held: the refusal is reported and later chunks are refused again.
            if (pending.Count < limits.MaxIncompletePayloadsInAll * 2) Insert(key, entry);
            return refusal;
        }

        private void Insert(string key, Pending entry)
        {
            pending[key] = entry;
            perSender[entry.Sender] = (perSender.TryGetValue(entry.Sender, out int count) ? count : 0) + 1;
        }

        private void Remove(string key, Pending entry)
        {
            pending.Remove(key);
            held -= entry.Data.Length;
            int left = perSender[entry.Sender] - 1;
            if (left == 0) perSender.Remove(entry.Sender);
            else perSender[entry.Sender] = left;
        }

        private sealed class Pending
        {
            public Pending(string sender, string id, int total, long startedTicks)
            {
                Sender = sender;
                Id = id;
                Total = total;
                LastTicks = startedTicks;
            }

            public string Sender { get; }

            public string Id { get; }

            public int Total { get; }

            /// <summary>When its latest chunk came.</summary>
            public long LastTicks { get; set; }

            public PayloadMeta? Meta { get; set; }

            public int Received { get; set; }

            public bool Refused { get; set; }

            public StringBuilder Data { get; } = new StringBuilder();
        }
    }
}
