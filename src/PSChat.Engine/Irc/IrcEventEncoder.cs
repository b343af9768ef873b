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
        public static byte[] Encode(RoomEvent roomEvent, Capability caps)
        {
            bool time = (caps & Capability.ServerTime) != 0;
            bool tags = (caps & Capability.MessageTags) != 0;
            int slot = time && tags ? EncodingSlots.IrcTagged
                : time ? EncodingSlots.IrcServerTime
                : tags ? EncodingSlots.IrcMessageTags
                : EncodingSlots.IrcPlain;
            return roomEvent.GetEncoded(slot, e => ToMessage(e, time, tags).ToBytes());
        }

        /// <summary>The RFC 3339 UTC form server-time wants, with milliseconds.</summary>
        public static string FormatTime(System.DateTime time) =>
            time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

        private static IrcMessage ToMessage(RoomEvent e, bool time, bool clientTags)
        {
            Dictionary<string, string?>? tags = null;
            if (clientTags && e.ClientTags != null)
            {
                tags = IrcMessage.ParseTags(e.ClientTags);
            }

            if (time)
            {
                tags ??= new Dictionary<string, string?>();
                tags["time"] = FormatTime(e.Time);
            }

            string target = e.Room?.Name ?? e.Target ?? "*";
            string[] parameters = e.Kind switch
            {
                RoomEventKind.Message => new[] { target, e.Text },
                RoomEventKind.Notice => new[] { target, e.Text },
                RoomEventKind.TagMessage => new[] { target },
                RoomEventKind.Join => new[] { target },
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
