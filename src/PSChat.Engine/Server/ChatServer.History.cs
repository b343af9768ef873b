using System;
using System.Collections.Generic;
using PSChat.Engine.History;
using PSChat.Engine.Irc;
using PSChat.Engine.Rooms;

namespace PSChat
{
    /// <summary>The server's side of history: its bounds, its Limited event, and the questions cmdlets ask.</summary>
    public sealed partial class ChatServer
    {
        /// <summary>Messages the rooms keep now, all together.</summary>
        public int HistoryCount => History.Count;

        /// <summary>
        /// The messages of <paramref name="room"/> (any letter case) sent from <paramref name="since"/> up to
        /// <paramref name="until"/>, the newest <paramref name="count"/> of them, oldest first; null when
        /// the server has no such room.
        /// </summary>
        public IReadOnlyList<ChatMessage>? GetHistory(string room, DateTime since, DateTime until, int count)
        {
            var found = FindRoom(room);
            if (found == null) return null;
            var picked = History.Range(found, HistoryEntry.Truncate(since), HistoryEntry.Truncate(until), count);
            var messages = new List<ChatMessage>(picked.Count);
            foreach (var entry in picked) messages.Add(ToChatMessage(entry));
            return messages;
        }

        /// <summary>An entry as the ChatMessage a session would have received (local time, as sessions give it).</summary>
        internal static ChatMessage ToChatMessage(HistoryEntry entry) =>
            new ChatMessage(
                entry.Kind == RoomEventKind.Notice ? ChatMessageKind.Notice : ChatMessageKind.Message,
                entry.Room,
                entry.Source.Nick,
                entry.Text,
                entry.Time.ToLocalTime(),
                0)
            {
                MessageId = entry.MessageId,
            };

        private static void CheckHistoryOptions(ChatServerOptions options)
        {
            if (options.HistorySize < 0 || options.HistoryMaxBytes < 0 || options.MaxHistoryLines < 1 || options.TextHistoryLines < 0 ||
                options.HistoryRetention < TimeSpan.Zero || options.MaxPendingWrites < 1)
            {
                throw new ArgumentException("HistorySize, HistoryMaxBytes, TextHistoryLines and HistoryRetention must not be negative, MaxHistoryLines and MaxPendingWrites at least 1.", nameof(options));
            }
        }

        /// <summary>The SQLite store of -DataPath; null keeps history in memory only.</summary>
        internal HistoryDatabase? Database { get; private set; }

        /// <summary>The channel lists -DataPath keeps: bans, ban exceptions, invite exceptions.</summary>
        private const string StoredListModes = "beI";

        /// <summary>The channels as -DataPath keeps them (read on the writer thread).</summary>
        private List<StoredChannel> SnapshotChannels()
        {
            var irc = Array.Find(protocols, p => p is IrcServerProtocol) as IrcServerProtocol;
            var found = new List<StoredChannel>();
            foreach (var room in RoomObjects)
            {
                var channel = irc?.ChannelOf(room);
                string modes = channel == null ? string.Empty :
                    (channel.InviteOnly ? "i" : string.Empty) + (channel.Moderated ? "m" : string.Empty) +
                    (channel.NoExternalMessages ? "n" : string.Empty) + (channel.Secret ? "s" : string.Empty) +
                    (channel.TopicLocked ? "t" : string.Empty);
                var masks = new List<StoredMask>();
                if (channel != null)
                {
                    foreach (char mode in StoredListModes)
                    {
                        foreach (var entry in channel.Entries(mode)) masks.Add(new StoredMask(mode, entry.Mask, entry.SetBy, entry.SetAt));
                    }
                }

                found.Add(new StoredChannel(room.Name, room.Topic, room.TopicSetBy, room.TopicSetAt, modes, channel?.Key, channel?.Limit ?? 0, masks));
            }

            return found;
        }

