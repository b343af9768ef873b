using System;
using System.Collections.Generic;
using System.Net;
using System.Net.Sockets;
using PSChat.Engine.Timing;

namespace PSChat.Engine.Server
{
    /// <summary>What <see cref="LoginThrottle.Check"/> decided about one login attempt.</summary>
    internal enum LoginOutcome
    {
        /// <summary>The credential was checked and is good.</summary>
        Accepted,

        /// <summary>The credential was checked and is wrong; the reply should wait <see cref="LoginVerdict.RetryAfter"/>.</summary>
        Refused,

        /// <summary>Not checked: the address failed a moment ago and must wait its delay out.</summary>
        Throttled,

        /// <summary>Not checked: the address failed too often and is locked out for a while.</summary>
        LockedOut,
    }

    /// <summary>The verdict on one login attempt.</summary>
    internal readonly struct LoginVerdict
    {
        public LoginVerdict(LoginOutcome outcome, TimeSpan retryAfter, TimeSpan replyDelay, int failures, bool lockoutStarted)
        {
            Outcome = outcome;
            RetryAfter = retryAfter;
            ReplyDelay = replyDelay;
            Failures = failures;
            LockoutStarted = lockoutStarted;
        }

        public LoginOutcome Outcome { get; }

        /// <summary>How long the address must wait before its next attempt is checked (zero when it need not).</summary>
        public TimeSpan RetryAfter { get; }

        /// <summary>How long a refused attempt's answer should wait: the address's delay, also when it is now locked out.</summary>
        public TimeSpan ReplyDelay { get; }

        /// <summary>The address's failures that count towards a lockout, this one included.</summary>
        public int Failures { get; }

        /// <summary>This failure locked the address out (one event per lockout, not one per refused attempt).</summary>
        public bool LockoutStarted { get; }
    }

    /// <summary>
    /// Slows password guessing down per address, whatever checks the credential (PASS today): the n-th
    /// failure in a row makes the address wait n times <c>failureDelay</c> before its next attempt is
    /// even checked, and the <c>maxFailures</c>-th locks it out for <c>lockout</c>. Attempts while an
    /// address waits are refused unchecked, so parallel connections guess no faster than one. A good
    /// credential forgets the address; so does a quiet <c>lockout</c> after its last failure. IPv6
    /// addresses count by their /64, which one host usually has whole. Memory is bounded: past
    /// <c>capacity</c> addresses the one that failed longest ago is forgotten. No sockets, no timers:
    /// the caller delays its reply by the verdict.
    /// </summary>
    internal sealed class LoginThrottle
    {
        public const int DefaultCapacity = 65536;

        private readonly object gate = new object();
        private readonly Dictionary<IPAddress, LinkedListNode<Entry>> entries = new Dictionary<IPAddress, LinkedListNode<Entry>>();
        /// <summary>Entries by their last failure, oldest first: the next to expire and the first to evict.</summary>
        private readonly LinkedList<Entry> byAge = new LinkedList<Entry>();
        private readonly MonotonicClock clock;
        private readonly long delayTicks;
        private readonly int maxFailures;
        private readonly long lockoutTicks;
        private readonly long forgetTicks;
        private readonly int capacity;

        /// <param name="clock">The clock every wait is measured on.</param>
        /// <param name="failureDelay">The wait after the first failure; the n-th waits n times as long. Zero: no wait.</param>
        /// <param name="maxFailures">Failures in a row that lock an address out; 0 never does.</param>
        /// <param name="lockout">How long a locked-out address is refused, and how long failures are remembered.</param>
        /// <param name="capacity">The most addresses remembered.</param>
        public LoginThrottle(MonotonicClock clock, TimeSpan failureDelay, int maxFailures, TimeSpan lockout, int capacity = DefaultCapacity)
        {
            if (failureDelay < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(failureDelay));
            if (maxFailures < 0) throw new ArgumentOutOfRangeException(nameof(maxFailures));
            if (lockout < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(lockout));
            if (capacity < 1) throw new ArgumentOutOfRangeException(nameof(capacity));
            this.clock = clock;
            delayTicks = failureDelay.Ticks;
            this.maxFailures = maxFailures;
            lockoutTicks = lockout.Ticks;
            this.capacity = capacity;
            // Long enough to see the longest wait through, whatever the settings.
            long longestWait = maxFailures > 0 ? delayTicks * maxFailures : delayTicks * 64;
            forgetTicks = Math.Max(lockoutTicks, longestWait);
        }

