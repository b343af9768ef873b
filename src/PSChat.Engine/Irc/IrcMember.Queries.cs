using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using PSChat.Engine.Rooms;
using PSChat.Engine.Text;

namespace PSChat.Engine.Irc
{
    /// <summary>Questions about users and the server: WHO, WHOIS, LUSERS, MOTD, VERSION, TIME, ADMIN, INFO.</summary>
    internal sealed partial class IrcMember
    {
        private static void AddQueryCommands(Dictionary<string, Command> table)
        {
            table["WHO"] = new Command((m, msg) => m.OnWho(msg), 0);
            table["WHOIS"] = new Command((m, msg) => m.OnWhois(msg), 0);
            table["LUSERS"] = new Command((m, msg) => m.SendLusers(), 0);
            table["MOTD"] = new Command((m, msg) => m.SendMotd(), 0);
            table["ISON"] = new Command((m, msg) => m.OnIson(msg), 1);
            table["USERHOST"] = new Command((m, msg) => m.OnUserhost(msg), 1);
            table["VERSION"] = new Command((m, msg) => m.AboutServer(msg, () => m.Reply(Numerics.RPL_VERSION, Version + ".", m.ServerName, "PSChat, a PowerShell chat module")), 0);
            table["TIME"] = new Command((m, msg) => m.AboutServer(msg, () => m.Reply(Numerics.RPL_TIME, m.ServerName, DateTimeOffset.Now.ToString("dddd MMMM dd yyyy -- HH:mm:ss zzz", CultureInfo.InvariantCulture))), 0);
            table["ADMIN"] = new Command((m, msg) => m.AboutServer(msg, () => m.Reply(Numerics.ERR_NOADMININFO, m.ServerName, "No administrative info available")), 0);
            table["INFO"] = new Command((m, msg) => m.AboutServer(msg, m.SendInfo), 0);
        }

        /// <summary>Answers a question about this server; one about another server gets 402 (there is no other).</summary>
        private void AboutServer(IrcMessage message, Action answer)
        {
            if (message[0] is string target && target.Length > 0 && !IrcNames.MatchesMask(target, ServerName))
            {
                Reply(Numerics.ERR_NOSUCHSERVER, target, "No such server");
                return;
            }

            answer();
        }

        private void SendInfo()
        {
            Reply(Numerics.RPL_INFO, $"{Version}: chat rooms for PowerShell, plain text and IRC on one port.");
            Reply(Numerics.RPL_INFO, $"Serving since {server.StartTime.ToString("yyyy-MM-dd HH:mm:ss zzz", CultureInfo.InvariantCulture)}.");
            Reply(Numerics.RPL_ENDOFINFO, "End of INFO list");
        }

        /// <summary>Which of the nicks are online, as the server spells them (several per parameter allowed).</summary>
        private void OnIson(IrcMessage message)
        {
            var online = message.Parameters
                .SelectMany(p => p.Split(new[] { ' ' }, StringSplitOptions.RemoveEmptyEntries))
                .Select(FindVisibleMember)
                .Where(m => m != null)
                .Select(m => m!.Nick);
            Reply(Numerics.RPL_ISON, string.Join(" ", online));
        }

        /// <summary>nick=+user@host (or '-' when away) for up to five nicks.</summary>
        private void OnUserhost(IrcMessage message)
        {
            var replies = message.Parameters.Take(5)
                .Select(FindVisibleMember)
                .Where(m => m != null)
                .Select(m => m!.Nick + "=" + (m.AwayMessage == null ? "+" : "-") + m.Identity.User + "@" + m.Identity.Host);
            Reply(Numerics.RPL_USERHOST, string.Join(" ", replies));
        }

        private void OnWho(IrcMessage message)
        {
            string mask = message[0] is string m && m.Length > 0 ? m : "*";
            bool all = Has(Capability.MultiPrefix);
            var whox = WhoxQuery.Parse(message[1]);
            BeginLongReply();
            if (IrcNames.IsChannel(mask))
            {
                if (server.FindRoom(mask) is ChatRoom room && CanSee(room))
                {
                    foreach (var member in room.Members.Where(IsVisible))
                    {
                        if (!SendWhoReply(whox, room.Name, member, IrcModes.Prefix(room.GetStatus(member), all))) break;
                    }
                }
            }
            else
            {
                bool wildcard = mask.IndexOfAny(new[] { '*', '?' }) >= 0;
                foreach (var member in server.Members.Where(x => IsVisible(x) && IrcNames.MatchesMask(mask, x.Nick)))
                {
                    // A mask finds an invisible user only for someone who shares a channel with it.
                    if (wildcard && member is IrcMember { Invisible: true } && !ReferenceEquals(member, this) && !member.Rooms.Any(r => r.Contains(this))) continue;
                    var shared = member.Rooms.FirstOrDefault(CanSee);
                    if (!SendWhoReply(whox, shared?.Name ?? "*", member, shared == null ? string.Empty : IrcModes.Prefix(shared.GetStatus(member), all))) break;
                }
            }

            EndLongReply("WHO", Numerics.RPL_ENDOFWHO, mask, "End of WHO list");
        }

