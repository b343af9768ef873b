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

        /// <summary>
        /// '*' and '?' wildcards, compared after rfc1459 case folding. No regex: on a mismatch it goes
        /// back only to the last '*', so a mask costs at most its length times the name's, whatever its
        /// shape (a backtracking regex took seconds per nick for "*a*a*a...*b").
        /// </summary>
        public static bool MatchesMask(string mask, string name)
        {
            mask = Rooms.CaseMapping.Fold(mask);
            name = Rooms.CaseMapping.Fold(name);
            int m = 0;
            int n = 0;
            int star = -1;
            int resume = 0;
            while (n < name.Length)
            {
                if (m < mask.Length && mask[m] == '*')
                {
                    star = m++;
                    resume = n;
                }
                else if (m < mask.Length && (mask[m] == '?' || mask[m] == name[n]))
                {
                    m++;
                    n++;
                }
                else if (star >= 0)
                {
                    // The last star takes one more character; everything after it is tried again.
                    m = star + 1;
                    n = ++resume;
                }
                else
                {
                    return false;
                }
            }

            while (m < mask.Length && mask[m] == '*') m++;
            return m == mask.Length;
        }
    }
}
