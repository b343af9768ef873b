using System;
using System.Collections.Generic;
using PSChat.Engine.Irc;
using PSChat.Engine.Rooms;

namespace PSChat.Engine.Server
{
    /// <summary>
    /// IRCv3 MONITOR: which IRC clients watch which nicks (folded). A client's list holds at most
    /// <see cref="ChatServerOptions.MaxMonitorEntries"/> nicks, so a nick coming or going costs one lookup
    /// and one line per watcher.
    /// </summary>
    internal sealed class MonitorTable
    {
        private readonly Dictionary<string, HashSet<IrcMember>> watchers = new Dictionary<string, HashSet<IrcMember>>(StringComparer.Ordinal);

        public void Add(IrcMember watcher, string foldedNick)
        {
            lock (watchers)
            {
                if (!watchers.TryGetValue(foldedNick, out var set)) watchers[foldedNick] = set = new HashSet<IrcMember>();
                set.Add(watcher);
            }
        }

        public void Remove(IrcMember watcher, string foldedNick)
        {
            lock (watchers)
            {
                if (watchers.TryGetValue(foldedNick, out var set) && set.Remove(watcher) && set.Count == 0) watchers.Remove(foldedNick);
            }
        }

        /// <summary>Tells every watcher of the nick that it is now online (730) or offline (731).</summary>
        public void Announce(MemberIdentity who, bool online)
        {
            foreach (var watcher in Watchers(who.Nick)) watcher.MonitoredChange(who, online);
        }

        /// <summary>The clients watching <paramref name="nick"/> (a copy; empty when none).</summary>
        public IrcMember[] Watchers(string nick)
        {
            lock (watchers)
            {
                if (watchers.Count == 0 || !watchers.TryGetValue(CaseMapping.Fold(nick), out var set)) return Array.Empty<IrcMember>();
                var copy = new IrcMember[set.Count];
                set.CopyTo(copy);
                return copy;
            }
        }
    }
}
