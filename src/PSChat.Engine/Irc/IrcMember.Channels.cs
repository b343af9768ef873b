using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using PSChat.Engine.Rooms;

namespace PSChat.Engine.Irc
{
    /// <summary>Channel membership and channel state: JOIN, PART, TOPIC, KICK, INVITE, NAMES, LIST.</summary>
    internal sealed partial class IrcMember
    {
        private static void AddChannelCommands(Dictionary<string, Command> table)
        {
            table["JOIN"] = new Command((m, msg) => m.OnJoin(msg), 1);
            table["PART"] = new Command((m, msg) => m.OnPart(msg), 1);
            table["TOPIC"] = new Command((m, msg) => m.OnTopic(msg), 1);
            table["KICK"] = new Command((m, msg) => m.OnKick(msg), 2);
            table["INVITE"] = new Command((m, msg) => m.OnInvite(msg), 0);
            table["NAMES"] = new Command((m, msg) => m.OnNames(msg), 0);
            table["LIST"] = new Command((m, msg) => m.OnList(msg), 0);
        }

        /// <summary>A comma-separated list of targets; a single one (every chat line) is not split.</summary>
        private static string[] SplitList(string list) =>
            list.Length > 0 && list.IndexOf(',') < 0 ? new[] { list } : list.Split(ListSeparator, StringSplitOptions.RemoveEmptyEntries);

        private static readonly char[] ListSeparator = { ',' };

        private void OnJoin(IrcMessage message)
        {
            if (message.Parameters[0] == "0")
            {
                foreach (var room in Rooms) LeaveRoom(room, RoomEventKind.Part, string.Empty);
                return;
            }

            // Keys pair with the names as given; a name given twice is joined once.
            string[] names = SplitList(message.Parameters[0]);
            string[] keys = message[1] is string k ? k.Split(',') : new string[0];
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (int i = 0; i < names.Length; i++)
            {
                if (!seen.Add(CaseMapping.Fold(names[i]))) continue;
                if (!JoinOne(names[i], i < keys.Length ? keys[i] : null)) return;
            }
        }

        /// <summary>Joins one channel; false when a channel limit refused it (405), which ends the JOIN.</summary>
        private bool JoinOne(string name, string? key)
        {
            if (!IrcNames.IsValidChannel(name))
            {
                Reply(Numerics.ERR_NOSUCHCHANNEL, name, "No such channel");
                return true;
            }

            int limit = server.Options.MaxChannelsPerClient;
            if (RoomCount >= limit && server.FindRoom(name) is var existing && (existing == null || !existing.Contains(this)))
            {
                Reply(Numerics.ERR_TOOMANYCHANNELS, name, $"You have joined too many channels (at most {limit})");
                ReportLimit(nameof(ChatServerOptions.MaxChannelsPerClient), $"tried to join more than {limit} channels");
                return false;
            }

            string folded = CaseMapping.Fold(Nick);
            var room = server.Enter(name, this, candidate => Admits(candidate, folded, key), out bool serverFull);
            if (serverFull)
            {
                Reply(Numerics.ERR_TOOMANYCHANNELS, name, $"The server has too many channels (at most {server.Options.MaxRooms})");
                ReportLimit(nameof(ChatServerOptions.MaxRooms), $"the server has {server.Options.MaxRooms} rooms");
                return false;
            }

            if (room == null) return true;
            protocol.ChannelOf(room).UseInvitation(folded);
            room.Broadcast(new RoomEvent(RoomEventKind.Join, room, Identity, RealName), null); // the real name, for extended-join
            AnnounceAwayOnJoin(room);
            if (room.Topic != null) SendTopic(room);
            AnnounceReadMarker(room);
            SendNames(room);
            SyncMetadataOnJoin(room);
            server.Raise(PSChat.ServerEventKind.Joined, e => Describe(e, room));
            return true;
        }

