using System.Collections.Generic;
using System.Globalization;

namespace PSChat.Engine.Irc
{
    /// <summary>WHOWAS (the server's bounded history of nicks given up), bot mode (+B), UTF8ONLY and the FAIL standard replies.</summary>
    internal sealed partial class IrcMember
    {
        /// <summary>User mode +B: a bot (BOT=B in ISUPPORT; WHO shows 'B', WHOIS 335, its messages carry the bot tag).</summary>
        public bool IsBot { get; private set; }

        private static void AddConformanceCommands(Dictionary<string, Command> table)
        {
            table["WHOWAS"] = new Command((m, msg) => m.OnWhowas(msg), 0);
        }

        /// <summary>WHOWAS nick [count]: the most recent first; a count of 0 or less means all that are kept.</summary>
        private void OnWhowas(IrcMessage message)
        {
            if (message.Parameters.Count == 0 || message.Parameters[0].Length == 0)
            {
                Reply(Numerics.ERR_NONICKNAMEGIVEN, "No nickname given");
                return;
            }

            string nick = message.Parameters[0];
            int count = message[1] is string c && int.TryParse(c, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int n) ? n : 0;
            var entries = server.Whowas.Find(nick, count);
            if (entries.Count == 0) Reply(Numerics.ERR_WASNOSUCHNICK, nick, "There was no such nickname");
            foreach (var entry in entries)
            {
                var who = entry.Identity;
                Reply(Numerics.RPL_WHOWASUSER, who.Nick, who.User, who.Host, "*", entry.RealName);
                Reply(Numerics.RPL_WHOISSERVER, who.Nick, ServerName, entry.Time.ToString("ddd MMM dd HH:mm:ss yyyy 'UTC'", CultureInfo.InvariantCulture));
            }

            Reply(Numerics.RPL_ENDOFWHOWAS, nick, "End of WHOWAS");
        }

        /// <summary>UTF8ONLY: a line that is not UTF-8 is not run (standard replies' FAIL, and a Rejected event).</summary>
        private void RefuseInvalidUtf8(string command)
        {
            Send(new IrcMessage(null, ServerName, "FAIL", new[] { command.Length == 0 ? "*" : command, "INVALID_UTF8", "Message rejected: this server takes UTF-8 only" }));
            ReportRejected("line refused: not UTF-8");
        }

        /// <summary>A standard reply <c>FAIL command code [parameters] :description</c>.</summary>
        private IrcMessage FailLine(string command, string[] codeAndParameters)
        {
            // Echoed names and keys may be empty or hold spaces (sent as a trailing parameter): "*" then.
            var all = new string[codeAndParameters.Length + 1];
            all[0] = command;
            for (int i = 0; i < codeAndParameters.Length; i++)
            {
                bool middle = i < codeAndParameters.Length - 1;
                all[i + 1] = middle && IrcMessage.NeedsTrailing(codeAndParameters[i]) ? "*" : codeAndParameters[i];
            }

            return new IrcMessage(null, ServerName, "FAIL", all);
        }
    }
}
