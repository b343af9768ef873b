using PSChat.Engine.Text;

namespace PSChat.Engine.Irc
{
    /// <summary>
    /// What an IRC client's line must be before the server runs it (the IRC side of <see cref="TextRules"/>):
    /// no NUL, CR or LF inside it (RFC 1459 2.3.1; the framer took the line end) and only tag keys of the
    /// IRCv3 grammar. A line that passes formats back into one line that parses the same.
    /// </summary>
    internal static class IrcInputRules
    {
        /// <summary>
        /// Null when the line may run (<paramref name="message"/> is its parse, null for an empty or malformed
        /// line, which is ignored); otherwise why it is refused, fit to show the client.
        /// </summary>
        public static string? Check(byte[] buffer, int offset, int count, out IrcMessage? message)
        {
            message = null;
            for (int i = offset; i < offset + count; i++)
            {
                // A relayed bare CR ends the line at receivers that split on CR and starts one the sender
                // wrote ("...\r:ChanServ!s@services PRIVMSG ..."); NUL ends a string in many clients and servers.
                byte b = buffer[i];
                if (b == 0) return "it contains a NUL byte";
                if (b == (byte)'\r' || b == (byte)'\n') return "it contains a CR that does not end the line";
            }

            var parsed = IrcMessage.Parse(buffer, offset, count);
            if (parsed == null) return null;
            foreach (string key in parsed.Tags.Keys)
            {
                if (!IrcNames.IsValidTagKey(key))
                {
                    return $"tag key '{SafeText.Render(IrcNames.Truncate(key, 64))}' is not valid (letters, digits and '-', after an optional '+' and vendor/)";
                }
            }

            message = parsed;
            return null;
        }

        /// <summary>
        /// Whether the bytes are well-formed UTF-8 (no overlong forms, surrogates or code points past U+10FFFF):
        /// UTF8ONLY refuses anything else. One pass, no allocation.
        /// </summary>
        public static bool IsValidUtf8(byte[] buffer, int offset, int count)
        {
            int i = offset;
            int end = offset + count;
            while (i < end)
            {
                int b = buffer[i];
                if (b < 0x80)
                {
                    i++;
                    continue;
                }

                int length;
                int min;
                int code;
                if ((b & 0xE0) == 0xC0) { length = 2; min = 0x80; code = b & 0x1F; }
                else if ((b & 0xF0) == 0xE0) { length = 3; min = 0x800; code = b & 0x0F; }
                else if ((b & 0xF8) == 0xF0) { length = 4; min = 0x10000; code = b & 0x07; }
                else return false;
                if (i + length > end) return false;
                for (int k = 1; k < length; k++)
                {
                    int next = buffer[i + k];
                    if ((next & 0xC0) != 0x80) return false;
                    code = (code << 6) | (next & 0x3F);
                }

                if (code < min || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return false;
                i += length;
            }

            return true;
        }
    }
}