        /// <summary>Whether +b, +k, +l and +i let this member in; replies 474, 475, 471 or 473 when not.</summary>
        private bool Admits(ChatRoom room, string folded, string? key)
        {
            var channel = protocol.ChannelOf(room);
            bool invited = channel.IsInvited(folded);
            if (!invited && channel.IsBanned(this))
            {
                Reply(Numerics.ERR_BANNEDFROMCHAN, room.Name, "Cannot join channel (+b)");
                return false;
            }

            if (channel.Key != null && key != channel.Key && !invited)
            {
                Reply(Numerics.ERR_BADCHANNELKEY, room.Name, "Cannot join channel (+k)");
                return false;
            }

            if (channel.Limit > 0 && VisibleCount(room) >= channel.Limit && !invited)
            {
                Reply(Numerics.ERR_CHANNELISFULL, room.Name, "Cannot join channel (+l)");
                return false;
            }

            if (channel.InviteOnly && !invited && !channel.IsInviteExcepted(this))
            {
                Reply(Numerics.ERR_INVITEONLYCHAN, room.Name, "Cannot join channel (+i)");
                return false;
            }

            return true;
        }

        private void OnPart(IrcMessage message)
        {
            string reason = message[1] ?? string.Empty;
            foreach (string name in DistinctNames(message.Parameters[0]))
            {
                if (FindJoinedRoom(name) is ChatRoom room) LeaveRoom(room, RoomEventKind.Part, reason);
            }
        }

        /// <summary>
        /// Removes this member and then announces it to the room and to the member. The removal decides:
        /// a KICK racing this PART announces the departure instead, once.
        /// </summary>
        private void LeaveRoom(ChatRoom room, RoomEventKind kind, string reason)
        {
            if (!room.Remove(this)) return;
            var departure = new RoomEvent(kind, room, Identity, reason);
            room.Broadcast(departure, null);
            Deliver(departure);
            server.RemoveRoomIfEmpty(room);
            server.Raise(PSChat.ServerEventKind.Left, e =>
            {
                Describe(e, room);
                e.Reason = reason;
            });
        }

        /// <summary>The room, when it exists and this member is in it; otherwise replies 403 or 442.</summary>
        private ChatRoom? FindJoinedRoom(string name)
        {
            var room = server.FindRoom(name);
            if (room == null)
            {
                Reply(Numerics.ERR_NOSUCHCHANNEL, name, "No such channel");
                return null;
            }

            if (!room.Contains(this))
            {
                Reply(Numerics.ERR_NOTONCHANNEL, room.Name, "You're not on that channel");
                return null;
            }

            return room;
        }

        /// <summary>Like <see cref="FindJoinedRoom"/>, and this member must be the room's operator (482).</summary>
        private ChatRoom? FindOperatedRoom(string name)
        {
            var room = FindJoinedRoom(name);
            if (room != null && (room.GetStatus(this) & MemberStatus.Operator) == 0)
            {
                Reply(Numerics.ERR_CHANOPRIVSNEEDED, room.Name, "You're not channel operator");
                return null;
            }

            return room;
        }

        private void OnTopic(IrcMessage message)
        {
            string name = message.Parameters[0];
            if (message.Parameters.Count < 2)
            {
                if (FindJoinedRoom(name) is ChatRoom shown)
                {
                    if (shown.Topic == null) Reply(Numerics.RPL_NOTOPIC, shown.Name, "No topic is set");
                    else SendTopic(shown);
                }

                return;
            }

            var room = FindJoinedRoom(name);
            if (room == null) return;
            if (protocol.ChannelOf(room).TopicLocked && (room.GetStatus(this) & MemberStatus.Operator) == 0)
            {
                Reply(Numerics.ERR_CHANOPRIVSNEEDED, room.Name, "You're not channel operator");
                return;
            }

            string topic = IrcNames.Truncate(message.Parameters[1], IrcNames.TopicLength);
            room.Topic = topic.Length == 0 ? null : topic;
            room.TopicSetBy = Nick;
            room.TopicSetAt = DateTime.UtcNow;
            room.Broadcast(new RoomEvent(RoomEventKind.Topic, room, Identity, topic), null);
        }

