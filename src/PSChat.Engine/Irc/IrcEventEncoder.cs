using System;
using System.Collections.Generic;
using System.Globalization;
using PSChat.Engine.Rooms;

namespace PSChat.Engine.Irc
{
    /// <summary>
    /// Puts room events into IRC lines. Each event is encoded at most once per tag variant
    /// (none, server-time, client tags, both) and the bytes are shared by every IRC member.
    /// </summary>
    internal static class IrcEventEncoder
    {
        // One encoder per tag variant, made once: a lambda capturing the variant would be a new
        // allocation for every delivery. Indexed by variant: bit 0 server-time, bit 1 message tags,
        // bit 2 account-tag (only when the sender has an account: otherwise the line is the same).
        private static readonly Func<RoomEvent, byte[]>[] Variants = MakeVariants(extendedJoin: false);

        /// <summary>JOIN lines with extended-join's account and real name: rare, so made per member, not cached.</summary>
        private static readonly Func<RoomEvent, byte[]>[] ExtendedJoinVariants = MakeVariants(extendedJoin: true);

        private static readonly int FirstSlot = RoomEvent.EncodingSlots.Take(Variants.Length);

        public static byte[] Encode(RoomEvent roomEvent, Capability caps)
        {
            int variant = ((caps & Capability.ServerTime) != 0 ? 1 : 0) | ((caps & Capability.MessageTags) != 0 ? 2 : 0) |
                ((caps & Capability.AccountTag) != 0 && roomEvent.Source.Account != null ? 4 : 0);
            if (roomEvent.Kind == RoomEventKind.Join && (caps & Capability.ExtendedJoin) != 0) return ExtendedJoinVariants[variant](roomEvent);
            return roomEvent.GetEncoded(FirstSlot + variant, Variants[variant]);
        }

        private static Func<RoomEvent, byte[]>[] MakeVariants(bool extendedJoin)
        {
            var variants = new Func<RoomEvent, byte[]>[8];
            for (int i = 0; i < variants.Length; i++)
            {
                var flags = new Flags((i & 1) != 0, (i & 2) != 0, (i & 4) != 0, extendedJoin);
                variants[i] = e => ToBytes(e, flags);
            }

            return variants;
        }

        /// <summary>What a variant adds to the plain line.</summary>
        private sealed class Flags
        {
            public Flags(bool time, bool clientTags, bool account, bool extendedJoin)
            {
                Time = time;
                ClientTags = clientTags;
                Account = account;
                ExtendedJoin = extendedJoin;
            }

            public bool Time { get; }

            public bool ClientTags { get; }

            public bool Account { get; }

            public bool ExtendedJoin { get; }
        }

        /// <summary>
        /// The line, kept within 512 bytes once the source prefix is added. A client of another protocol
        /// (plain text) may send up to the server's text limit, so its long message becomes several lines
        /// cut between characters, in one buffer so they stay together; an IRC client's message that the
        /// prefix pushes over the limit is cut short at a character boundary instead, as IRC servers do.
        /// </summary>
        private static byte[] ToBytes(RoomEvent e, Flags flags)
        {
            var message = ToMessage(e, flags, e.Text);
            byte[] bytes = message.ToBytes();
            int lineBytes = bytes.Length - TagsLength(message, bytes);
            if (lineBytes <= MaxLineBytes) return bytes;
            // A long PART, QUIT or KICK reason is cut to fit, like a long IRC message below.
            if (e.Kind != RoomEventKind.Message && e.Kind != RoomEventKind.Notice) return message.ToBoundedBytes();

            int overhead = lineBytes - System.Text.Encoding.UTF8.GetByteCount(e.Text);
            var pieces = Text.Utf8Splitter.Split(e.Text, MaxLineBytes - overhead);
            if (e.Origin is IrcOrigin) return ToMessage(e, flags, pieces[0]).ToBytes();

            var lines = new List<byte>(bytes.Length + 256);
            foreach (string piece in pieces)
            {
                lines.AddRange(ToMessage(e, flags, piece).ToBytes());
            }

            return lines.ToArray();
        }

        private const int MaxLineBytes = IrcMessage.MaxLineBytes;

        /// <summary>Bytes of the "@tags " part (up to the first space: a space in a tag value is escaped), or 0.</summary>
        private static int TagsLength(IrcMessage message, byte[] bytes) =>
            message.Tags.Count == 0 ? 0 : Array.IndexOf(bytes, (byte)' ') + 1;

        /// <summary>The RFC 3339 UTC form server-time wants, with milliseconds.</summary>
        public static string FormatTime(System.DateTime time) =>
            time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

        private static IrcMessage ToMessage(RoomEvent e, Flags flags, string text)
        {
            bool clientTags = flags.ClientTags;
            bool time = flags.Time;
            Dictionary<string, string?>? tags = null;
            if (clientTags && e.Origin is IrcOrigin { ClientTags: string raw })
            {
                tags = IrcMessage.ParseTags(raw);
            }

            // IRCv3 message-ids: what people say carries an id for those that take message tags.
            if (clientTags && (e.Kind == RoomEventKind.Message || e.Kind == RoomEventKind.Notice || e.Kind == RoomEventKind.TagMessage))
            {
                tags ??= new Dictionary<string, string?>();
                tags["msgid"] = e.MessageId;
            }

            if (time)
            {
                tags ??= new Dictionary<string, string?>();
                tags["time"] = FormatTime(e.Time);
            }

            if (flags.Account && e.Source.Account != null)
            {
                tags ??= new Dictionary<string, string?>();
                tags["account"] = e.Source.Account;
            }

            string target = e.Room?.Name ?? e.Target ?? "*";
            string[] parameters = e.Kind switch
            {
                RoomEventKind.Message => new[] { target, text },
                RoomEventKind.Notice => new[] { target, text },
                RoomEventKind.TagMessage => new[] { target },
                RoomEventKind.Join => flags.ExtendedJoin ? new[] { target, e.Source.Account ?? "*", e.Text.Length > 0 ? e.Text : e.Source.Nick } : new[] { target },
                RoomEventKind.Part => e.Text.Length == 0 ? new[] { target } : new[] { target, e.Text },
                RoomEventKind.Quit => new[] { e.Text },
                RoomEventKind.Nick => new[] { e.Text },
                RoomEventKind.Topic => new[] { target, e.Text },
                RoomEventKind.Kick => new[] { target, e.Target ?? "*", e.Text },
                _ => ModeParameters(target, e.Text),
            };
            return new IrcMessage(tags, e.Source.Prefix, CommandOf(e.Kind), parameters);
        }

        private static string CommandOf(RoomEventKind kind) => kind switch
        {
            RoomEventKind.Message => "PRIVMSG",
            RoomEventKind.Notice => "NOTICE",
            RoomEventKind.TagMessage => "TAGMSG",
            RoomEventKind.Join => "JOIN",
            RoomEventKind.Part => "PART",
            RoomEventKind.Quit => "QUIT",
            RoomEventKind.Nick => "NICK",
            RoomEventKind.Topic => "TOPIC",
            RoomEventKind.Kick => "KICK",
            _ => "MODE",
        };

        /// <summary>A mode event's text is the mode string and its arguments, space-separated.</summary>
        private static string[] ModeParameters(string target, string modes)
        {
            var parts = new List<string> { target };
            parts.AddRange(modes.Split(' '));
            return parts.ToArray();
        }
    }
}
