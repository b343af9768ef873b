using System;
using System.Collections.Generic;
using PSChat.Engine.History;
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
            if (options.HistorySize < 0 || options.HistoryMaxBytes < 0 || options.MaxHistoryLines < 1 || options.TextHistoryLines < 0)
            {
                throw new ArgumentException("HistorySize, HistoryMaxBytes and TextHistoryLines must not be negative, MaxHistoryLines at least 1.", nameof(options));
            }
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
