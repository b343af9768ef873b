using System;
using System.Threading;
using PSChat.Engine.Rooms;
using PSChat.Engine.Server;
using PSChat.Engine.Transport;

namespace PSChat.Engine.Irc
{
    /// <summary>
    /// IRC on the chat server's port: recognises a registration command as the first line, keeps the
    /// channel state of every room and applies its modes to members of other protocols too.
    /// </summary>
    internal sealed class IrcServerProtocol : IServerProtocol
    {
        private static readonly string[] FirstCommands = { "CAP", "NICK", "USER", "PASS" };

        /// <summary>Where IRC keeps its channel state in every room (a room that is dropped takes it along).</summary>
        private static readonly int ChannelSlot = ChatRoom.StateSlots.Take();
        private static readonly Func<IrcChannel> NewChannel = () => new IrcChannel();
        private int maxUsers;

        public IrcServerProtocol()
        {
            Created = DateTime.UtcNow;
        }

        public string Name => "Irc";

        public DateTime Created { get; }

        public bool RecognizesFirstLine(byte[] buffer, int offset, int count)
        {
            int i = offset;
            int end = offset + count;
            if (i < end && buffer[i] == (byte)'@')
            {
                while (i < end && buffer[i] != (byte)' ') i++;
                while (i < end && buffer[i] == (byte)' ') i++;
            }

            int start = i;
            while (i < end && buffer[i] != (byte)' ') i++;
            foreach (string command in FirstCommands)
            {
                if (i - start == command.Length && MatchesIgnoringCase(buffer, start, command)) return true;
            }

            return false;
        }

        /// <summary>The IRC state of a room (modes, key, limit, invitations), made with the defaults +nt on first use.</summary>
        public IrcChannel ChannelOf(ChatRoom room) => room.StateOf(ChannelSlot, NewChannel);

        /// <summary>Records a user count and returns the highest seen, the "max" of RPL_LOCALUSERS and RPL_GLOBALUSERS.</summary>
        public int CountUsers(int users)
        {
            int seen = Volatile.Read(ref maxUsers);
            while (users > seen)
            {
                int before = Interlocked.CompareExchange(ref maxUsers, users, seen);
                if (before == seen) return users;
                seen = before;
            }

            return seen;
        }

        public bool IsValidNick(string nick) => IrcNames.IsValidNick(nick);

        /// <summary>
        /// +b, +k, +l and +i as IRC members meet them (<see cref="IrcMember"/> checks its own, with numerics),
        /// for a member that joins without IRC: it cannot give a key, so +k keeps it out. An invitation lets
        /// it in once, as it does an IRC member.
        /// </summary>
        public string? RefusesEntry(ChatRoom room, ChatMember member)
        {
            var channel = ChannelOf(room);
            string folded = CaseMapping.Fold(member.Nick);
            if (channel.IsInvited(folded))
            {
                channel.UseInvitation(folded);
                return null;
            }

            if (channel.IsBanned(member)) return $"cannot join {room.Name}: you are banned (+b)";
            if (channel.Key != null) return $"cannot join {room.Name}: it needs a key (+k), which only IRC clients can give";
            if (channel.Limit > 0 && IrcMember.VisibleCount(room) >= channel.Limit) return $"cannot join {room.Name}: it is full (+l)";
            if (channel.InviteOnly && !channel.IsInviteExcepted(member)) return $"cannot join {room.Name}: it is invite only (+i)";
            return null;
        }

        /// <summary>+m and +b for a member that speaks without IRC: only a voiced member or an operator may.</summary>
        public string? RefusesSpeech(ChatRoom room, ChatMember member)
        {
            if (room.GetStatus(member) != MemberStatus.None) return null;
            var channel = ChannelOf(room);
            if (channel.Moderated) return $"cannot send to {room.Name}: it is moderated (+m), only voiced members and operators may speak";
            if (channel.IsBanned(member)) return $"cannot send to {room.Name}: you are banned (+b)";
            return null;
        }

        public IServerClient Accept(ChatServer chatServer, LineConnection connection) => new IrcMember(chatServer, this, connection);

        private static bool MatchesIgnoringCase(byte[] buffer, int start, string command)
        {
            for (int k = 0; k < command.Length; k++)
            {
                int b = buffer[start + k];
                if (b >= 'a' && b <= 'z') b -= 32;
                if (b != command[k]) return false;
            }

            return true;
        }
    }
}
