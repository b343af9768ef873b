using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using Microsoft.Data.Sqlite;
using PSChat.Engine.Rooms;

namespace PSChat.Engine.History
{
    /// <summary>One mask of a channel list as -DataPath keeps it: the list's mode letter (b, e, I), the mask, who set it and when.</summary>
    internal sealed class StoredMask : IEquatable<StoredMask>
    {
        public StoredMask(char mode, string mask, string setBy, DateTime setAt)
        {
            Mode = mode;
            Mask = mask;
            SetBy = setBy;
            SetAt = setAt;
        }

        public char Mode { get; }

        public string Mask { get; }

        public string SetBy { get; }

        public DateTime SetAt { get; }

        public bool Equals(StoredMask? other) =>
            other != null && Mode == other.Mode && Mask == other.Mask && SetBy == other.SetBy && SetAt == other.SetAt;

        public override bool Equals(object? obj) => Equals(obj as StoredMask);

        public override int GetHashCode() => Mask.GetHashCode();
    }

    /// <summary>What a channel keeps across restarts: its name, topic, IRC modes and lists (bans and exceptions).</summary>
    internal sealed class StoredChannel : IEquatable<StoredChannel>
    {
        public StoredChannel(string name, string? topic, string? topicSetBy, DateTime topicSetAt, string modes, string? key, int limit, IReadOnlyList<StoredMask> masks)
        {
            Name = name;
            Topic = topic;
            TopicSetBy = topicSetBy;
            TopicSetAt = topicSetAt;
            Modes = modes;
            Key = key;
            Limit = limit;
            Masks = masks;
        }

        public string Name { get; }

        public string? Topic { get; }

        public string? TopicSetBy { get; }

        public DateTime TopicSetAt { get; }

        /// <summary>The flag modes, as letters (e.g. "nt").</summary>
        public string Modes { get; }

        public string? Key { get; }

        public int Limit { get; }

        /// <summary>The +b, +e and +I masks, each list in its order.</summary>
        public IReadOnlyList<StoredMask> Masks { get; }

        public bool Equals(StoredChannel? other) =>
            other != null && Name == other.Name && Topic == other.Topic && TopicSetBy == other.TopicSetBy &&
            TopicSetAt == other.TopicSetAt && Modes == other.Modes && Key == other.Key && Limit == other.Limit &&
            Masks.SequenceEqual(other.Masks);

        public override bool Equals(object? obj) => Equals(obj as StoredChannel);

        public override int GetHashCode() => Name.GetHashCode();
    }

    /// <summary>
    /// -DataPath: history and channels (with their ban and exception lists) in SQLite (WAL). Messages are
    /// queued on the I/O threads (O(1), bounded by MaxPendingWrites) and written in batches, one transaction
    /// each, by one background thread every 20 ms; channels are compared with what was written every second.
    /// A crash loses at most what waited for the next batch; a committed transaction survives it whole
    /// (SQLite's WAL with synchronous=NORMAL).
    /// </summary>
    internal sealed class HistoryDatabase : IDisposable
    {
        public const string FileName = "pschat.db";
        private static readonly TimeSpan BatchPeriod = TimeSpan.FromMilliseconds(20);
        private static readonly TimeSpan ChannelPeriod = TimeSpan.FromSeconds(1);
        private static readonly TimeSpan RetentionPeriod = TimeSpan.FromMinutes(1);

        private readonly SqliteConnection connection;
        private readonly ConcurrentQueue<HistoryEntry> queue = new ConcurrentQueue<HistoryEntry>();
        private readonly ConcurrentQueue<(string Room, string MessageId)> redacted = new ConcurrentQueue<(string Room, string MessageId)>();
        private readonly Dictionary<string, StoredChannel> written = new Dictionary<string, StoredChannel>(StringComparer.Ordinal);
        private readonly int maxPending;
        private readonly int perRoom;
        private readonly TimeSpan maxAge;
        private readonly Func<List<StoredChannel>> channels;
        private readonly Action<int, bool> dropped;
        private readonly Thread writer;
        private readonly ManualResetEventSlim stop = new ManualResetEventSlim();
        private int pending;
        private int droppedReported;

