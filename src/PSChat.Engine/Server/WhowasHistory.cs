using System;
using System.Collections.Generic;
using PSChat.Engine.Rooms;

namespace PSChat.Engine.Server
{
    /// <summary>One nick that was given up (a quit or a rename): what WHOWAS tells about it.</summary>
    internal sealed class WhowasEntry
    {
        public WhowasEntry(MemberIdentity identity, string realName, DateTime time)
        {
            Identity = identity;
            RealName = realName;
            Time = time;
        }

        public MemberIdentity Identity { get; }

        public string RealName { get; }

        public DateTime Time { get; }
    }

    /// <summary>
    /// The server's memory of nicks given up, for WHOWAS: at most <see cref="ChatServerOptions.MaxWhowasEntries"/>
    /// entries in all (the oldest goes first) and <see cref="PerNick"/> per nick, so a client that renames
    /// itself in a loop only pushes out old entries. Lookups are by exact nick (folded): a hash lookup,
    /// never a scan, whatever a client asks.
    /// </summary>
    internal sealed class WhowasHistory
    {
        /// <summary>Entries kept per nick (the most recent ones).</summary>
        public const int PerNick = 8;

        private readonly int capacity;
        private readonly Dictionary<string, LinkedList<WhowasEntry>> byNick = new Dictionary<string, LinkedList<WhowasEntry>>(StringComparer.Ordinal);
        /// <summary>Entries in the order they came, at most the capacity: the front one goes when another comes.</summary>
        private readonly Queue<LinkedListNode<WhowasEntry>> order = new Queue<LinkedListNode<WhowasEntry>>();

        public WhowasHistory(int capacity)
        {
            this.capacity = capacity;
        }

        public void Record(MemberIdentity identity, string realName)
        {
            if (capacity <= 0) return;
            string folded = CaseMapping.Fold(identity.Nick);
            var entry = new WhowasEntry(identity, realName, DateTime.UtcNow);
            lock (byNick)
            {
                if (!byNick.TryGetValue(folded, out var list)) byNick[folded] = list = new LinkedList<WhowasEntry>();
                order.Enqueue(list.AddFirst(entry));
                // A nick's oldest entry past PerNick goes now; its place in the queue is skipped when reached.
                if (list.Count > PerNick) list.RemoveLast();
                while (order.Count > capacity)
                {
                    var oldest = order.Dequeue();
                    var owner = oldest.List;
                    if (owner == null) continue;
                    owner.Remove(oldest);
                    if (owner.Count == 0) byNick.Remove(CaseMapping.Fold(oldest.Value.Identity.Nick));
                }
            }
        }

        /// <summary>The most recent entries for <paramref name="nick"/>, newest first, at most <paramref name="count"/> (0: all kept).</summary>
        public IReadOnlyList<WhowasEntry> Find(string nick, int count)
        {
            lock (byNick)
            {
                if (!byNick.TryGetValue(CaseMapping.Fold(nick), out var list)) return Array.Empty<WhowasEntry>();
                var found = new List<WhowasEntry>();
                foreach (var entry in list)
                {
                    if (count > 0 && found.Count == count) break;
                    found.Add(entry);
                }

                return found;
            }
        }
    }
}
