using System;
using System.Threading;

namespace PSChat.Engine.Rooms
{
    /// <summary>What happened in a room, before any protocol has put it into bytes.</summary>
    internal enum RoomEventKind
    {
        Message,
        Notice,
        Join,
        Part,
        Quit,
        Nick,
        Topic,
        Kick,
        Mode,
        /// <summary>An IRCv3 TAGMSG: tags only, no text (only members that negotiated message-tags see it).</summary>
        TagMessage,
    }

    /// <summary>
    /// One event fanned out to the members of a room. Each protocol encodes it once per variant
    /// (e.g. text with LF, IRC with tags) and every member of that variant shares the bytes.
    /// </summary>
    internal sealed class RoomEvent
    {
        /// <summary>Cache slots for the encodings of an event: each codec takes those of its variants once.</summary>
        public static readonly SlotTable EncodingSlots = new SlotTable(16, "codecs", "encoding");

        private readonly byte[]?[] encoded = new byte[]?[EncodingSlots.Capacity];

        public RoomEvent(RoomEventKind kind, ChatRoom? room, MemberIdentity source, string text)
        {
            Kind = kind;
            Room = room;
            Source = source;
            Text = text;
            Time = DateTime.UtcNow;
        }

        /// <summary>An event given again (from history): its time and msgid are those it had live.</summary>
        public RoomEvent(RoomEventKind kind, ChatRoom? room, MemberIdentity source, string text, DateTime time, string messageId)
            : this(kind, room, source, text)
        {
            Time = time;
            this.messageId = messageId;
        }

        public RoomEventKind Kind { get; }

        public ChatRoom? Room { get; }

        /// <summary>Who caused it, as they were named at that moment.</summary>
        public MemberIdentity Source { get; }

        /// <summary>Message text, part/quit/kick reason, new topic or new nick.</summary>
        public string Text { get; }

        /// <summary>The member kicked, or the target of a private message.</summary>
        public string? Target { get; set; }

        public DateTime Time { get; }

        /// <summary>A server-unique id for the event (IRCv3 msgid), made when first asked for.</summary>
        public string MessageId
        {
            get
            {
                var id = Volatile.Read(ref messageId);
                if (id != null) return id;
                id = MessageIds.Next();
                return Interlocked.CompareExchange(ref messageId, id, null) ?? id;
            }
        }

        private string? messageId;

        /// <summary>
        /// What the sender's codec keeps to relay the event faithfully in its own protocol (a text
        /// client's line as it came, an IRC client's message tags); other codecs ignore it.
        /// </summary>
        public object? Origin { get; set; }

        /// <summary>Encodes once per slot; concurrent callers may both encode, and either result is equal.</summary>
        public byte[] GetEncoded(int slot, Func<RoomEvent, byte[]> encode)
        {
            byte[]? bytes = Volatile.Read(ref encoded[slot]);
            if (bytes != null) return bytes;
            bytes = encode(this);
            Volatile.Write(ref encoded[slot], bytes);
            return bytes;
        }
    }

    /// <summary>Message ids: a random prefix per process, so ids stay unique across restarts, and a counter.</summary>
    internal static class MessageIds
    {
        private static readonly string Prefix = Guid.NewGuid().ToString("N").Substring(0, 8);
        private static long counter;

        public static string Next() => Prefix + "-" + Interlocked.Increment(ref counter).ToString("x", System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>A member's name and address at one moment, kept with events that outlive renames.</summary>
    internal sealed class MemberIdentity
    {
        public MemberIdentity(string nick, string user, string host, string? account = null)
        {
            Nick = nick;
            User = user;
            Host = host;
            Account = account;
        }

        public string Nick { get; }

        public string User { get; }

        public string Host { get; }

        /// <summary>The account the member is logged in to (SASL, /login), or null.</summary>
        public string? Account { get; }

        /// <summary>The IRC prefix form: nick!user@host; made once, as every IRC line an event becomes needs it.</summary>
        public string Prefix => prefix ??= Nick + "!" + User + "@" + Host;

        private string? prefix;

        public override string ToString() => Nick;
    }
}