        /// <summary>Addresses remembered now.</summary>
        public int Count
        {
            get { lock (gate) return entries.Count; }
        }

        /// <summary>
        /// Checks one login attempt from <paramref name="address"/>: <paramref name="credentialIsGood"/> runs
        /// only when the address may try now (outside the throttle's lock, so a slow check holds up nobody else).
        /// </summary>
        public LoginVerdict Check(IPAddress address, Func<bool> credentialIsGood)
        {
            var key = AddressRange.HostKey(address);
            lock (gate)
            {
                long now = clock.NowTicks;
                Expire(now);
                if (entries.TryGetValue(key, out var found))
                {
                    var entry = found.Value;
                    if (now < entry.NotBeforeTicks)
                    {
                        var outcome = maxFailures > 0 && entry.Failures >= maxFailures ? LoginOutcome.LockedOut : LoginOutcome.Throttled;
                        return new LoginVerdict(outcome, TimeSpan.FromTicks(entry.NotBeforeTicks - now), TimeSpan.Zero, entry.Failures, lockoutStarted: false);
                    }

                    // A lockout served is a clean slate; otherwise the address keeps its count, and until this
                    // check is over its other connections wait as if it had failed again.
                    if (maxFailures > 0 && entry.Failures >= maxFailures) entry.Failures = 0;
                    entry.NotBeforeTicks = now + WaitAfter(entry.Failures + 1);
                }
            }

            bool good = credentialIsGood();
            lock (gate)
            {
                long now = clock.NowTicks;
                entries.TryGetValue(key, out var node);
                if (good)
                {
                    if (node != null) Forget(node);
                    return new LoginVerdict(LoginOutcome.Accepted, TimeSpan.Zero, TimeSpan.Zero, 0, lockoutStarted: false);
                }

                if (node == null)
                {
                    if (entries.Count >= capacity) Forget(byAge.First!);
                    node = byAge.AddLast(new Entry(key));
                    entries.Add(key, node);
                }
                else
                {
                    byAge.Remove(node);
                    byAge.AddLast(node);
                }

                var entry = node.Value;
                entry.Failures++;
                entry.LastFailureTicks = now;
                bool lockout = maxFailures > 0 && entry.Failures >= maxFailures;
                long delay = WaitAfter(entry.Failures);
                long wait = lockout ? Math.Max(lockoutTicks, delay) : delay;
                entry.NotBeforeTicks = now + wait;
                return new LoginVerdict(LoginOutcome.Refused, TimeSpan.FromTicks(wait), TimeSpan.FromTicks(delay), entry.Failures, lockout);
            }
        }

        private long WaitAfter(int failures) => delayTicks * failures;

        private void Expire(long now)
        {
            while (byAge.First is LinkedListNode<Entry> oldest &&
                now - oldest.Value.LastFailureTicks >= forgetTicks && now >= oldest.Value.NotBeforeTicks)
            {
                Forget(oldest);
            }
        }

        private void Forget(LinkedListNode<Entry> node)
        {
            entries.Remove(node.Value.Key);
            byAge.Remove(node);
        }

        private sealed class Entry
        {
            public Entry(IPAddress key) => Key = key;

            public IPAddress Key { get; }

            public int Failures { get; set; }

            public long LastFailureTicks { get; set; }

            public long NotBeforeTicks { get; set; }
        }
    }
}
