using System.Text;

namespace PSChat.Engine.Rooms
{
    /// <summary>
    /// IRC's "rfc1459" case mapping: A-Z and []\~ fold to a-z and {}|^. Used for nicks and room
    /// names everywhere, so a text client and an IRC client agree on what is the same name.
    /// </summary>
    internal static class CaseMapping
    {
        public const string Name = "rfc1459";

        public static string Fold(string name)
        {
            StringBuilder? folded = null;
            for (int i = 0; i < name.Length; i++)
            {
                char c = name[i];
                char f = FoldChar(c);
                if (f != c)
                {
                    folded ??= new StringBuilder(name);
                    folded[i] = f;
                }
            }

            return folded?.ToString() ?? name;
        }

        public static bool Equals(string a, string b) => Fold(a) == Fold(b);

        private static char FoldChar(char c)
        {
            if (c >= 'A' && c <= 'Z') return (char)(c + 32);
            switch (c)
            {
                case '[': return '{';
                case ']': return '}';
                case '\\': return '|';
                case '~': return '^';
                default: return c;
            }
        }
    }
}
