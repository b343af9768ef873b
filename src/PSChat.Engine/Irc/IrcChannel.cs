using System;
using System.Collections.Generic;

namespace PSChat.Engine.Irc
{
    /// <summary>
    /// What IRC keeps about a room that other protocols have no word for: the channel modes, the key,
    /// the limit and the invitations. <see cref="IrcServerProtocol.ChannelOf"/> finds it for a room.
    /// </summary>
    internal sealed partial class IrcChannel
    {
        private readonly HashSet<string> invited = new HashSet<string>(StringComparer.Ordinal);

        /// <summary>+C: no CTCP to the channel but ACTION (/me).</summary>
        public bool NoCtcp { get; set; }

        public bool InviteOnly { get; set; }

        public bool Moderated { get; set; }

        public bool NoExternalMessages { get; set; } = true;

        public bool TopicLocked { get; set; } = true;

        public string? Key { get; set; }

        public int Limit { get; set; }

        /// <summary>Lets a nick (case-folded) past +i, +k and +l once.</summary>
        public void Invite(string foldedNick)
        {
            lock (invited) invited.Add(foldedNick);
        }

        public bool IsInvited(string foldedNick)
        {
            lock (invited) return invited.Contains(foldedNick);
        }

        /// <summary>An invitation is used up by the join it let in.</summary>
        public void UseInvitation(string foldedNick)
        {
            lock (invited) invited.Remove(foldedNick);
        }
    }
}
