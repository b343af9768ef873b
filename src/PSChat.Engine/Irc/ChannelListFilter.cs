using System.Collections.Generic;
using System.Globalization;

namespace PSChat.Engine.Irc
{
    /// <summary>
    /// LIST's search conditions (ELIST=MNU in ISUPPORT): <c>mask</c> (M, any of them matches),
    /// <c>!mask</c> (N, none of them matches), <c>&gt;n</c> and <c>&lt;n</c> (U, more or fewer users).
    /// LIST with plain channel names only is not a search.
    /// </summary>
    internal sealed class ChannelListFilter
    {
        public const string Supported = "MNU";

        private readonly List<string> masks = new List<string>();
        private readonly List<string> excluded = new List<string>();
        private int moreThan = -1;
        private int fewerThan = int.MaxValue;

        private ChannelListFilter()
        {
        }

        /// <summary>The conditions in <paramref name="entries"/>, or null when they are all plain channel names.</summary>
        public static ChannelListFilter? Parse(IEnumerable<string> entries)
        {
            var filter = new ChannelListFilter();
            bool search = false;
            foreach (string entry in entries)
            {
                if (entry.Length > 1 && (entry[0] == '>' || entry[0] == '<') &&
                    int.TryParse(entry.Substring(1), NumberStyles.None, CultureInfo.InvariantCulture, out int count))
                {
                    if (entry[0] == '>') filter.moreThan = System.Math.Max(filter.moreThan, count);
                    else filter.fewerThan = System.Math.Min(filter.fewerThan, count);
                    search = true;
                }
                else if (entry.Length > 1 && entry[0] == '!')
                {
                    filter.excluded.Add(entry.Substring(1));
                    search = true;
                }
                else
                {
                    filter.masks.Add(entry);
                    search |= entry.IndexOfAny(Wildcards) >= 0;
                }
            }

            return search ? filter : null;
        }

        private static readonly char[] Wildcards = { '*', '?' };

        public bool Admits(string channel, int users)
        {
            if (users <= moreThan || users >= fewerThan) return false;
            foreach (string mask in excluded)
            {
                if (IrcNames.MatchesMask(mask, channel)) return false;
            }

            if (masks.Count == 0) return true;
            foreach (string mask in masks)
            {
                if (IrcNames.MatchesMask(mask, channel)) return true;
            }

            return false;
        }
    }
}
