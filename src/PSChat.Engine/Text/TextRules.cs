using System;
using System.Globalization;
using System.Text;

namespace PSChat.Engine.Text
{
    /// <summary>
    /// What a chat line and a name may contain, shared by the text and IRC codecs and the client: the one
    /// place that says which characters a terminal would act on (<see cref="IsUnsafeControl"/>) and which
    /// make a name deceptive (<see cref="IsUnsafeInName"/>). <see cref="PSChat.SafeText"/> shows them.
    /// </summary>
    internal static class TextRules
    {
        /// <summary>Strict UTF-8: invalid bytes are an error, not a silent replacement.</summary>
        public static readonly Encoding StrictUtf8 = new UTF8Encoding(false, true);

        /// <summary>Lenient UTF-8 for what a client shows: invalid bytes become U+FFFD.</summary>
        public static readonly Encoding LenientUtf8 = new UTF8Encoding(false, false);

        public const int MaxNameLength = 32;

        /// <summary>Decodes a received line, refusing invalid UTF-8 and control bytes.</summary>
        /// <returns>null when the line is fine, otherwise the reason it is refused.</returns>
        public static string? TryDecode(byte[] buffer, int offset, int count, out string text)
        {
            text = string.Empty;
            for (int i = offset; i < offset + count; i++)
            {
                byte b = buffer[i];
                if (b < 0x20 && !IsAllowedControl(b) || b == 0x7F)
                {
                    return b == 0 ? "line contains a NUL byte" : $"line contains control byte 0x{b:X2}";
                }
            }

            try
            {
                text = StrictUtf8.GetString(buffer, offset, count);
            }
            catch (DecoderFallbackException)
            {
                return "line is not valid UTF-8";
            }

            // C1 controls are two bytes in UTF-8 (U+009B is C2 9B), so they are found in the decoded text.
            foreach (char c in text)
            {
                if (IsUnsafeControl(c)) return $"line contains control character U+{(int)c:X4}";
            }

            return null;
        }

        /// <summary>TAB and the IRC formatting codes (bold, colour, reset, reverse, italic, strike, underline).</summary>
        public static bool IsAllowedControl(byte b) =>
            b == 0x09 || b == 0x02 || b == 0x03 || b == 0x0F || b == 0x16 || b == 0x1D || b == 0x1E || b == 0x1F;

        /// <summary>
        /// A control character a terminal may act on: C0 other than TAB and IRC formatting, DEL, and the C1
        /// controls U+0080-U+009F (U+009B is CSI, the same as ESC [).
        /// </summary>
        public static bool IsUnsafeControl(char c) => c < 0x20 ? !IsAllowedControl((byte)c) : c >= 0x7F && c <= 0x9F;

        /// <summary>
        /// The bidirectional controls: the marks ALM, LRM and RLM, the embeddings and overrides LRE-RLO
        /// (U+202A-U+202E) and the isolates LRI-PDI (U+2066-U+2069). They reorder what follows them on screen.
        /// </summary>
        public static bool IsBidiControl(char c) =>
            c == '\u061C' || c == '\u200E' || c == '\u200F' || (c >= '\u202A' && c <= '\u202E') || (c >= '\u2066' && c <= '\u2069');

        /// <summary>
        /// A character no name (nick, channel, user name) may hold: every control (C0, DEL, C1), every
        /// invisible format character (bidi controls, zero-width joiners and spaces, the BOM, soft hyphen),
        /// every space and line or paragraph separator, a lone surrogate, and U+FFFD (what invalid UTF-8
        /// became). Such a name could end a line, hide itself or read as another name.
        /// </summary>
        public static bool IsUnsafeInName(char c)
        {
            switch (char.GetUnicodeCategory(c))
            {
                case UnicodeCategory.Control:
                case UnicodeCategory.Format:
                case UnicodeCategory.SpaceSeparator:
                case UnicodeCategory.LineSeparator:
                case UnicodeCategory.ParagraphSeparator:
                case UnicodeCategory.Surrogate:
                    return true;
                default:
                    return c == '\uFFFD';
            }
        }

        /// <summary>
        /// Splits "name:text" the way the tutorial's clients write it. The name must be 1-32 characters
        /// without spaces or anything IsUnsafeInName refuses; otherwise there is no sender and the whole line is text.
        /// </summary>
        public static bool TrySplitSender(string line, out string sender, out string text)
        {
            int colon = line.IndexOf(':');
            if (colon > 0 && colon <= MaxNameLength)
            {
                bool plausible = true;
                for (int i = 0; i < colon; i++)
                {
                    char c = line[i];
                    if (char.IsWhiteSpace(c) || IsUnsafeInName(c))
                    {
                        plausible = false;
                        break;
                    }
                }

                if (plausible)
                {
                    sender = line.Substring(0, colon);
                    text = line.Substring(colon + 1);
                    return true;
                }
            }

            sender = string.Empty;
            text = line;
            return false;
        }

        /// <summary>Splits text into lines on CRLF, LF or CR, so a message can never carry a line end.</summary>
        public static string[] SplitLines(string text) =>
            text.Replace("\r\n", "\n").Replace('\r', '\n').Split('\n');

        /// <summary>Drops the controls a terminal acts on (<see cref="IsUnsafeControl"/>), so text cannot inject bytes.</summary>
        public static string StripControls(string text)
        {
            StringBuilder? clean = null;
            for (int i = 0; i < text.Length; i++)
            {
                char c = text[i];
                bool bad = IsUnsafeControl(c);
                if (bad && clean == null)
                {
                    clean = new StringBuilder(text.Length);
                    clean.Append(text, 0, i);
                }
                else if (!bad)
                {
                    clean?.Append(c);
                }
            }

            return clean?.ToString() ?? text;
        }
    }
}