        /// <summary>Makes the kept channels and fills their history, before the first client comes.</summary>
        private void Restore(HistoryDatabase database)
        {
            var irc = Array.Find(protocols, p => p is IrcServerProtocol) as IrcServerProtocol;
            foreach (var stored in database.LoadChannels())
            {
                var room = FindOrCreateRoom(stored.Name);
                if (room == null) break;
                room.Topic = stored.Topic;
                room.TopicSetBy = stored.TopicSetBy;
                room.TopicSetAt = stored.TopicSetAt;
                if (irc == null) continue;
                var channel = irc.ChannelOf(room);
                channel.InviteOnly = stored.Modes.IndexOf('i') >= 0;
                channel.Moderated = stored.Modes.IndexOf('m') >= 0;
                channel.NoExternalMessages = stored.Modes.IndexOf('n') >= 0;
                channel.TopicLocked = stored.Modes.IndexOf('t') >= 0;
                channel.Secret = stored.Modes.IndexOf('s') >= 0;
                channel.Key = stored.Key;
                channel.Limit = stored.Limit;
                foreach (var mask in stored.Masks)
                {
                    if (StoredListModes.IndexOf(mask.Mode) >= 0) channel.Restore(mask.Mode, new ChannelListEntry(mask.Mask, mask.SetBy, mask.SetAt), Options.MaxListEntries);
                }
            }

            if (!History.Enabled) return;
            foreach (var (key, name) in database.Rooms())
            {
                if (Conversation.IsKey(key))
                {
                    // Without -KeepPrivateMessages, kept conversations are not served (retention deletes them).
                    if (!Options.KeepPrivateMessages) continue;
                    foreach (var entry in database.LoadMessages(key, Options.HistorySize))
                    {
                        entry.Conversation = key;
                        History.Add(key, entry);
                    }

                    continue;
                }

                var room = FindOrCreateRoom(name);
                if (room == null) break;
                foreach (var entry in database.LoadMessages(CaseMapping.Fold(name), Options.HistorySize)) History.Add(room, entry);
            }
        }

        private void OnWritesDropped(int count, bool first)
        {
            Limits.Add(LimitCounter.HistoryWritesDropped, count);
            if (!first) return;
            Raise(ServerEventKind.Limited, e =>
            {
                e.Limit = nameof(ChatServerOptions.MaxPendingWrites);
                e.Reason = $"{Options.MaxPendingWrites} messages wait to be written to {Options.DataPath}: new ones are kept in memory only";
            });
        }

        /// <summary>The store of -DataPath between its opening (before the port is taken) and the server it serves.</summary>
        private sealed class Persistence : IDisposable
        {
            private ChatServer? server;

            private Persistence(ChatServerOptions options)
            {
                try
                {
                    Database = HistoryDatabase.Open(
                        options.DataPath!, options.MaxPendingWrites, Math.Max(1, options.HistorySize), options.HistoryRetention,
                        () => server?.SnapshotChannels() ?? new List<StoredChannel>(),
                        (count, first) => server?.OnWritesDropped(count, first));
                }
                catch (Exception ex) when (!(ex is PlatformNotSupportedException))
                {
                    throw new System.IO.IOException($"Cannot open the history store in '{options.DataPath}': {ex.Message}", ex);
                }
            }

            public HistoryDatabase Database { get; }

            /// <summary>The store of <paramref name="options"/>, or null without a DataPath.</summary>
            public static Persistence? Open(ChatServerOptions options) =>
                string.IsNullOrEmpty(options.DataPath) ? null : new Persistence(options);

            public void Attach(ChatServer chatServer)
            {
                chatServer.Restore(Database);
                chatServer.Database = Database;
                chatServer.History.Persist = Database.Enqueue;
                chatServer.History.Redacted = Database.Redact;
                server = chatServer;
                Database.Start();
            }

            public void Dispose() => Database.Dispose();
        }

        private void OnHistoryEvicted(int evicted, bool first)
        {
            Limits.Add(LimitCounter.HistoryEvicted, evicted);
            if (!first) return;
            Raise(ServerEventKind.Limited, e =>
            {
                e.Limit = nameof(ChatServerOptions.HistoryMaxBytes);
                e.Reason = $"history holds {Options.HistoryMaxBytes} bytes: the oldest messages go before their room's HistorySize is reached";
            });
        }
    }
}
