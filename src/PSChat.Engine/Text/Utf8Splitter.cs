using System.Collections.Generic;

namespace PSChat.Engine.Text
{
    /// <summary>Cuts text into pieces of at most so many UTF-8 bytes, only between whole characters.</summary>
    internal static class Utf8Splitter
    {
        public static List<string> Split(string text, int maxBytes)
        {
            if (maxBytes < 4) maxBytes = 4; // room for one character of any size
            var pieces = new List<string>();
            int start = 0;
            int bytes = 0;
            int i = 0;
            while (i < text.Length)
            {
                // A surrogate pair is one character of four bytes; a lone surrogate becomes U+FFFD (three).
                bool pair = char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]);
                int width = pair ? 2 : 1;
                int size = pair ? 4 : Utf8Size(text[i]);
                if (bytes + size > maxBytes)
                {
                    pieces.Add(text.Substring(start, i - start));
                    start = i;
                    bytes = 0;
                }

                bytes += size;
                i += width;
            }

            if (start < text.Length || pieces.Count == 0) pieces.Add(text.Substring(start));
            return pieces;
        }

        /// <summary>The longest start of <paramref name="text"/> that takes at most <paramref name="maxBytes"/> UTF-8 bytes, cut between characters.</summary>
        public static string Prefix(string text, int maxBytes)
        {
            int bytes = 0;
            int i = 0;
            while (i < text.Length)
            {
                bool pair = char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]);
                int size = pair ? 4 : Utf8Size(text[i]);
                if (bytes + size > maxBytes) break;
                bytes += size;
                i += pair ? 2 : 1;
            }

            return text.Substring(0, i);
        }

        public static int Utf8Size(char c) => c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
    }
}
