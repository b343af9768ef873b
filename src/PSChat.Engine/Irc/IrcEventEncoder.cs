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
            int variant = VariantOf(roomEvent, caps);
            if (roomEvent.Kind == RoomEventKind.Join && (caps & Capability.ExtendedJoin) != 0) return ExtendedJoinVariants[variant](roomEvent);
            return roomEvent.GetEncoded(FirstSlot + variant, Variants[variant]);
        }

        private static int VariantOf(RoomEvent roomEvent, Capability caps) =>
            ((caps & Capability.ServerTime) != 0 ? 1 : 0) | ((caps & Capability.MessageTags) != 0 ? 2 : 0) |
            ((caps & Capability.AccountTag) != 0 && roomEvent.Source.Account != null ? 4 : 0);

        private static Func<RoomEvent, byte[]>[] MakeVariants(bool extendedJoin)
        {
            var variants = new Func<RoomEvent, byte[]>[8];
            for (int i = 0; i < variants.Length; i++)
            {
                var flags = FlagsOf(i, extendedJoin);
                variants[i] = e => ToBytes(e, flags);
            }

            return variants;
        }

        private static Flags FlagsOf(int variant, bool extendedJoin) =>
            new Flags((variant & 1) != 0, (variant & 2) != 0, (variant & 4) != 0, extendedJoin);

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
            var pieces = Pieces(e, message, bytes);
            // A long PART, QUIT or KICK reason is cut to fit, like a long IRC message below.
            if (pieces == null) return bytes.Length - TagsLength(message, bytes) <= MaxLineBytes ? bytes : message.ToBoundedBytes();
            if (e.Origin is IrcOrigin) return ToMessage(e, flags, pieces[0]).ToBytes();

            var lines = new List<byte>(bytes.Length + 256);
            foreach (string piece in pieces)
            {
                lines.AddRange(ToMessage(e, flags, piece).ToBytes());
            }

            return lines.ToArray();
        }

        /// <summary>
        /// The event as the messages a client with <paramref name="caps"/> gets, uncached, for callers that
        /// add tags of their own (a batch). A plain text client's long message may be several lines.
        /// </summary>
        public static IReadOnlyList<IrcMessage> ToMessages(RoomEvent e, Capability caps)
        {
            var flags = FlagsOf(VariantOf(e, caps), e.Kind == RoomEventKind.Join && (caps & Capability.ExtendedJoin) != 0);
            var message = ToMessage(e, flags, e.Text);
            var pieces = Pieces(e, message, message.ToBytes());
            if (pieces == null) return new[] { message };
            if (e.Origin is IrcOrigin) return new[] { ToMessage(e, flags, pieces[0]) };
            var messages = new List<IrcMessage>(pieces.Count);
            foreach (string piece in pieces) messages.Add(ToMessage(e, flags, piece));
            return messages;
        }

        /// <summary>A message's text cut to fit the line with its prefix, or null when it fits (or is not a message).</summary>
        private static List<string>? Pieces(RoomEvent e, IrcMessage message, byte[] bytes)
        {
            int lineBytes = bytes.Length - TagsLength(message, bytes);
            if (lineBytes <= MaxLineBytes) return null;
            if (e.Kind != RoomEventKind.Message && e.Kind != RoomEventKind.Notice) return null;
            int overhead = lineBytes - System.Text.Encoding.UTF8.GetByteCount(e.Text);
            return Text.Utf8Splitter.Split(e.Text, MaxLineBytes - overhead);
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
