using System;
using System.Collections.Generic;
using System.Linq;
using PSChat.Engine.Rooms;

namespace PSChat.Engine.Irc
{
    /// <summary>
    /// IRCv3 extensions: away-notify, invite-notify, setname, userhost-in-names, the bot tag, and MONITOR.
    /// </summary>
    internal sealed partial class IrcMember
    {
        /// <summary>The longest real name SETNAME takes (NAMELEN), as long as an away message.</summary>
        public const int RealNameLength = 390;

        /// <summary>The nicks this client monitors (folded); its lock guards it.</summary>
        private readonly HashSet<string> monitored = new HashSet<string>(StringComparer.Ordinal);

        private static void AddIrcv3Commands(Dictionary<string, Command> table)
        {
            table["SETNAME"] = new Command((m, msg) => m.OnSetName(msg), 1);
            table["MONITOR"] = new Command((m, msg) => m.OnMonitor(msg), 1);
        }

        /// <summary>
        /// A line about this member for every member sharing a channel with it that has <paramref name="capability"/>
        /// (once each), and for this member too when <paramref name="includeSelf"/> and it has the capability.
        /// extended-monitor: clients that MONITOR this nick and asked for both get it too.
        /// </summary>
        private void NotifyNeighbours(Capability capability, IrcMessage message, bool includeSelf)
        {
            byte[]? line = null;
            var seen = new HashSet<ChatMember> { this };
            if (includeSelf && Has(capability)) Send(message);
            foreach (var room in Rooms)
            {
                foreach (var member in room.Members)
                {
                    if (seen.Add(member) && member is IrcMember irc && irc.IsRegistered && irc.Has(capability))
                    {
                        irc.Connection.Send(line ??= message.ToBoundedBytes());
                    }
                }
            }

            foreach (var watcher in server.Monitors.Watchers(Nick))
            {
                if (seen.Add(watcher) && watcher.IsRegistered && watcher.Has(capability | Capability.ExtendedMonitor))
                {
                    watcher.Connection.Send(line ??= message.ToBoundedBytes());
                }
            }
        }

        /// <summary>away-notify: AWAY (with the text, or without when back) to neighbours that asked for it.</summary>
        private void NotifyAway() =>
            NotifyNeighbours(Capability.AwayNotify, new IrcMessage(null, Identity.Prefix, "AWAY", AwayMessage == null ? Array.Empty<string>() : new[] { AwayMessage }), includeSelf: false);

        /// <summary>away-notify: whoever joins while away is followed by its AWAY, for members that asked for it.</summary>
        private void AnnounceAwayOnJoin(ChatRoom room)
        {
            if (AwayMessage == null) return;
            byte[]? line = null;
            foreach (var member in room.Members)
            {
                if (!ReferenceEquals(member, this) && member is IrcMember irc && irc.Has(Capability.AwayNotify))
                {
                    irc.Connection.Send(line ??= new IrcMessage(null, Identity.Prefix, "AWAY", new[] { AwayMessage }).ToBoundedBytes());
                }
            }
        }

        /// <summary>invite-notify: the channel's other members that asked for it see the INVITE too.</summary>
        private void NotifyInvite(ChatRoom room, ChatMember target)
        {
            byte[]? line = null;
            foreach (var member in room.Members)
            {
                if (!ReferenceEquals(member, this) && !ReferenceEquals(member, target) && member is IrcMember irc && irc.Has(Capability.InviteNotify))
                {
                    irc.Connection.Send(line ??= new IrcMessage(null, Identity.Prefix, "INVITE", new[] { target.Nick, room.Name }).ToBoundedBytes());
                }
            }
        }

        /// <summary>SETNAME :real name, at most <see cref="RealNameLength"/> characters.</summary>
        private void OnSetName(IrcMessage message)
        {
            string name = message.Parameters[0];
            if (name.Length == 0 || name.Length > RealNameLength)
            {
                Send(new IrcMessage(null, ServerName, "FAIL", new[] { "SETNAME", "INVALID_REALNAME", $"Real name must be 1 to {RealNameLength} characters" }));
                return;
            }

            RealName = name;
            NotifyNeighbours(Capability.SetName, new IrcMessage(null, Identity.Prefix, "SETNAME", new[] { name }), includeSelf: true);
        }