        private void SendTopic(ChatRoom room)
        {
            Reply(Numerics.RPL_TOPIC, room.Name, room.Topic ?? string.Empty);
            Reply(Numerics.RPL_TOPICWHOTIME, room.Name, room.TopicSetBy ?? ServerName, UnixTime(room.TopicSetAt));
        }

        /// <summary>
        /// One channel with a list of users, or (RFC 2812) as many channels as users, paired in order.
        /// Each kick goes out as its own KICK line, which RFC 2812 requires for older clients.
        /// </summary>
        private void OnKick(IrcMessage message)
        {
            string[] channels = SplitList(message.Parameters[0]);
            string[] nicks = SplitList(message.Parameters[1]);
            if (channels.Length == 0 || nicks.Length == 0 || (channels.Length > 1 && channels.Length != nicks.Length))
            {
                Reply(Numerics.ERR_NEEDMOREPARAMS, "KICK", "Not enough parameters");
                return;
            }

            int max = server.Options.MaxTargets;
            if (nicks.Length > max)
            {
                Reply(Numerics.ERR_TOOMANYTARGETS, nicks[max], $"Too many targets: at most {max} per KICK; the rest were not kicked");
                ReportLimit(nameof(ChatServerOptions.MaxTargets), $"KICK named more than {max} targets");
                nicks = nicks.Take(max).ToArray();
                if (channels.Length > 1) channels = channels.Take(max).ToArray();
            }

            string reason = IrcNames.Truncate(message[2] is string r && r.Length > 0 ? r : Nick, IrcNames.KickLength);
            if (channels.Length == 1)
            {
                // One channel is checked once: a refused KICK of several users draws one error, not one per user.
                if (FindOperatedRoom(channels[0]) is ChatRoom only)
                {
                    foreach (string nick in nicks) KickOne(only, nick, reason);
                }

                return;
            }

            for (int i = 0; i < nicks.Length; i++)
            {
                if (FindOperatedRoom(channels[i]) is ChatRoom room) KickOne(room, nicks[i], reason);
            }
        }

        private void KickOne(ChatRoom room, string nick, string reason)
        {
            var target = FindVisibleMember(nick);
            if (target == null || !room.Contains(target))
            {
                Reply(Numerics.ERR_USERNOTINCHANNEL, nick, room.Name, "They aren't on that channel");
                return;
            }

            // The removal decides, as for PART: a target that left meanwhile is not kicked twice.
            if (!room.Remove(target))
            {
                Reply(Numerics.ERR_USERNOTINCHANNEL, nick, room.Name, "They aren't on that channel");
                return;
            }

            var kick = new RoomEvent(RoomEventKind.Kick, room, Identity, reason) { Target = target.Nick };
            room.Broadcast(kick, null);
            target.Deliver(kick);
            server.RemoveRoomIfEmpty(room);
        }

        private void OnInvite(IrcMessage message)
        {
            if (message.Parameters.Count == 0)
            {
                ListInvitations();
                return;
            }

            if (message.Parameters.Count < 2)
            {
                Reply(Numerics.ERR_NEEDMOREPARAMS, message.Command, "Not enough parameters");
                return;
            }

            string nick = message.Parameters[0];
            string channel = message.Parameters[1];
            var target = FindVisibleMember(nick);
            if (target == null)
            {
                Reply(Numerics.ERR_NOSUCHNICK, nick, "No such nick/channel");
                return;
            }

            var room = server.FindRoom(channel);
            if (room == null)
            {
                Reply(Numerics.ERR_NOSUCHCHANNEL, channel, "No such channel");
                return;
            }

            room = protocol.ChannelOf(room).InviteOnly ? FindOperatedRoom(channel) : FindJoinedRoom(channel);
            if (room == null) return;
            if (room.Contains(target))
            {
                Reply(Numerics.ERR_USERONCHANNEL, target.Nick, room.Name, "is already on channel");
                return;
            }

            protocol.ChannelOf(room).Invite(CaseMapping.Fold(target.Nick));
            Reply(Numerics.RPL_INVITING, target.Nick, room.Name);
            if (target is IrcMember invitee) invitee.Send(new IrcMessage(AccountTagFor(invitee), Identity.Prefix, "INVITE", new[] { target.Nick, room.Name }));
            NotifyInvite(room, target);
            if (target.AwayMessage != null) Reply(Numerics.RPL_AWAY, target.Nick, target.AwayMessage);
        }

