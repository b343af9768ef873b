using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using PSChat.Engine.Rooms;

namespace PSChat.Engine.Irc
{
    /// <summary>MODE for channels (i k l m n t o v) and for the user itself (i).</summary>
    internal sealed partial class IrcMember
    {
        private static void AddModeCommands(Dictionary<string, Command> table)
        {
            table["MODE"] = new Command((m, msg) => m.OnMode(msg), 1);
        }

        private void OnMode(IrcMessage message)
        {
            string target = message.Parameters[0];
            if (IrcNames.IsChannel(target)) OnChannelMode(message, target);
            else OnUserMode(message, target);
        }

        private void OnUserMode(IrcMessage message, string nick)
        {
            if (!CaseMapping.Equals(nick, Nick))
            {
                if (FindVisibleMember(nick) == null) Reply(Numerics.ERR_NOSUCHNICK, nick, "No such nick/channel");
                else Reply(Numerics.ERR_USERSDONTMATCH, "Cant change mode for other users");
                return;
            }

            if (message.Parameters.Count < 2)
            {
                Reply(Numerics.RPL_UMODEIS, UserModeString());
                return;
            }

            bool adding = true;
            bool unknown = false;
            var applied = new ModeChanges();
            foreach (char c in message.Parameters[1])
            {
                if (c == '+' || c == '-')
                {
                    adding = c == '+';
                }
                else if (!ApplyUserMode(c, adding, applied))
                {
                    unknown = true;
                }
            }

            if (unknown) Reply(Numerics.ERR_UMODEUNKNOWNFLAG, "Unknown MODE flag");
            if (!applied.IsEmpty) Send(new IrcMessage(null, Identity.Prefix, "MODE", new[] { Nick, applied.ToString() }));
        }

        private void OnChannelMode(IrcMessage message, string name)
        {
            var room = server.FindRoom(name);
            if (room == null)
            {
                Reply(Numerics.ERR_NOSUCHCHANNEL, name, "No such channel");
                return;
            }

            if (message.Parameters.Count < 2)
            {
                SendChannelModes(room);
                return;
            }

            string modes = message.Parameters[1];
            if (ListQueryOf(modes, message.Parameters.Count) is char listMode)
            {
                SendChannelList(room, listMode);
                return;
            }

            if (!room.Contains(this))
            {
                Reply(Numerics.ERR_NOTONCHANNEL, room.Name, "You're not on that channel");
                return;
            }

            if ((room.GetStatus(this) & MemberStatus.Operator) == 0)
            {
                Reply(Numerics.ERR_CHANOPRIVSNEEDED, room.Name, "You're not channel operator");
                return;
            }

            var applied = ApplyChannelModes(room, modes, message.Parameters);
            if (!applied.IsEmpty) room.Broadcast(new RoomEvent(RoomEventKind.Mode, room, Identity, applied.ToString()), null);
        }


        private ModeChanges ApplyChannelModes(ChatRoom room, string modes, IReadOnlyList<string> parameters)
        {
            var channel = protocol.ChannelOf(room);
            var applied = new ModeChanges();
            bool adding = true;
            int next = 2;
            foreach (char c in modes)
            {
                switch (c)
                {
                    case '+':
                    case '-':
                        adding = c == '+';
                        break;
                    case 'C':
                    case 'i':
                    case 'm':
                    case 'n':
                    case 's':
                    case 't':
                        ApplyFlag(channel, adding, c, applied);
                        break;
                    case 'b':
                    case 'e':
                    case 'I':
                        // A list mode without a mask lists it (as "MODE #c +b" alone does).
                        if (next >= parameters.Count) SendChannelList(room, c);
                        else ApplyListMode(room, channel, adding, c, parameters[next++], applied);
                        break;
                    case 'k':
                        ApplyKey(room, channel, adding, next < parameters.Count ? parameters[next++] : null, applied);
                        break;
                    case 'l':
                        if (!adding)
                        {
                            if (channel.Limit > 0) applied.Add(false, c, null);
                            channel.Limit = 0;
                        }
                        else if (next >= parameters.Count)
                        {
                            Reply(Numerics.ERR_NEEDMOREPARAMS, "MODE", "Not enough parameters");
                        }
                        else if (int.TryParse(parameters[next], NumberStyles.None, CultureInfo.InvariantCulture, out int limit) && limit > 0)
                        {
                            next++;
                            channel.Limit = limit;
                            applied.Add(true, c, limit.ToString(CultureInfo.InvariantCulture));
                        }
                        else
                        {
                            Reply(Numerics.ERR_INVALIDMODEPARAM, room.Name, "l", parameters[next++], "Invalid limit");
                        }

                        break;
                    case 'o':
                    case 'v':
                        if (next >= parameters.Count)
                        {
                            Reply(Numerics.ERR_NEEDMOREPARAMS, "MODE", "Not enough parameters");
                            break;
                        }

                        ApplyStatus(room, adding, c, parameters[next++], applied);
                        break;
                    default:
                        Reply(Numerics.ERR_UNKNOWNMODE, c.ToString(), "is unknown mode char to me");
                        break;
                }
            }

            return applied;
        }

