using System;
using System.Collections.Generic;
using System.Linq;

namespace PSChat.Engine.Irc
{
    /// <summary>
    /// HELP and HELPOP (Modern IRC): 704, 705 lines and 706 about a command, or the list of commands
    /// without a subject; 524 for a subject the server has no help on. LINKS: the end of an empty list.
    /// </summary>
    internal sealed partial class IrcMember
    {
        /// <summary>One line on how to use each command that has more than its name to say.</summary>
        private static readonly Dictionary<string, string> HelpTexts = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["AWAY"] = "AWAY [:message] marks you away with a message, or back without one.",
            ["CAP"] = "CAP LS [302] | REQ :caps | LIST | END negotiates IRCv3 capabilities.",
            ["CHATHISTORY"] = "CHATHISTORY LATEST|BEFORE|AFTER|AROUND|BETWEEN|TARGETS <target> ... replays a channel's messages.",
            ["INVITE"] = "INVITE <nick> <channel> lets a user into an invite-only channel; INVITE alone lists your invitations.",
            ["JOIN"] = "JOIN <channel>[,<channel>...] [<key>,...] joins channels; JOIN 0 leaves them all.",
            ["KICK"] = "KICK <channel> <nick> [:reason] removes a user from a channel (channel operators).",
            ["KILL"] = "KILL <nick> :reason disconnects a user (IRC operators).",
            ["LIST"] = "LIST [<channel>,...] lists channels with their member counts and topics.",
            ["MARKREAD"] = "MARKREAD <target> [timestamp=<time>] reads or moves your read marker.",
            ["METADATA"] = "METADATA <target> GET|LIST|SET|CLEAR|SUB|UNSUB|SUBS|SYNC ... reads and sets metadata.",
            ["MODE"] = "MODE <channel|nick> [modes [parameters]] shows or changes modes.",
            ["MONITOR"] = "MONITOR +|- <nick>,... | C | L | S watches nicks coming and going.",
            ["NAMES"] = "NAMES <channel> lists a channel's members.",
            ["NICK"] = "NICK <nick> sets or changes your nick.",
            ["NOTICE"] = "NOTICE <target> :text sends a notice (never answered automatically).",
            ["OPER"] = "OPER <name> <password> makes you an IRC operator.",
            ["PART"] = "PART <channel>[,<channel>...] [:reason] leaves channels.",
            ["PRIVMSG"] = "PRIVMSG <target>[,<target>...] :text sends a message to channels or nicks (@#chan: its operators).",
            ["QUIT"] = "QUIT [:reason] disconnects.",
            ["SETNAME"] = "SETNAME :real name changes your real name.",
            ["TAGMSG"] = "TAGMSG <target> sends only message tags (reactions, typing).",
            ["TOPIC"] = "TOPIC <channel> [:topic] shows or sets a channel's topic.",
            ["WALLOPS"] = "WALLOPS :text reaches users with mode +w (IRC operators).",
            ["WHO"] = "WHO <mask> [%fields[,token]] lists users (WHOX with %fields).",
            ["WHOIS"] = "WHOIS <nick>[,<nick>...] tells about users.",
            ["WHOWAS"] = "WHOWAS <nick> [count] tells about users that had a nick.",
        };

        private static void AddHelpCommands(Dictionary<string, Command> table)
        {
            table["HELP"] = new Command((m, msg) => m.OnHelp(msg), 0);
            table["HELPOP"] = new Command((m, msg) => m.OnHelp(msg), 0);
            // A single server with no links: only the end of the list (as servers that hide their links answer).
            table["LINKS"] = new Command((m, msg) => m.Reply(Numerics.RPL_ENDOFLINKS, msg.Parameters.Count > 0 ? msg.Parameters[msg.Parameters.Count - 1] : "*", "End of /LINKS list"), 0);
        }

        private void OnHelp(IrcMessage message)
        {
            string? asked = message[0];
            if (string.IsNullOrEmpty(asked))
            {
                const string subject = "index";
                Reply(Numerics.RPL_HELPSTART, subject, "PSChat knows these commands (HELP <command> tells more):");
                BeginLongReply();
                ReplySplit(Numerics.RPL_HELPTXT, new[] { subject }, Commands.Keys.OrderBy(k => k, StringComparer.Ordinal));
                EndLongReply("HELP", Numerics.RPL_ENDOFHELP, subject, "End of /HELP");
                return;
            }

            string command = asked!.ToUpperInvariant();
            if (!Commands.ContainsKey(command))
            {
                Reply(Numerics.ERR_HELPNOTFOUND, asked, "No help available on this topic");
                return;
            }

            Reply(Numerics.RPL_HELPSTART, command, HelpTexts.TryGetValue(command, out var text) ? text : command + ": see RFC 2812 or the IRCv3 specifications.");
            Reply(Numerics.RPL_ENDOFHELP, command, "End of /HELP");
        }
    }
}
