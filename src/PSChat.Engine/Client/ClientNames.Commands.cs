using System;
using System.Text;
using PSChat.Engine.Irc;

namespace PSChat.Engine.Client
{
    /// <summary>The checks for what the IRC operations take: mode strings, their arguments, and raw lines.</summary>
    internal static partial class ClientNames
    {
        /// <summary>The most bytes of a raw line, without its CR LF (RFC 1459's 512 with them).</summary>
        public const int MaxRawLineBytes = IrcMessage.MaxLineBytes - 2;

        /// <summary>"+o", "-v+t", "+b": a sign first, then mode letters and signs.</summary>
        public static void CheckModes(string modes, string parameter)
        {
            CheckNotEmpty(modes, parameter, "mode string");
            bool letters = false;
            foreach (char c in modes)
            {
                if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) letters = true;
                else if (c != '+' && c != '-') throw new ArgumentException($"The mode string '{Show(modes)}' contains {Describe(c)}: it takes '+' or '-' and mode letters (e.g. '+o', '-t').", parameter);
            }

            if ((modes[0] != '+' && modes[0] != '-') || !letters)
            {
                throw new ArgumentException($"The mode string '{Show(modes)}' must start with '+' or '-' and name a mode letter (e.g. '+o', '-t').", parameter);
            }
        }

        /// <summary>One middle parameter: no line breaks or spaces, and no leading ':' (which would swallow the rest).</summary>
        public static void CheckWord(string value, string parameter, string what)
        {
            CheckNotEmpty(value, parameter, what);
            Refuse(value, parameter, what, LineBreakers + " ", string.Empty);
            if (value[0] == ':') throw new ArgumentException($"The {what} '{Show(value)}' starts with ':', which IRC reads as the start of free text.", parameter);
        }

        /// <summary>
        /// A raw IRC line: one line (no CR, LF or NUL), at most <see cref="MaxRawLineBytes"/> bytes of
        /// UTF-8, shaped like an IRC command. QUIT is refused: Disconnect-ChatRoom says goodbye and
        /// stops a reconnecting session from coming back.
        /// </summary>
        public static IrcMessage CheckRawLine(string line, string parameter)
        {
            if (line == null) throw new ArgumentNullException(parameter);
            if (line.Trim().Length == 0) throw new ArgumentException("The IRC line is empty.", parameter);
            Refuse(line, parameter, "IRC line", LineBreakers, string.Empty);
            int bytes = Encoding.UTF8.GetByteCount(line);
            if (bytes > MaxRawLineBytes)
            {
                throw new ArgumentException($"The IRC line is {bytes} bytes; IRC takes at most {MaxRawLineBytes} (512 with the line end).", parameter);
            }

            var parsed = IrcMessage.Parse(line);
            if (parsed == null || parsed.Command.Length == 0)
            {
                throw new ArgumentException($"'{Show(line)}' is not an IRC command line (e.g. 'WHOIS bob' or 'MODE #room +m').", parameter);
            }

            if (parsed.Command == "QUIT")
            {
                throw new ArgumentException("A raw QUIT would close the session behind its back: use Disconnect-ChatRoom (it says goodbye with -Reason).", parameter);
            }

            return parsed;
        }
    }
}
