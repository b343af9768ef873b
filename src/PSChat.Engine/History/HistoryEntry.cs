using System;
using PSChat.Engine.Rooms;

namespace PSChat.Engine.History
{
    /// <summary>
    /// One message a room keeps: what a replay needs to give it again as it was given live (the same
    /// msgid, the same server time, the sender's client tags or original line).
    /// </summary>
    internal sealed class HistoryEntry
    {
        /// <summary>What an entry costs besides its text: the entry, its msgid and the bookkeeping (an estimate).</summary>
        internal const int OverheadBytes = 160;

        public HistoryEntry(RoomEventKind kind, string room, DateTime time, string messageId, MemberIdentity source, string text, object? origin, int originBytes)
        {
            Kind = kind;
            Room = room;
            Time = time;
            MessageId = messageId;
            Source = source;
            Text = text;
            Origin = origin;
            Bytes = OverheadBytes + (2 * text.Length) + originBytes;
        }

        public RoomEventKind Kind { get; }

        /// <summary>The room's name as it was spelled when the message was sent (a private message: the nick it went to).</summary>
        public string Room { get; }

        /// <summary>A private message's conversation key (Conversation.Key); null for a room's message.</summary>
        public string? Conversation { get; set; }

        /// <summary>UTC, to the millisecond: as server-time shows it, so a client's timestamp= names it exactly.</summary>
        public DateTime Time { get; }

        public string MessageId { get; }

        public MemberIdentity Source { get; }

        public string Text { get; }

        /// <summary>The live event's <see cref="RoomEvent.Origin"/> (client tags, a text client's line).</summary>
        public object? Origin { get; }

        /// <summary>An estimate of the memory the entry holds, counted against HistoryMaxBytes.</summary>
        public int Bytes { get; }

        /// <summary>Position in the store's list of every entry, oldest first (evicted by memory in that order).</summary>
        internal HistoryEntry? Older;

        internal HistoryEntry? Newer;

        internal RoomLog? Log;

        /// <summary>The entry as a room event, for a codec to deliver again (to a room of that name or none).</summary>
        public RoomEvent ToRoomEvent(ChatRoom? room) =>
            new RoomEvent(Kind, room, Source, Text, Time, MessageId) { Origin = Origin, Target = room == null ? Room : null };

        /// <summary>Milliseconds, UTC: the precision of server-time.</summary>
        public static DateTime Truncate(DateTime time)
        {
            long ticks = time.ToUniversalTime().Ticks;
            return new DateTime(ticks - (ticks % TimeSpan.TicksPerMillisecond), DateTimeKind.Utc);
        }
    }
}
