using System.Globalization;
using System.Text;
using PSChat.Engine.Text;

namespace PSChat
{
    /// <summary>
    /// How PSChat shows text that came from someone else to a person: every character a terminal could act
    /// on is drawn as a visible stand-in, so a message cannot set the window title, write the clipboard
    /// (OSC 52), move the cursor or reorder the line. Used by ToString(), the format views, Enter-ChatRoom
    /// and Start-ChatServer -Wait; the objects keep the raw text for scripts.
    /// </summary>
    public static class SafeText
    {
        /// <summary>
        /// C0 controls (TAB and the IRC formatting codes too) as their control pictures (ESC is U+241B),
        /// DEL as U+2421; C1 controls, bidirectional controls, line and paragraph separators and lone
        /// surrogates as &lt;U+XXXX&gt;. Anything else is returned as it is (the same string when nothing changed).
        /// </summary>
        public static string Render(string? text)
        {
            if (text == null) return string.Empty;
            int first = 0;
            while (first < text.Length && !NeedsEscape(text, first)) first++;
            if (first == text.Length) return text;

            var sb = new StringBuilder(text.Length + 16);
            sb.Append(text, 0, first);
            for (int i = first; i < text.Length; i++)
            {
                char c = text[i];
                if (!NeedsEscape(text, i))
                {
                    sb.Append(c);
                }
                else if (c < 0x20)
                {
                    sb.Append((char)(0x2400 + c));
                }
                else if (c == 0x7F)
                {
                    sb.Append('\u2421');
                }
                else
                {
                    sb.Append("<U+").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture)).Append('>');
                }
            }

            return sb.ToString();
        }

        private static bool NeedsEscape(string text, int i)
        {
            char c = text[i];
            if (c < 0x20 || (c >= 0x7F && c <= 0x9F)) return true;
            if (c < 0x600) return false;
            if (TextRules.IsBidiControl(c) || c == '\u2028' || c == '\u2029') return true;
            if (char.IsHighSurrogate(c)) return i + 1 >= text.Length || !char.IsLowSurrogate(text[i + 1]);
            if (char.IsLowSurrogate(c)) return i == 0 || !char.IsHighSurrogate(text[i - 1]);
            return false;
        }
    }
}
