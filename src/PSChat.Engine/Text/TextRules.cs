using System;
using System.Text;

namespace PSChat.Engine.Text
{
    /// <summary>What a chat line may contain, shared by the text and IRC codecs and the client.</summary>
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
                return null;
            }
            catch (DecoderFallbackException)
            {
                return "line is not valid UTF-8";
            }
        }

        /// <summary>TAB and the IRC formatting codes (bold, colour, reset, reverse, italic, strike, underline).</summary>
        public static bool IsAllowedControl(byte b) =>
            b == 0x09 || b == 0x02 || b == 0x03 || b == 0x0F || b == 0x16 || b == 0x1D || b == 0x1E || b == 0x1F;

        /// <summary>
        /// Splits "name:text" the way the tutorial's clients write it. The name must be 1-32 characters
        /// without spaces or control characters; otherwise there is no sender and the whole line is text.
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
                    if (char.IsWhiteSpace(c) || char.IsControl(c))
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

        /// <summary>Drops control characters other than TAB and IRC formatting, so text cannot inject bytes.</summary>
        public static string StripControls(string text)
        {
            StringBuilder? clean = null;
            for (int i = 0; i < text.Length; i++)
            {
                char c = text[i];
                bool bad = (c < 0x20 && !IsAllowedControl((byte)c)) || c == 0x7F;
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