        private HistoryDatabase(SqliteConnection connection, int maxPending, int perRoom, TimeSpan maxAge, Func<List<StoredChannel>> channels, Action<int, bool> dropped)
        {
            this.connection = connection;
            this.maxPending = maxPending;
            this.perRoom = perRoom;
            this.maxAge = maxAge;
            this.channels = channels;
            this.dropped = dropped;
            writer = new Thread(WriteLoop) { IsBackground = true, Name = "PSChat history writer" };
        }

        /// <summary>Opens (or makes) the store in <paramref name="folder"/>.</summary>
        /// <param name="channels">A snapshot of the channels to keep, taken on the writer thread.</param>
        /// <param name="dropped">Called when messages were not written because MaxPendingWrites were waiting: how many, and whether for the first time.</param>
        public static HistoryDatabase Open(string folder, int maxPending, int perRoom, TimeSpan maxAge, Func<List<StoredChannel>> channels, Action<int, bool> dropped)
        {
            SqliteNative.EnsureResolver();
            Directory.CreateDirectory(folder);
            var builder = new SqliteConnectionStringBuilder { DataSource = Path.Combine(folder, FileName), Pooling = false };
            var connection = new SqliteConnection(builder.ToString());
            try
            {
                connection.Open();
                Execute(connection, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;");
                Execute(connection,
                    "CREATE TABLE IF NOT EXISTS messages (id INTEGER PRIMARY KEY, room TEXT NOT NULL, name TEXT NOT NULL, time INTEGER NOT NULL, " +
                    "msgid TEXT NOT NULL, kind INTEGER NOT NULL, nick TEXT NOT NULL, user TEXT NOT NULL, host TEXT NOT NULL, text TEXT NOT NULL);" +
                    "CREATE INDEX IF NOT EXISTS messages_room ON messages (room, id);" +
                    "CREATE TABLE IF NOT EXISTS channels (room TEXT PRIMARY KEY, name TEXT NOT NULL, topic TEXT, topic_by TEXT, topic_at INTEGER NOT NULL, " +
                    "modes TEXT NOT NULL, key TEXT, user_limit INTEGER NOT NULL);" +
                    "CREATE TABLE IF NOT EXISTS channel_masks (room TEXT NOT NULL, mode TEXT NOT NULL, position INTEGER NOT NULL, " +
                    "mask TEXT NOT NULL, set_by TEXT NOT NULL, set_at INTEGER NOT NULL, PRIMARY KEY (room, position));");
            }
            catch
            {
                connection.Dispose();
                throw;
            }

            return new HistoryDatabase(connection, maxPending, perRoom, maxAge, channels, dropped);
        }

        /// <summary>Messages waiting to be written.</summary>
        public int Pending => Volatile.Read(ref pending);

        /// <summary>Starts the writer (after the caller has read what it needs back).</summary>
        public void Start()
        {
            foreach (var channel in LoadChannels()) written[CaseMapping.Fold(channel.Name)] = channel;
            writer.Start();
        }

        /// <summary>Queues a message for the next batch (I/O threads: O(1), no I/O); dropped past MaxPendingWrites.</summary>
        public void Enqueue(HistoryEntry entry)
        {
            if (Interlocked.Increment(ref pending) > maxPending)
            {
                Interlocked.Decrement(ref pending);
                bool first = Interlocked.Exchange(ref droppedReported, 1) == 0;
                dropped(1, first);
                return;
            }

            queue.Enqueue(entry);
        }

        /// <summary>Queues the deletion of a message taken back (REDACT), done after the messages queued before it.</summary>
        public void Redact(string room, string messageId) => redacted.Enqueue((room, messageId));

        public List<StoredChannel> LoadChannels()
        {
            var masks = LoadMasks();
            var found = new List<StoredChannel>();
            using (var command = connection.CreateCommand())
            {
                command.CommandText = "SELECT room, name, topic, topic_by, topic_at, modes, key, user_limit FROM channels ORDER BY name";
                using (var reader = command.ExecuteReader())
                {
                    while (reader.Read())
                    {
                        found.Add(new StoredChannel(
                            reader.GetString(1),
                            reader.IsDBNull(2) ? null : reader.GetString(2),
                            reader.IsDBNull(3) ? null : reader.GetString(3),
                            new DateTime(reader.GetInt64(4), DateTimeKind.Utc),
                            reader.GetString(5),
                            reader.IsDBNull(6) ? null : reader.GetString(6),
                            reader.GetInt32(7),
                            masks.TryGetValue(reader.GetString(0), out var list) ? list : new List<StoredMask>()));
                    }
                }
            }

            return found;
        }

        /// <summary>Every channel's list masks, by the channel's folded name, in the order they were kept.</summary>
        private Dictionary<string, List<StoredMask>> LoadMasks()
        {
            var masks = new Dictionary<string, List<StoredMask>>(StringComparer.Ordinal);
            using (var command = connection.CreateCommand())
            {
                command.CommandText = "SELECT room, mode, mask, set_by, set_at FROM channel_masks ORDER BY room, position";
                using (var reader = command.ExecuteReader())
                {
                    while (reader.Read())
                    {
                        string room = reader.GetString(0);
                        string mode = reader.GetString(1);
                        if (mode.Length != 1) continue;
                        if (!masks.TryGetValue(room, out var list)) masks[room] = list = new List<StoredMask>();
                        list.Add(new StoredMask(mode[0], reader.GetString(2), reader.GetString(3), new DateTime(reader.GetInt64(4), DateTimeKind.Utc)));
                    }
                }
            }

            return masks;
        }

        /// <summary>The rooms with messages, by their folded name and latest spelling (and the private conversations, by their <see cref="Conversation"/> key).</summary>
        public List<(string Room, string Name)> Rooms()
        {
            var rooms = new List<(string, string)>();
            using (var command = connection.CreateCommand())
            {
                command.CommandText = "SELECT room, name FROM messages WHERE id IN (SELECT MAX(id) FROM messages GROUP BY room)";
                using (var reader = command.ExecuteReader())
                {
                    while (reader.Read()) rooms.Add((reader.GetString(0), reader.GetString(1)));
                }
            }

            return rooms;
        }

        /// <summary>A room's newest <paramref name="max"/> messages (within the age bound), oldest first.</summary>
        public List<HistoryEntry> LoadMessages(string room, int max)
        {
            var entries = new List<HistoryEntry>();
            var identities = new Dictionary<string, MemberIdentity>(StringComparer.Ordinal);
            using (var command = connection.CreateCommand())
            {
                command.CommandText = "SELECT name, time, msgid, kind, nick, user, host, text FROM " +
                    "(SELECT * FROM messages WHERE room = $room AND time >= $since ORDER BY id DESC LIMIT $max) ORDER BY id";
                command.Parameters.AddWithValue("$room", room);
                command.Parameters.AddWithValue("$since", Oldest().Ticks);
                command.Parameters.AddWithValue("$max", max);
                using (var reader = command.ExecuteReader())
                {
                    while (reader.Read())
                    {
                        string nick = reader.GetString(4);
                        string user = reader.GetString(5);
                        string host = reader.GetString(6);
                        string key = nick + "!" + user + "@" + host;
                        if (!identities.TryGetValue(key, out var who)) identities[key] = who = new MemberIdentity(nick, user, host);
                        entries.Add(new HistoryEntry(
                            (RoomEventKind)reader.GetInt32(3), reader.GetString(0), new DateTime(reader.GetInt64(1), DateTimeKind.Utc),
                            reader.GetString(2), who, reader.GetString(7), null, 0));
                    }
                }
            }

            return entries;
        }

        /// <summary>Writes what waits and the channels, then closes the file.</summary>
        public void Dispose()
        {
            if (stop.IsSet) return;
            stop.Set();
            if (writer.IsAlive) writer.Join();
            else WriteBatch();
            connection.Dispose();
        }

        private DateTime Oldest() => maxAge > TimeSpan.Zero ? DateTime.UtcNow - maxAge : DateTime.MinValue;

        private void WriteLoop()
        {
            var nextChannels = DateTime.UtcNow;
            var nextRetention = DateTime.UtcNow;
            while (true)
            {
                bool stopping = stop.Wait(BatchPeriod);
                WriteBatch();
                if (stopping || DateTime.UtcNow >= nextChannels)
                {
                    SaveChannels();
                    nextChannels = DateTime.UtcNow + ChannelPeriod;
                }

                if (stopping) return;
                if (DateTime.UtcNow >= nextRetention)
                {
                    ApplyRetention();
                    nextRetention = DateTime.UtcNow + RetentionPeriod;
                }
            }
        }

        /// <summary>Everything queued now, in one transaction.</summary>
        private void WriteBatch()
        {
            WriteMessages();
            DeleteRedacted();
        }

        /// <summary>Messages taken back since the last batch (after that batch's messages, so one queued just before its redaction goes too).</summary>
        private void DeleteRedacted()
        {
            if (redacted.IsEmpty) return;
            using (var transaction = connection.BeginTransaction())
            using (var command = connection.CreateCommand())
            {
                command.Transaction = transaction;
                // The room narrows the search to its rows (messages_room); redactions are rare.
                command.CommandText = "DELETE FROM messages WHERE room = $room AND msgid = $msgid";
                var room = command.Parameters.Add("$room", SqliteType.Text);
                var msgid = command.Parameters.Add("$msgid", SqliteType.Text);
                while (redacted.TryDequeue(out var gone))
                {
                    room.Value = gone.Room;
                    msgid.Value = gone.MessageId;
                    command.ExecuteNonQuery();
                }

                transaction.Commit();
            }
        }

        private void WriteMessages()
        {
            if (queue.IsEmpty) return;
            using (var transaction = connection.BeginTransaction())
            using (var command = connection.CreateCommand())
            {
                command.Transaction = transaction;
                command.CommandText = "INSERT INTO messages (room, name, time, msgid, kind, nick, user, host, text) VALUES ($room, $name, $time, $msgid, $kind, $nick, $user, $host, $text)";
                var room = command.Parameters.Add("$room", SqliteType.Text);
                var name = command.Parameters.Add("$name", SqliteType.Text);
                var time = command.Parameters.Add("$time", SqliteType.Integer);
                var msgid = command.Parameters.Add("$msgid", SqliteType.Text);
                var kind = command.Parameters.Add("$kind", SqliteType.Integer);
                var nick = command.Parameters.Add("$nick", SqliteType.Text);
                var user = command.Parameters.Add("$user", SqliteType.Text);
                var host = command.Parameters.Add("$host", SqliteType.Text);
                var text = command.Parameters.Add("$text", SqliteType.Text);
                // A room whose messages are written exists on disk too, also when the process dies before the
                // once-a-second channel pass has seen it: its full row (topic, modes) follows in that pass. Until
                // then it has a new channel's modes (+nt), so a crash in between leaves no channel open to all.
                using var channel = connection.CreateCommand();
                channel.Transaction = transaction;
                channel.CommandText = "INSERT OR IGNORE INTO channels (room, name, topic, topic_by, topic_at, modes, key, user_limit) VALUES ($room, $name, NULL, NULL, 0, 'nt', NULL, 0)";
                var channelRoom = channel.Parameters.Add("$room", SqliteType.Text);
                var channelName = channel.Parameters.Add("$name", SqliteType.Text);
                var known = new HashSet<string>(StringComparer.Ordinal);
                int count = 0;
                while (queue.TryDequeue(out var entry))
                {
                    // A private message is kept under its conversation's key, and makes no channel.
                    string folded = entry.Conversation ?? CaseMapping.Fold(entry.Room);
                    if (entry.Conversation == null && known.Add(folded))
                    {
                        channelRoom.Value = folded;
                        channelName.Value = entry.Room;
                        channel.ExecuteNonQuery();
                    }

                    room.Value = folded;
                    name.Value = entry.Room;
                    time.Value = entry.Time.Ticks;
                    msgid.Value = entry.MessageId;
                    kind.Value = (int)entry.Kind;
                    nick.Value = entry.Source.Nick;
                    user.Value = entry.Source.User;
                    host.Value = entry.Source.Host;
                    text.Value = entry.Text;
                    command.ExecuteNonQuery();
                    count++;
                }

                transaction.Commit();
                Interlocked.Add(ref pending, -count);
            }
        }

        /// <summary>The channels that changed since the last look, written in one transaction.</summary>
        private void SaveChannels()
        {
            var now = channels();
            var changed = new List<StoredChannel>();
            foreach (var channel in now)
            {
                string key = CaseMapping.Fold(channel.Name);
                if (!written.TryGetValue(key, out var before) || !before.Equals(channel)) changed.Add(channel);
            }

            if (changed.Count == 0) return;
            using (var transaction = connection.BeginTransaction())
            using (var command = connection.CreateCommand())
            {
                command.Transaction = transaction;
                command.CommandText = "INSERT OR REPLACE INTO channels (room, name, topic, topic_by, topic_at, modes, key, user_limit) VALUES ($room, $name, $topic, $by, $at, $modes, $key, $limit)";
                foreach (var channel in changed)
                {
                    command.Parameters.Clear();
                    command.Parameters.AddWithValue("$room", CaseMapping.Fold(channel.Name));
                    command.Parameters.AddWithValue("$name", channel.Name);
                    command.Parameters.AddWithValue("$topic", (object?)channel.Topic ?? DBNull.Value);
                    command.Parameters.AddWithValue("$by", (object?)channel.TopicSetBy ?? DBNull.Value);
                    command.Parameters.AddWithValue("$at", channel.TopicSetAt.Ticks);
                    command.Parameters.AddWithValue("$modes", channel.Modes);
                    command.Parameters.AddWithValue("$key", (object?)channel.Key ?? DBNull.Value);
                    command.Parameters.AddWithValue("$limit", channel.Limit);
                    command.ExecuteNonQuery();
                    SaveMasks(transaction, channel);
                }

                transaction.Commit();
            }

            foreach (var channel in changed) written[CaseMapping.Fold(channel.Name)] = channel;
        }

        /// <summary>Replaces a channel's list masks (in the caller's transaction).</summary>
        private void SaveMasks(SqliteTransaction transaction, StoredChannel channel)
        {
            string folded = CaseMapping.Fold(channel.Name);
            using (var command = connection.CreateCommand())
            {
                command.Transaction = transaction;
                command.CommandText = "DELETE FROM channel_masks WHERE room = $room";
                command.Parameters.AddWithValue("$room", folded);
                command.ExecuteNonQuery();
                command.CommandText = "INSERT INTO channel_masks (room, mode, position, mask, set_by, set_at) VALUES ($room, $mode, $position, $mask, $by, $at)";
                var mode = command.Parameters.Add("$mode", SqliteType.Text);
                var position = command.Parameters.Add("$position", SqliteType.Integer);
                var mask = command.Parameters.Add("$mask", SqliteType.Text);
                var by = command.Parameters.Add("$by", SqliteType.Text);
                var at = command.Parameters.Add("$at", SqliteType.Integer);
                for (int i = 0; i < channel.Masks.Count; i++)
                {
                    var entry = channel.Masks[i];
                    mode.Value = entry.Mode.ToString();
                    position.Value = i;
                    mask.Value = entry.Mask;
                    by.Value = entry.SetBy;
                    at.Value = entry.SetAt.Ticks;
                    command.ExecuteNonQuery();
                }
            }
        }

        /// <summary>Keeps each room's newest HistorySize messages, and none older than the age bound.</summary>
        private void ApplyRetention()
        {
            using (var command = connection.CreateCommand())
            {
                command.CommandText =
                    "DELETE FROM messages WHERE time < $since;" +
                    "DELETE FROM messages WHERE id IN (SELECT id FROM (SELECT id, ROW_NUMBER() OVER (PARTITION BY room ORDER BY id DESC) AS n FROM messages) WHERE n > $max);";
                command.Parameters.AddWithValue("$since", Oldest().Ticks);
                command.Parameters.AddWithValue("$max", perRoom);
                command.ExecuteNonQuery();
            }
        }

        private static void Execute(SqliteConnection connection, string sql)
        {
            using (var command = connection.CreateCommand())
            {
                command.CommandText = sql;
                command.ExecuteNonQuery();
            }
        }

        /// <summary>For tests: the store's integrity_check answer ("ok" when sound).</summary>
        internal static string IntegrityCheck(string folder)
        {
            SqliteNative.EnsureResolver();
            var builder = new SqliteConnectionStringBuilder { DataSource = Path.Combine(folder, FileName), Pooling = false, Mode = SqliteOpenMode.ReadOnly };
            using (var connection = new SqliteConnection(builder.ToString()))
            {
                connection.Open();
                using (var command = connection.CreateCommand())
                {
                    command.CommandText = "PRAGMA integrity_check";
                    return Convert.ToString(command.ExecuteScalar(), CultureInfo.InvariantCulture) ?? string.Empty;
                }
            }
        }
    }
}
