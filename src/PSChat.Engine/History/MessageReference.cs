using System;
using System.Globalization;

namespace PSChat.Engine.History
{
    /// <summary>
    /// A point in a room's history as CHATHISTORY names it: <c>msgid=...</c>, <c>timestamp=...</c> (RFC 3339,
    /// UTC) or <c>*</c> (the end, LATEST only). Resolves to indexes of a <see cref="RoomLog"/>.
    /// </summary>
    internal readonly struct MessageReference
    {
        private MessageReference(string? messageId, DateTime time, bool none)
        {
            MessageId = messageId;
            Time = time;
            IsNone = none;
        }

        public static MessageReference None => new MessageReference(null, default, true);

        public string? MessageId { get; }

        public DateTime Time { get; }

        /// <summary>The <c>*</c> of LATEST: no bound.</summary>
        public bool IsNone { get; }

        public static MessageReference AtTime(DateTime time) => new MessageReference(null, HistoryEntry.Truncate(time), false);

        /// <summary>The reference in <paramref name="text"/>, or false for anything else (<c>*</c> only when <paramref name="allowNone"/>).</summary>
        public static bool TryParse(string text, bool allowNone, out MessageReference reference)
        {
            reference = None;
            if (text == "*") return allowNone;
            if (text.StartsWith("msgid=", StringComparison.Ordinal) && text.Length > 6)
            {
                reference = new MessageReference(text.Substring(6), default, false);
                return true;
            }

            if (text.StartsWith("timestamp=", StringComparison.Ordinal) &&
                DateTimeOffset.TryParse(text.Substring(10), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
            {
                reference = AtTime(time.UtcDateTime);
                return true;
            }

            return false;
        }

        /// <summary>The first index after this point (strictly); -1 for an msgid the log does not hold.</summary>
        public int After(RoomLog log)
        {
            if (IsNone) return log.Count;
            if (MessageId == null) return log.FirstFrom(Time, strictly: true);
            int at = log.IndexOf(MessageId);
            return at < 0 ? -1 : at + 1;
        }

        /// <summary>The end (exclusive) of what comes before this point; -1 for an unknown msgid.</summary>
        public int Before(RoomLog log)
        {
            if (IsNone) return log.Count;
            return MessageId == null ? log.FirstFrom(Time, strictly: false) : log.IndexOf(MessageId);
        }

        /// <summary>Where AROUND centres: the message itself, or the first at or after the time; -1 for an unknown msgid.</summary>
        public int Centre(RoomLog log) => MessageId == null ? Math.Min(log.FirstFrom(Time, strictly: false), log.Count - 1) : log.IndexOf(MessageId);
    }

    /// <summary>The CHATHISTORY selections, as index ranges of a room's log (oldest first; the end exclusive).</summary>
    internal static class HistorySelection
    {
        private static readonly (int, int) Nothing = (0, 0);

        /// <summary>The newest <paramref name="limit"/> messages, only those after <paramref name="from"/>.</summary>
        public static (int Start, int End) Latest(RoomLog log, MessageReference from, int limit)
        {
            int after = from.IsNone ? 0 : from.After(log);
            if (after < 0) return Nothing;
            return (Math.Max(after, log.Count - limit), log.Count);
        }

        public static (int Start, int End) Before(RoomLog log, MessageReference point, int limit)
        {
            int end = point.Before(log);
            return end < 0 ? Nothing : (Math.Max(0, end - limit), end);
        }

        public static (int Start, int End) After(RoomLog log, MessageReference point, int limit)
        {
            int start = point.After(log);
            return start < 0 ? Nothing : (start, Math.Min(log.Count, start + limit));
        }

        /// <summary>Up to <paramref name="limit"/> messages with the point in the middle (the older half one shorter).</summary>
        public static (int Start, int End) Around(RoomLog log, MessageReference point, int limit)
        {
            int centre = point.Centre(log);
            if (centre < 0) return Nothing;
            int start = Math.Max(0, centre - ((limit - 1) / 2));
            int end = Math.Min(log.Count, start + limit);
            return (Math.Max(0, end - limit), end);
        }

        /// <summary>
        /// Messages strictly between the two points; <paramref name="limit"/> of them nearest the first
        /// point (from the start when it is the older, from the end when it is the newer).
        /// </summary>
        public static (int Start, int End) Between(RoomLog log, MessageReference first, MessageReference second, int limit)
        {
            if (first.Before(log) < 0 || second.Before(log) < 0) return Nothing;
            bool forward = first.Before(log) <= second.Before(log);
            var older = forward ? first : second;
            var newer = forward ? second : first;
            int start = older.After(log);
            int end = newer.Before(log);
            if (start >= end) return Nothing;
            return forward ? (start, Math.Min(end, start + limit)) : (Math.Max(start, end - limit), end);
        }
    }
}
