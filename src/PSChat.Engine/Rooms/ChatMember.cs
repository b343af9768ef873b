using System;
using System.Collections.Generic;
using System.Net;

namespace PSChat.Engine.Rooms
{
    /// <summary>
    /// A connected participant, whatever protocol it speaks. A protocol codec derives from this and
    /// turns room events into its own bytes in <see cref="Deliver"/>.
    /// </summary>
    internal abstract class ChatMember
    {
        /// <summary>Also the lock of the list: one object fewer for each of thousands of idle members.</summary>
        private readonly List<ChatRoom> rooms = new List<ChatRoom>();
        private MemberIdentity identity;
        private string? remoteText;

        protected ChatMember(string nick, string user, IPEndPoint remote)
        {
            Remote = remote;
            identity = new MemberIdentity(nick, user, HostOf(remote));
            ConnectedAt = DateTime.UtcNow;
        }

        public IPEndPoint Remote { get; }

        /// <summary>The remote end point as text, made once: every server event about the member names it.</summary>
        public string RemoteText => remoteText ??= Remote.ToString();

        public DateTime ConnectedAt { get; }

        public string Nick => identity.Nick;

        public MemberIdentity Identity => identity;

        /// <summary>The protocol name shown in server events ("Text", "Irc").</summary>
        public abstract string Protocol { get; }

        /// <summary>Whether the protocol lets this member act as a room operator (plain text cannot).</summary>
        public virtual bool CanModerate => true;

        /// <summary>A hidden member receives room traffic but is not listed or announced (protocol still unknown).</summary>
        public bool Hidden { get; set; }

        /// <summary>Real name (IRC USER), away text and the like; free for codecs to use.</summary>
        public string RealName { get; set; } = string.Empty;

        public string? AwayMessage { get; set; }

        public IReadOnlyList<ChatRoom> Rooms
        {
            get { lock (rooms) return rooms.ToArray(); }
        }

        /// <summary>How many rooms the member is in (without copying the list).</summary>
        public int RoomCount
        {
            get { lock (rooms) return rooms.Count; }
        }

        /// <summary>Puts the event into this member's protocol and queues it. Must not block.</summary>
        public abstract void Deliver(RoomEvent roomEvent);

        public void Rename(string nick, string? user = null)
        {
            identity = new MemberIdentity(nick, user ?? identity.User, identity.Host, identity.Account);
        }

        /// <summary>The account the member is logged in to, or null.</summary>
        public string? Account => identity.Account;

        /// <summary>Marks the member logged in to <paramref name="account"/>: its events carry the account from now on.</summary>
        public void LogIn(string account)
        {
            identity = new MemberIdentity(identity.Nick, identity.User, identity.Host, account);
        }

        internal void AddRoom(ChatRoom room)
        {
            lock (rooms) rooms.Add(room);
        }

        internal void RemoveRoom(ChatRoom room)
        {
            lock (rooms) rooms.Remove(room);
        }

        private static string HostOf(IPEndPoint remote)
        {
            var address = remote.Address;
            if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
            string text = address.ToString();
            // IRC prefixes cannot start with ':' (e.g. "::1").
            return text.StartsWith(":", StringComparison.Ordinal) ? "0" + text : text;
        }
    }
}