        private bool SendWhoReply(WhoxQuery? whox, string channel, ChatMember member, string prefix)
        {
            if (whox != null) return SendWhoxReply(whox, channel, member, prefix);
            string flags = (member.AwayMessage == null ? "H" : "G") + UserFlags(member) + prefix;
            var who = member.Identity;
            return ReplyPart(Numerics.RPL_WHOREPLY, channel, who.User, who.Host, ServerName, who.Nick, flags, "0 " + member.RealName);
        }

        private void OnWhois(IrcMessage message)
        {
            if (message.Parameters.Count == 0)
            {
                Reply(Numerics.ERR_NONICKNAMEGIVEN, "No nickname given");
                return;
            }

            // "WHOIS server nick" asks a given server; there is only this one.
            string nicks = message.Parameters[message.Parameters.Count - 1];
            BeginLongReply();
            foreach (string nick in TargetsOf(nicks, "WHOIS", errors: true))
            {
                var member = FindVisibleMember(nick);
                if (member == null)
                {
                    Reply(Numerics.ERR_NOSUCHNICK, nick, "No such nick/channel");
                    continue;
                }

                var who = member.Identity;
                if (!ReplyPart(Numerics.RPL_WHOISUSER, who.Nick, who.User, who.Host, "*", member.RealName)) break;
                bool all = Has(Capability.MultiPrefix);
                // An invisible user's channels show only to that user and to those who share them.
                bool hidden = member is IrcMember { Invisible: true } && !ReferenceEquals(member, this);
                var channels = member.Rooms
                    .Where(r => (!hidden || r.Contains(this)) && CanSee(r))
                    .Select(r => IrcModes.Prefix(r.GetStatus(member), all) + r.Name);
                if (!ReplySplit(Numerics.RPL_WHOISCHANNELS, new[] { who.Nick }, channels)) break;
                Reply(Numerics.RPL_WHOISSERVER, who.Nick, ServerName, server.Options.NetworkName + " chat server");
                if (member.AwayMessage != null) Reply(Numerics.RPL_AWAY, who.Nick, member.AwayMessage);
                if (member.Account != null) Reply(Numerics.RPL_WHOISACCOUNT, who.Nick, member.Account, "is logged in as");
                if (member is IrcMember { IsOperator: true }) Reply(Numerics.RPL_WHOISOPERATOR, who.Nick, "is an IRC operator");
                if (member is IrcMember { IsBot: true }) Reply(Numerics.RPL_WHOISBOT, who.Nick, "is a bot on " + server.Options.NetworkName);
                ReplyWhoisMetadata(member);
                // A plain text member's messages are not timed: its idle time counts from its signon.
                var idle = member is IrcMember irc ? irc.Idle : DateTime.UtcNow - member.ConnectedAt;
                Reply(
                    Numerics.RPL_WHOISIDLE,
                    who.Nick,
                    ((long)idle.TotalSeconds).ToString(CultureInfo.InvariantCulture),
                    UnixTime(member.ConnectedAt),
                    "seconds idle, signon time");
            }

            EndLongReply("WHOIS", Numerics.RPL_ENDOFWHOIS, nicks, "End of /WHOIS list");
        }

        private void SendLusers()
        {
            var members = server.Members.Where(IsVisible).ToArray();
            int invisible = members.Count(m => m is IrcMember { Invisible: true });
            string users = members.Length.ToString(CultureInfo.InvariantCulture);
            string max = protocol.CountUsers(members.Length).ToString(CultureInfo.InvariantCulture);
            Reply(Numerics.RPL_LUSERCLIENT, $"There are {members.Length - invisible} users and {invisible} invisible on 1 servers");
            // Counted as LIST shows them: the default room waiting empty for text clients is not a formed channel.
            int channels = server.RoomObjects.Count(r => VisibleCount(r) > 0);
            Reply(Numerics.RPL_LUSERCHANNELS, channels.ToString(CultureInfo.InvariantCulture), "channels formed");
            Reply(Numerics.RPL_LUSERME, $"I have {members.Length} clients and 0 servers");
            Reply(Numerics.RPL_LOCALUSERS, users, max, $"Current local users {users}, max {max}");
            Reply(Numerics.RPL_GLOBALUSERS, users, max, $"Current global users {users}, max {max}");
        }

        private void SendMotd()
        {
            var motd = server.Options.Motd;
            if (motd.Length == 0)
            {
                Reply(Numerics.ERR_NOMOTD, "MOTD File is missing");
                return;
            }

            Reply(Numerics.RPL_MOTDSTART, $"- {ServerName} Message of the day - ");
            foreach (string line in motd) Reply(Numerics.RPL_MOTD, "- " + TextRules.StripControls(line));
            Reply(Numerics.RPL_ENDOFMOTD, "End of /MOTD command.");
        }
    }
}
