using System.Text.RegularExpressions;
using PSChat.Engine.Text;

namespace PSChat.Engine.Irc
{
    /// <summary>What makes a valid nick, channel, user name or tag key, and IRC wildcard masks.</summary>
    internal static class IrcNames
    {
        public const int NickLength = 32;
        public const int ChannelLength = 50;
        public const int UserLength = 16;
        public const int TopicLength = 390;
        public const int KickLength = 390;
        public const int AwayLength = 390;

        // \z, not $: $ also matches before a final line feed, which let "nick\n" through.
        private static readonly Regex Nick = new Regex(@"^[A-Za-z\[\]\\`_^{|}][A-Za-z0-9\[\]\\`_^{|}-]*\z", RegexOptions.CultureInvariant);

        public static bool IsValidNick(string nick) => nick.Length <= NickLength && Nick.IsMatch(nick);

        public static bool IsChannel(string name) => name.Length > 0 && name[0] == '#';

        /// <summary>
        /// '#' then 1 to 49 characters, none of them a comma or anything <see cref="TextRules.IsUnsafeInName"/>
        /// refuses (space, BEL and every other control, bidi overrides, invisible format characters).
        /// </summary>
        public static bool IsValidChannel(string name)
        {
            if (name.Length < 2 || name.Length > ChannelLength || name[0] != '#') return false;
            foreach (char c in name)
            {
                if (c == ',' || TextRules.IsUnsafeInName(c)) return false;
            }

            return true;
        }

        /// <summary>
        /// The user name of USER (the "ident" in nick!user@host): ASCII letters, digits and - . _ ~ [ ] { } \ | ^ `,
        /// so a source can hold no '!', '@', space or control character and reads as what it is.
        /// </summary>
        public static bool IsValidUser(string user)
        {
            if (user.Length == 0) return false;
            foreach (char c in user)
            {
                bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "-._~[]{}\\|^`".IndexOf(c) >= 0;
                if (!ok) return false;
            }

            return true;
        }

        /// <summary>
        /// IRCv3 message-tags key grammar: an optional client prefix '+', an optional vendor (a host name:
        /// letters, digits, '-' and '.') and '/', then a non-empty name of ASCII letters, digits and '-'.
        /// </summary>
        public static bool IsValidTagKey(string key)
        {
            int start = key.Length > 0 && key[0] == '+' ? 1 : 0;
            int slash = key.IndexOf('/', start);
            if (slash >= 0)
            {
                if (slash == start) return false;
                for (int i = start; i < slash; i++)
                {
                    if (!IsTagNameChar(key[i]) && key[i] != '.') return false;
                }

                start = slash + 1;
            }

            if (start >= key.Length) return false;
            for (int i = start; i < key.Length; i++)
            {
                if (!IsTagNameChar(key[i])) return false;
            }

            return true;
        }

        private static bool IsTagNameChar(char c) => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';

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

        /// <summary>At most <paramref name="length"/> characters, one less rather than half a surrogate pair (an emoji).</summary>
        public static string Truncate(string text, int length)
        {
            if (text.Length <= length) return text;
            if (length > 0 && char.IsHighSurrogate(text[length - 1]) && char.IsLowSurrogate(text[length])) length--;
            return text.Substring(0, length);
        }

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
