using System;
using System.Collections.Generic;
using System.Threading;
using PSChat.Engine.Rooms;

namespace PSChat.Engine.History
{
    /// <summary>
    /// The messages the server keeps per room, in memory: at most HistorySize per room, and at most
    /// HistoryMaxBytes (an estimate) in all, past which the oldest message of the whole server goes
    /// first. Recording is O(1) under one short lock: a room's ring and a list of every entry in the
    /// order they came. A room's history goes with the room (when its last member leaves, the server
    /// drops it): whoever makes a room of the same name later does not read the old one's messages.
    /// </summary>
    internal sealed class HistoryStore
    {
        private readonly object gate = new object();
        /// <summary>The logs by owner: a <see cref="ChatRoom"/>, or a private conversation's <see cref="Conversation"/> key.</summary>
        private readonly Dictionary<object, RoomLog> logs = new Dictionary<object, RoomLog>();
        private readonly int perRoom;
        private readonly long maxBytes;
        private readonly Action<int, bool> evictedByMemory;
        private HistoryEntry? oldest;
        private HistoryEntry? newest;
        private long bytes;
        private int count;
        private int memoryReported;

        /// <param name="perRoom">Messages kept per room; 0 keeps none.</param>
        /// <param name="maxBytes">The bound of all entries together (<see cref="HistoryEntry.Bytes"/>).</param>
        /// <param name="evictedByMemory">Called (outside the lock) when the memory bound evicted: how many, and whether it is the first time.</param>
        public HistoryStore(int perRoom, long maxBytes, Action<int, bool> evictedByMemory)
        {
            this.perRoom = perRoom;
            this.maxBytes = maxBytes;
            this.evictedByMemory = evictedByMemory;
        }

        public bool Enabled => perRoom > 0;

        /// <summary>Where recorded messages also go (the -DataPath writer queue); called on the I/O thread, must be O(1).</summary>
        public Action<HistoryEntry>? Persist { get; set; }

        /// <summary>Messages kept now, in every room.</summary>
        public int Count => Volatile.Read(ref count);

        /// <summary>The estimated bytes they hold.</summary>
        public long Bytes => Interlocked.Read(ref bytes);

        /// <summary>Keeps a room's PRIVMSG or NOTICE (other events are not history); called after it was delivered.</summary>
        public void Record(RoomEvent roomEvent)
        {
            if (perRoom == 0) return;
            var room = roomEvent.Room;
            if (room == null || (roomEvent.Kind != RoomEventKind.Message && roomEvent.Kind != RoomEventKind.Notice)) return;
            var entry = new HistoryEntry(
                roomEvent.Kind, room.Name, HistoryEntry.Truncate(roomEvent.Time), roomEvent.MessageId, roomEvent.Source,
                roomEvent.Text, roomEvent.Origin, OriginBytes(roomEvent));
            Add(room, entry);
            Persist?.Invoke(entry);
        }

        /// <summary>
        /// Keeps a private PRIVMSG or NOTICE (-KeepPrivateMessages) in the log of its conversation: the two
        /// accounts' <see cref="Conversation"/> key. <paramref name="recipient"/> is the nick it went to.
        /// </summary>
        public void RecordPrivate(RoomEvent roomEvent, string conversation, string recipient)
        {
            if (perRoom == 0 || (roomEvent.Kind != RoomEventKind.Message && roomEvent.Kind != RoomEventKind.Notice)) return;
            var entry = new HistoryEntry(
                roomEvent.Kind, recipient, HistoryEntry.Truncate(roomEvent.Time), roomEvent.MessageId, roomEvent.Source,
                roomEvent.Text, roomEvent.Origin, OriginBytes(roomEvent))
            {
                Conversation = conversation,
            };
            Add(conversation, entry);
            Persist?.Invoke(entry);
        }

        /// <summary>Called with a room's folded name and a msgid when a message is taken back (the disk store deletes it).</summary>
        public Action<string, string>? Redacted { get; set; }

