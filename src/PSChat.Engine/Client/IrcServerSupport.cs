using System;
using System.Collections.Generic;

namespace PSChat.Engine.Client
{
    /// <summary>
    /// What the server told us about itself in RPL_ISUPPORT (005): line length, case mapping and channel
    /// types are applied; every token is kept for <see cref="PSChat.ChatSession.ServerSupport"/>. The defaults are RFC 1459's, for servers that do not say.
    /// </summary>
    internal sealed class IrcServerSupport
    {
        private readonly Dictionary<string, string> tokens = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

        /// <summary>Bytes per line, CR LF included (LINELEN).</summary>
        public int LineLength { get; private set; } = 512;

        public string CaseMapping { get; private set; } = "rfc1459";

        public string ChannelTypes { get; private set; } = "#&";

        public IReadOnlyDictionary<string, string> Tokens => tokens;

        /// <summary>Takes the tokens of one 005 reply: parameters between the nick and the trailing text.</summary>
        public void Add(IReadOnlyList<string> parameters)
        {
            for (int i = 1; i < parameters.Count - 1; i++)
            {
                string token = parameters[i];
                if (token.StartsWith("-", StringComparison.Ordinal))
                {
                    tokens.Remove(token.Substring(1));
                    continue;
                }

                int eq = token.IndexOf('=');
                string key = eq < 0 ? token : token.Substring(0, eq);
                string value = eq < 0 ? string.Empty : token.Substring(eq + 1);
                tokens[key] = value;
                Apply(key.ToUpperInvariant(), value);
            }
        }

        public bool IsChannel(string target) => target.Length > 0 && ChannelTypes.IndexOf(target[0]) >= 0;

        /// <summary>Whether two nicks or channel names are the same under the server's case mapping.</summary>
        public bool SameName(string? a, string? b) =>
            a != null && b != null && string.Equals(Fold(a), Fold(b), StringComparison.Ordinal);

        public string Fold(string name)
        {
            // ascii folds A-Z only; strict-rfc1459 adds []\ ; rfc1459 also folds ~ to ^.
            bool brackets = CaseMapping != "ascii";
            bool tilde = CaseMapping == "rfc1459";
            var chars = name.ToCharArray();
            for (int i = 0; i < chars.Length; i++)
            {
                char c = chars[i];
                if (c >= 'A' && c <= 'Z') chars[i] = (char)(c + 32);
                else if (brackets && c == '[') chars[i] = '{';
                else if (brackets && c == ']') chars[i] = '}';
                else if (brackets && c == '\\') chars[i] = '|';
                else if (tilde && c == '~') chars[i] = '^';
            }

            return new string(chars);
        }

        private void Apply(string key, string value)
        {
            switch (key)
            {
                case "LINELEN":
                    if (int.TryParse(value, out int length) && length >= 512) LineLength = length;
                    break;
                case "CASEMAPPING":
                    if (value.Length > 0) CaseMapping = value.ToLowerInvariant();
                    break;
                case "CHANTYPES":
                    ChannelTypes = value;
                    break;
            }
        }
    }
}