        /// <summary>The modes without an argument: C, i, m, n, s, t.</summary>
        private static void ApplyFlag(IrcChannel channel, bool adding, char mode, ModeChanges applied)
        {
            bool current = mode switch
            {
                'C' => channel.NoCtcp,
                'i' => channel.InviteOnly,
                'm' => channel.Moderated,
                'n' => channel.NoExternalMessages,
                's' => channel.Secret,
                _ => channel.TopicLocked,
            };
            if (current == adding) return;
            switch (mode)
            {
                case 'C': channel.NoCtcp = adding; break;
                case 'i': channel.InviteOnly = adding; break;
                case 'm': channel.Moderated = adding; break;
                case 'n': channel.NoExternalMessages = adding; break;
                case 's': channel.Secret = adding; break;
                default: channel.TopicLocked = adding; break;
            }

            applied.Add(adding, mode, null);
        }

        private void ApplyKey(ChatRoom room, IrcChannel channel, bool adding, string? key, ModeChanges applied)
        {
            if (!adding)
            {
                // -k takes the key as an argument in RFC 1459; any argument (or none) clears it.
                if (channel.Key == null) return;
                channel.Key = null;
                applied.Add(false, 'k', "*");
                return;
            }

            if (key == null)
            {
                Reply(Numerics.ERR_NEEDMOREPARAMS, "MODE", "Not enough parameters");
                return;
            }

            if (!IrcNames.IsValidKey(key))
            {
                Reply(Numerics.ERR_INVALIDMODEPARAM, room.Name, "k", "*", "Invalid key");
                return;
            }

            if (channel.Key != null)
            {
                Reply(Numerics.ERR_KEYSET, room.Name, "Channel key already set");
                return;
            }

            channel.Key = key;
            applied.Add(true, 'k', key);
        }

        private void ApplyStatus(ChatRoom room, bool adding, char mode, string nick, ModeChanges applied)
        {
            var target = FindVisibleMember(nick);
            if (target == null)
            {
                Reply(Numerics.ERR_NOSUCHNICK, nick, "No such nick/channel");
                return;
            }

            if (!room.Contains(target))
            {
                Reply(Numerics.ERR_USERNOTINCHANNEL, target.Nick, room.Name, "They aren't on that channel");
                return;
            }

            var flag = mode == 'o' ? MemberStatus.Operator : MemberStatus.Voice;
            if (((room.GetStatus(target) & flag) != 0) == adding) return;
            room.SetStatus(target, flag, adding);
            applied.Add(adding, mode, target.Nick);
        }

        private void SendChannelModes(ChatRoom room)
        {
            var channel = protocol.ChannelOf(room);
            var modes = new StringBuilder("+");
            var arguments = new List<string>();
            if (channel.NoCtcp) modes.Append('C');
            if (channel.InviteOnly) modes.Append('i');
            if (channel.Key is string key)
            {
                modes.Append('k');
                arguments.Add(room.Contains(this) ? key : "*");
            }

            if (channel.Limit > 0)
            {
                modes.Append('l');
                arguments.Add(channel.Limit.ToString(CultureInfo.InvariantCulture));
            }

            if (channel.Moderated) modes.Append('m');
            if (channel.NoExternalMessages) modes.Append('n');
            if (channel.Secret) modes.Append('s');
            if (channel.TopicLocked) modes.Append('t');
            var parameters = new List<string> { room.Name, modes.ToString() };
            parameters.AddRange(arguments);
            Reply(Numerics.RPL_CHANNELMODEIS, parameters.ToArray());
            Reply(Numerics.RPL_CREATIONTIME, room.Name, UnixTime(room.Created));
        }

        /// <summary>Applied mode changes in the compact form "+ok-v alice key bob".</summary>
        private sealed class ModeChanges
        {
            private readonly StringBuilder modes = new StringBuilder();
            private readonly List<string> arguments = new List<string>();
            private char sign;

            public bool IsEmpty => modes.Length == 0;

            public void Add(bool adding, char mode, string? argument)
            {
                char wanted = adding ? '+' : '-';
                if (sign != wanted)
                {
                    modes.Append(wanted);
                    sign = wanted;
                }

                modes.Append(mode);
                if (argument != null) arguments.Add(argument);
            }

            public override string ToString() => arguments.Count == 0 ? modes.ToString() : modes + " " + string.Join(" ", arguments);
        }
    }
}