        /// <summary>The name a NAMES entry shows: nick!user@host for userhost-in-names.</summary>
        private string NamesEntry(ChatMember member) => Has(Capability.UserhostInNames) ? member.Identity.Prefix : member.Nick;

        /// <summary>The bot tag on what a +B client says (sent only to clients with message-tags, as client tags are).</summary>
        private string? WithBotTag(string? clientTags) => !IsBot ? clientTags : clientTags == null ? "bot" : "bot;" + clientTags;

        /// <summary>MONITOR + targets, - targets, C, L, S.</summary>
        private void OnMonitor(IrcMessage message)
        {
            string sub = message.Parameters[0];
            string[] targets = message[1] is string list ? SplitList(list) : Array.Empty<string>();
            switch (sub)
            {
                case "+":
                    MonitorAdd(targets);
                    break;
                case "-":
                    foreach (string nick in targets)
                    {
                        string folded = CaseMapping.Fold(nick);
                        bool removed;
                        lock (monitored) removed = monitored.Remove(folded);
                        if (removed) server.Monitors.Remove(this, folded);
                    }

                    break;
                case "C":
                case "c":
                    StopMonitoring();
                    break;
                case "L":
                case "l":
                    string[] all;
                    lock (monitored) all = monitored.ToArray();
                    BeginLongReply();
                    ReplySplit(Numerics.RPL_MONLIST, Array.Empty<string>(), all, separator: ",");
                    EndLongReply("MONITOR", Numerics.RPL_ENDOFMONLIST, "End of MONITOR list");
                    break;
                case "S":
                case "s":
                    string[] watched;
                    lock (monitored) watched = monitored.ToArray();
                    ReportMonitored(watched);
                    break;
                default:
                    Reply(Numerics.ERR_UNKNOWNCOMMAND, "MONITOR", "Unknown MONITOR subcommand");
                    break;
            }
        }

        private void MonitorAdd(string[] targets)
        {
            int max = server.Options.MaxMonitorEntries;
            var added = new List<string>();
            for (int i = 0; i < targets.Length; i++)
            {
                string nick = targets[i];
                if (!IrcNames.IsValidNick(nick)) continue;
                string folded = CaseMapping.Fold(nick);
                bool full;
                bool fresh = false;
                lock (monitored)
                {
                    full = !monitored.Contains(folded) && monitored.Count >= max;
                    if (!full) fresh = monitored.Add(folded);
                }

                if (full)
                {
                    Reply(Numerics.ERR_MONLISTFULL, max.ToString(System.Globalization.CultureInfo.InvariantCulture), string.Join(",", targets.Skip(i)), "Monitor list is full");
                    ReportLimit(nameof(ChatServerOptions.MaxMonitorEntries), $"MONITOR list over {max} nicks");
                    break;
                }

                if (fresh) server.Monitors.Add(this, folded);
                added.Add(nick);
            }

            ReportMonitored(added);
        }

        /// <summary>730 for the nicks online (nick!user@host), 731 for the others.</summary>
        private void ReportMonitored(IEnumerable<string> nicks)
        {
            var online = new List<string>();
            var offline = new List<string>();
            foreach (string nick in nicks)
            {
                var member = FindVisibleMember(nick);
                if (member != null) online.Add(member.Identity.Prefix);
                else offline.Add(nick);
            }

            if (online.Count > 0) ReplySplit(Numerics.RPL_MONONLINE, Array.Empty<string>(), online, separator: ",");
            if (offline.Count > 0) ReplySplit(Numerics.RPL_MONOFFLINE, Array.Empty<string>(), offline, separator: ",");
        }

        /// <summary>Called by the server's monitor table when a watched nick comes (730) or goes (731).</summary>
        public void MonitoredChange(MemberIdentity who, bool online)
        {
            if (online) Reply(Numerics.RPL_MONONLINE, who.Prefix);
            else Reply(Numerics.RPL_MONOFFLINE, who.Nick);
        }

        /// <summary>Empties this client's MONITOR list (MONITOR C, and when it leaves).</summary>
        private void StopMonitoring()
        {
            string[] all;
            lock (monitored)
            {
                all = monitored.ToArray();
                monitored.Clear();
            }

            foreach (string folded in all) server.Monitors.Remove(this, folded);
        }
    }
}