        private void OnNames(IrcMessage message)
        {
            if (message.Parameters.Count == 0)
            {
                Reply(Numerics.RPL_ENDOFNAMES, "*", "End of /NAMES list");
                return;
            }

            // One 366 closes the whole request and echoes the list as given (irctest testNamesMultipleChannels).
            BeginLongReply();
            foreach (string name in TargetsOf(message.Parameters[0], "NAMES", errors: true))
            {
                if (server.FindRoom(name) is ChatRoom room && CanSee(room) && !SendNameReplies(room)) break;
            }

            EndLongReply("NAMES", Numerics.RPL_ENDOFNAMES, message.Parameters[0], "End of /NAMES list");
        }

        private void SendNames(ChatRoom room)
        {
            BeginLongReply();
            SendNameReplies(room);
            EndLongReply("NAMES", Numerics.RPL_ENDOFNAMES, room.Name, "End of /NAMES list");
        }

        /// <summary>353 lines, each within 512 bytes; false once the reply was cut.</summary>
        private bool SendNameReplies(ChatRoom room)
        {
            bool all = Has(Capability.MultiPrefix);
            var entries = room.Members.Where(IsVisible).Select(m => IrcModes.Prefix(room.GetStatus(m), all) + NamesEntry(m));
            // RFC 2812: '@' marks a secret channel, '=' a public one.
            return ReplySplit(Numerics.RPL_NAMREPLY, new[] { protocol.ChannelOf(room).Secret ? "@" : "=", room.Name }, entries);
        }

        /// <summary>
        /// Rooms in the server's table order, not sorted: sorting would visit every room for every LIST,
        /// and a reply cut short by the send queue stops the walk where it is cut.
        /// </summary>
        private void OnList(IrcMessage message)
        {
            string? asked = message.Parameters.Count > 0 && message.Parameters[0].Length > 0 ? message.Parameters[0] : null;
            // A search (ELIST) walks every room, so it takes at most MaxTargets conditions.
            var filter = asked == null ? null : ChannelListFilter.Parse(SplitList(asked));
            if (filter != null) filter = ChannelListFilter.Parse(TargetsOf(asked!, "LIST", errors: true));
            IEnumerable<ChatRoom> rooms = asked != null && filter == null
                ? DistinctNames(asked).Select(server.FindRoom).Where(r => r != null && CanSee(r)).Select(r => r!)
                : server.RoomObjects.Where(r => VisibleCount(r) is int users && users > 0 && CanSee(r) && (filter == null || filter.Admits(r.Name, users)));
            BeginLongReply();
            if (ReplyPart(Numerics.RPL_LISTSTART, "Channel", "Users  Name"))
            {
                foreach (var room in rooms)
                {
                    if (!ReplyPart(Numerics.RPL_LIST, room.Name, VisibleCount(room).ToString(CultureInfo.InvariantCulture), room.Topic ?? string.Empty)) break;
                }
            }

            EndLongReply("LIST", Numerics.RPL_LISTEND, "End of /LIST");
        }

        /// <summary>A secret channel (+s) shows in LIST, NAMES, WHO and WHOIS only to its members.</summary>
        private bool CanSee(ChatRoom room) => !protocol.ChannelOf(room).Secret || room.Contains(this);

        internal static int VisibleCount(ChatRoom room) => room.Members.Count(IsVisible);

        private static string UnixTime(DateTime time) =>
            ((long)(time.ToUniversalTime() - new DateTime(1970, 1, 1, 0, 0, 0, DateTimeKind.Utc)).TotalSeconds).ToString(CultureInfo.InvariantCulture);
    }
}
