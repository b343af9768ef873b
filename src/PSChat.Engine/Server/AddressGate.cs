using System;
using System.Collections.Generic;
using System.Net;
using System.Net.Sockets;
using PSChat.Engine.Timing;

namespace PSChat.Engine.Server
{
    /// <summary>Why a connection was turned away at accept, and whether it starts an episode worth an event.</summary>
    internal sealed class Refusal
    {
        public Refusal(string reason, string limit, LimitCounter counter, bool firstOfEpisode)
        {
            Reason = reason;
            Limit = limit;
            Counter = counter;
            FirstOfEpisode = firstOfEpisode;
        }

        /// <summary>What the client and the Rejected event are told.</summary>
        public string Reason { get; }

        /// <summary>The Start-ChatServer parameter that governs the limit.</summary>
        public string Limit { get; }

        public LimitCounter Counter { get; }

        /// <summary>False while the same address keeps being refused for the same limit (one event per episode).</summary>
        public bool FirstOfEpisode { get; }
    }

    /// <summary>
    /// Who may connect, decided at accept from the peer's address alone: the allow and deny lists, then
    /// (loopback exempt unless told otherwise) a connect-rate token bucket and a bound on open connections
    /// per address. IPv6 clients are counted per /64 (one host usually holds a whole /64). Buckets run on
    /// the server's clock. The table holds an address while it has connections open or its bucket is
    /// refilling, so its size follows the clients and the recent connect rate, not the attacker's patience.
    /// </summary>
    internal sealed class AddressGate
    {
        private const int SweepEvery = 256;

        private readonly object gate = new object();
        private readonly Dictionary<IPAddress, Entry> entries = new Dictionary<IPAddress, Entry>();
        private readonly MonotonicClock clock;
        private readonly int maxPerAddress;
        private readonly int connectsPerMinute;
        private readonly bool limitLoopback;
        private readonly AddressRange[] allow;
        private readonly AddressRange[] deny;
        private int untilSweep = SweepEvery;

        public AddressGate(ChatServerOptions options)
        {
            clock = options.Clock;
            maxPerAddress = options.MaxConnectionsPerAddress;
            connectsPerMinute = options.MaxConnectsPerMinute;
            limitLoopback = options.LimitLoopback;
            allow = ParseAll(options.AllowAddress);
            deny = ParseAll(options.DenyAddress);
        }

        /// <summary>Parses every range; throws <see cref="ArgumentException"/> (for <paramref name="parameter"/>) naming the first that is not one.</summary>
        public static AddressRange[] ParseAll(string[]? ranges, string? parameter = null)
        {
            if (ranges == null) return new AddressRange[0];
            var parsed = new AddressRange[ranges.Length];
            for (int i = 0; i < ranges.Length; i++)
            {
                parsed[i] = AddressRange.TryParse(ranges[i], out string? error) ?? throw new ArgumentException(error, parameter);
            }

            return parsed;
        }

        /// <summary>Addresses being tracked now (for tests: the table must not grow without bound).</summary>
        internal int TrackedAddresses
        {
            get { lock (gate) return entries.Count; }
        }

        /// <summary>Null when the address may connect (its connection is then counted until <see cref="Release"/>).</summary>
        public Refusal? TryAdmit(IPAddress address)
        {
            address = AddressRange.Normalize(address);
            string? listed = ListRefusal(address, out string limit);
            bool exempt = listed == null && IPAddress.IsLoopback(address) && !limitLoopback;
            if (exempt || (listed == null && maxPerAddress <= 0 && connectsPerMinute <= 0)) return null;

            var key = AddressRange.HostKey(address);
            lock (gate)
            {
                long now = clock.NowTicks;
                if (--untilSweep <= 0) Sweep(now);
                if (!entries.TryGetValue(key, out var entry))
                {
                    entry = new Entry { Tokens = connectsPerMinute, RefilledTicks = now };
                    entries.Add(key, entry);
                }

                // Every attempt draws on the bucket, refused ones too: retrying does not help.
                bool rateOk = Draw(entry, now);
                if (listed == null && !rateOk)
                {
                    listed = $"too many connections from your address in a minute (at most {connectsPerMinute}); try again later";
                    limit = nameof(ChatServerOptions.MaxConnectsPerMinute);
                }

                if (listed == null && maxPerAddress > 0 && entry.Open >= maxPerAddress)
                {
                    listed = $"too many connections from your address (at most {maxPerAddress})";
                    limit = nameof(ChatServerOptions.MaxConnectionsPerAddress);
                }

                if (listed == null)
                {
                    entry.Open++;
                    entry.RefusedBy = null;
                    return null;
                }

                bool first = entry.RefusedBy != limit;
                entry.RefusedBy = limit;
                return new Refusal(listed, limit, CounterOf(limit), first);
            }
        }

        /// <summary>A connection <see cref="TryAdmit"/> let in has closed.</summary>
        public void Release(IPAddress address)
        {
            var key = AddressRange.HostKey(address);
            lock (gate)
            {
                if (entries.TryGetValue(key, out var entry) && entry.Open > 0) entry.Open--;
            }
        }

        private string? ListRefusal(IPAddress address, out string limit)
        {
            limit = string.Empty;
            foreach (var range in deny)
            {
                if (!range.Contains(address)) continue;
                limit = nameof(ChatServerOptions.DenyAddress);
                return "your address is not allowed on this server";
            }

            if (allow.Length == 0) return null;
            foreach (var range in allow)
            {
                if (range.Contains(address)) return null;
            }

            limit = nameof(ChatServerOptions.AllowAddress);
            return "your address is not allowed on this server";
        }

        private bool Draw(Entry entry, long now)
        {
            if (connectsPerMinute <= 0) return true;
            Refill(entry, now);
            if (entry.Tokens < 1) return false;
            entry.Tokens -= 1;
            return true;
        }

        private void Refill(Entry entry, long now)
        {
            if (connectsPerMinute <= 0) return;
            double earned = (now - entry.RefilledTicks) * (double)connectsPerMinute / TimeSpan.TicksPerMinute;
            entry.Tokens = Math.Min(connectsPerMinute, entry.Tokens + earned);
            entry.RefilledTicks = now;
        }

        /// <summary>Forgets addresses with nothing open and a full bucket (they would start afresh anyway).</summary>
        private void Sweep(long now)
        {
            untilSweep = SweepEvery;
            List<IPAddress>? idle = null;
            foreach (var pair in entries)
            {
                Refill(pair.Value, now);
                if (pair.Value.Open == 0 && (connectsPerMinute <= 0 || pair.Value.Tokens >= connectsPerMinute)) (idle ??= new List<IPAddress>()).Add(pair.Key);
            }

            if (idle == null) return;
            foreach (var key in idle) entries.Remove(key);
        }

        private static LimitCounter CounterOf(string limit) =>
            limit == nameof(ChatServerOptions.MaxConnectsPerMinute) ? LimitCounter.RefusedConnectRate
            : limit == nameof(ChatServerOptions.MaxConnectionsPerAddress) ? LimitCounter.RefusedPerAddress
            : LimitCounter.RefusedDenied;

        private sealed class Entry
        {
            public int Open;
            public double Tokens;
            public long RefilledTicks;
            public string? RefusedBy;
        }
    }
}
