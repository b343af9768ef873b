using System.Text.RegularExpressions;

namespace PSChat.Engine.Irc
{
    /// <summary>What makes a valid nick or channel name, and IRC wildcard masks.</summary>
    internal static class IrcNames
    {
        public const int NickLength = 32;
        public const int ChannelLength = 50;
        public const int UserLength = 16;
        public const int TopicLength = 390;
        public const int KickLength = 390;
        public const int AwayLength = 390;

        private static readonly Regex Nick = new Regex(@"^[A-Za-z\[\]\\`_^{|}][A-Za-z0-9\[\]\\`_^{|}-]*$", RegexOptions.CultureInvariant);

        public static bool IsValidNick(string nick) => nick.Length <= NickLength && Nick.IsMatch(nick);

        public static bool IsChannel(string name) => name.Length > 0 && name[0] == '#';

        /// <summary>'#' then 1 to 49 characters, none of them space, comma, BEL or a control character.</summary>
        public static bool IsValidChannel(string name)
        {
            if (name.Length < 2 || name.Length > ChannelLength || name[0] != '#') return false;
            foreach (char c in name)
            {
                if (c == ' ' || c == ',' || c < 0x20 || c == 0x7F) return false;
            }

            return true;
        }

        /// <summary>
        /// RFC 2812's key grammar narrowed to printable ASCII: no space (a key must fit one JOIN parameter)
        /// and no comma (JOIN separates keys with commas).
        /// </summary>
        public static bool IsValidKey(string key)
        {
            if (key.Length == 0) return false;
            foreach (char c in key)
            {
                if (c <= ' ' || c >= 0x7F || c == ',') return false;
            }

            return true;
        }

        public static string Truncate(string text, int length) => text.Length > length ? text.Substring(0, length) : text;

        /// <summary>'*' and '?' wildcards, compared after rfc1459 case folding.</summary>
        public static bool MatchesMask(string mask, string name)
        {
            string pattern = "^" + Regex.Escape(Rooms.CaseMapping.Fold(mask)).Replace(@"\*", ".*").Replace(@"\?", ".") + "$";
            return Regex.IsMatch(Rooms.CaseMapping.Fold(name), pattern, RegexOptions.Singleline | RegexOptions.CultureInvariant);
        }
    }
}