        /// <summary>
        /// Takes a message back (REDACT): gone from the room's history, so no replay and no
        /// Get-ChatHistory shows it again, and from the disk store where there is one. False when the
        /// room does not hold it.
        /// </summary>
        public bool Redact(ChatRoom room, string messageId)
        {
            lock (gate)
            {
                if (!logs.TryGetValue(room, out var log)) return false;
                int index = log.IndexOf(messageId);
                if (index < 0) return false;
                var entry = log[index];
                log.RemoveAt(index);
                Unlink(entry);
                if (log.Count == 0) logs.Remove(room);
            }

            Redacted?.Invoke(CaseMapping.Fold(room.Name), messageId);
            return true;
        }

        /// <summary>Adds an entry made elsewhere (one read back from a store on disk), in time order, to a room's or a conversation's log.</summary>
        public void Add(object owner, HistoryEntry entry)
        {
            if (perRoom == 0) return;
            int evicted = 0;
            bool first = false;
            lock (gate)
            {
                if (!logs.TryGetValue(owner, out var log))
                {
                    log = new RoomLog(owner, perRoom);
                    logs.Add(owner, log);
                }

                if (log.IsFull) Unlink(log.RemoveOldest());
                log.Add(entry);
                entry.Log = log;
                entry.Older = newest;
                if (newest != null) newest.Newer = entry;
                newest = entry;
                oldest ??= entry;
                count++;
                bytes += entry.Bytes;
                while (bytes > maxBytes && oldest != null && !ReferenceEquals(oldest, entry))
                {
                    var victim = oldest;
                    var victimLog = victim.Log!;
                    victimLog.RemoveOldest();
                    Unlink(victim);
                    if (victimLog.Count == 0) logs.Remove(victimLog.Owner);
                    evicted++;
                    first |= memoryReported == 0;
                    memoryReported = 1;
                }
            }

            if (evicted > 0) evictedByMemory(evicted, first);
        }

        /// <summary>Drops a room's history (the server dropped the room).</summary>
        public void Forget(ChatRoom room)
        {
            if (perRoom == 0) return;
            lock (gate)
            {
                if (!logs.TryGetValue(room, out var log)) return;
                while (log.Count > 0) Unlink(log.RemoveOldest());
                logs.Remove(room);
            }
        }

        /// <summary>
        /// Runs <paramref name="select"/> on the log of a room (or a conversation key) under the store's lock
        /// and returns what it picked; the selection must be quick (index arithmetic, a bounded scan) and pick few.
        /// </summary>
        public List<HistoryEntry> Select(object owner, Func<RoomLog, (int Start, int End)> select)
        {
            var picked = new List<HistoryEntry>();
            lock (gate)
            {
                if (!logs.TryGetValue(owner, out var log)) return picked;
                var (start, end) = select(log);
                for (int i = Math.Max(0, start); i < Math.Min(end, log.Count); i++) picked.Add(log[i]);
            }

            return picked;
        }

        /// <summary>The time of the room's newest message, or null when it has none.</summary>
        public DateTime? LastTime(ChatRoom room)
        {
            lock (gate) return logs.TryGetValue(room, out var log) && log.Count > 0 ? log.Newest.Time : (DateTime?)null;
        }

        /// <summary>Messages of a room from <paramref name="since"/> (inclusive) to <paramref name="until"/> (exclusive), the newest <paramref name="max"/>.</summary>
        public List<HistoryEntry> Range(ChatRoom room, DateTime since, DateTime until, int max) =>
            Select(room, log =>
            {
                int end = log.FirstFrom(until, strictly: false);
                int start = log.FirstFrom(since, strictly: false);
                return (Math.Max(start, end - max), end);
            });

        private void Unlink(HistoryEntry entry)
        {
            if (entry.Older != null) entry.Older.Newer = entry.Newer;
            else oldest = entry.Newer;
            if (entry.Newer != null) entry.Newer.Older = entry.Older;
            else newest = entry.Older;
            entry.Older = entry.Newer = null;
            entry.Log = null;
            count--;
            bytes -= entry.Bytes;
        }

        /// <summary>
        /// What the live event's origin holds besides the text: an IRC client's tags, or a text client's
        /// line as it came (about its text in UTF-8, and an object).
        /// </summary>
        private static int OriginBytes(RoomEvent roomEvent) => roomEvent.Origin switch
        {
            Irc.IrcOrigin { ClientTags: string tags } => 2 * tags.Length,
            Irc.IrcOrigin _ => 0,
            null => 0,
            _ => roomEvent.Text.Length + 48,
        };
    }
}
