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
    }
}
