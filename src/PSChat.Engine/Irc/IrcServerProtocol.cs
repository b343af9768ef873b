using System;
using System.Threading;
using PSChat.Engine.Rooms;
using PSChat.Engine.Server;
using PSChat.Engine.Transport;

namespace PSChat.Engine.Irc
{
    /// <summary>
    /// IRC on the chat server's port: recognises a registration command as the first line and
    /// checks every IRC client's registration and ping deadlines from one timer per server. The
    /// timer only wakes the check; the deadlines are measured on the server's monotonic clock.
    /// </summary>
    internal sealed class IrcServerProtocol : IServerProtocol
    {
        private static readonly string[] FirstCommands = { "CAP", "NICK", "USER", "PASS" };

        private readonly ChatServer server;
        private readonly Timer sweeper;
        /// <summary>Where IRC keeps its channel state in every room (a room that is dropped takes it along).</summary>
        private static readonly int ChannelSlot = ChatRoom.StateSlots.Take();
        private static readonly Func<IrcChannel> NewChannel = () => new IrcChannel();
        private int maxUsers;

        public IrcServerProtocol(ChatServer server)
        {
            this.server = server;
            var options = server.Options;
            long shortest = Math.Min(options.RegistrationTimeout.Ticks, Math.Min(options.PingInterval.Ticks, options.PingTimeout.Ticks));
            // A quarter of the shortest deadline keeps the overshoot small without waking often.
            var period = TimeSpan.FromTicks(Math.Max(TimeSpan.FromMilliseconds(20).Ticks, Math.Min(TimeSpan.TicksPerSecond, shortest / 4)));
            sweeper = new Timer(_ => Sweep(), null, period, period);
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

        public IServerClient Accept(ChatServer chatServer, LineConnection connection) => new IrcMember(chatServer, this, connection);

        public void Dispose() => sweeper.Dispose();

        private void Sweep()
        {
            long now = server.Options.Clock.NowTicks;
            foreach (var client in server.Clients)
            {
                if (client is IrcMember member) member.CheckDeadlines(now);
            }
        }

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
