using System;

namespace PSChat.Engine.Client
{
    /// <summary>
    /// Checks what a script hands a session (rooms, nicks, keys, reasons) before any of it reaches the
    /// wire: a CR or LF would end the protocol line and start a command of the caller's choosing, a
    /// space or comma would turn one name into several. A bad value is an <see cref="ArgumentException"/>
    /// naming the parameter and the character, never a silent rewrite.
    /// </summary>
    internal static partial class ClientNames
    {
        /// <summary>Ends a line or separates names in every protocol we speak.</summary>
        private const string LineBreakers = "\0\r\n";

        /// <summary>A room (channel) name: no line breaks, spaces, commas (IRC's list separator) or BEL (RFC 2812).</summary>
        public static void CheckRoom(string room, string parameter)
        {
            CheckNotEmpty(room, parameter, "room name");
            Refuse(room, parameter, "room name", LineBreakers + " ,\a",
                ", which IRC uses between names: give each room on its own (e.g. -Room '#a', '#b')");
        }

        /// <summary>A nick, as the target of a private message or a name to take.</summary>
        public static void CheckNick(string nick, string parameter)
        {
            CheckNotEmpty(nick, parameter, "nick");
            Refuse(nick, parameter, "nick", LineBreakers + " ,!@*?:", string.Empty);
            if ("#&$+".IndexOf(nick[0]) >= 0)
            {
                throw new ArgumentException($"The nick '{Show(nick)}' starts with '{nick[0]}', which marks a room, not a person.", parameter);
            }
        }

        /// <summary>A channel key: one word.</summary>
        public static void CheckKey(string key, string parameter)
        {
            CheckNotEmpty(key, parameter, "room key");
            Refuse(key, parameter, "room key", LineBreakers + " ,", string.Empty);
        }

        /// <summary>Free text sent as one protocol parameter (a part or quit reason): no line breaks.</summary>
        public static void CheckOneLine(string text, string parameter, string what) =>
            Refuse(text, parameter, what, LineBreakers, string.Empty);

        private static void CheckNotEmpty(string value, string parameter, string what)
        {
            if (string.IsNullOrEmpty(value)) throw new ArgumentException($"The {what} is empty.", parameter);
        }

        private static void Refuse(string value, string parameter, string what, string forbidden, string advice)
        {
            int at = value.IndexOfAny(forbidden.ToCharArray());
            if (at < 0) return;
            char c = value[at];
            string note = c == ',' ? advice : string.Empty;
            throw new ArgumentException($"The {what} '{Show(value)}' contains {Describe(c)}{note}; it cannot be sent.", parameter);
        }

        private static string Describe(char c)
        {
            switch (c)
            {
                case '\0': return "a NUL character";
                case '\r': return "a carriage return (CR), which would end the protocol line";
                case '\n': return "a line feed (LF), which would end the protocol line";
                case '\a': return "a BEL character";
                case ' ': return "a space";
                case ',': return "a comma";
                default: return "'" + c + "'";
            }
        }

        /// <summary>The value as an error message may show it: line breaks visible, long values cut.</summary>
        private static string Show(string value)
        {
            string shown = value.Replace("\r", "\\r").Replace("\n", "\\n").Replace("\0", "\\0").Replace("\a", "\\a");
            return shown.Length > 60 ? shown.Substring(0, 60) + "..." : shown;
        }
    }
}
