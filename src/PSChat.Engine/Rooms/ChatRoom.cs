using System;
using System.Collections.Generic;
using System.Threading;

namespace PSChat.Engine.Rooms
{
    /// <summary>Per-member standing in a room.</summary>
    [Flags]
    internal enum MemberStatus
    {
        None = 0,
        Voice = 1,
        Operator = 2,
    }

    /// <summary>What <see cref="ChatRoom.Add"/> did.</summary>
    internal enum RoomEntry
    {
        Added,
        AlreadyIn,
        /// <summary>The admission check refused (and told the member why).</summary>
        Refused,
        /// <summary>The server has dropped the room (it emptied); the member should look the name up again.</summary>
        Detached,
    }

    /// <summary>
    /// A room and its members. Members are kept in a copy-on-write array, so fan-out reads a snapshot
    /// without locking and joins/parts never stall a broadcast in progress.
    /// </summary>
    internal sealed class ChatRoom
    {
        private readonly object gate = new object();
        private readonly Dictionary<ChatMember, MemberStatus> status = new Dictionary<ChatMember, MemberStatus>();
        /// <summary>Slots for the state a protocol keeps per room (IRC's modes); each protocol takes its own.</summary>
        public static readonly SlotTable StateSlots = new SlotTable(2, "protocols", "room state");

        private readonly object?[] protocolState = new object?[StateSlots.Capacity];
        private ChatMember[] members = new ChatMember[0];
        private bool detached;
        private bool operatorGiven;

        public ChatRoom(string name)
        {
            Name = name;
            Created = DateTime.UtcNow;
        }

        public string Name { get; }

        public DateTime Created { get; }

        public string? Topic { get; set; }

        public string? TopicSetBy { get; set; }

        public DateTime TopicSetAt { get; set; }

        /// <summary>A snapshot of the members; safe to enumerate while others join and leave.</summary>
        public ChatMember[] Members => members;

        public int Count => members.Length;

        /// <summary>
        /// The state protocol <paramref name="slot"/> keeps for this room, made on first use. The room
        /// never reads it: what a protocol's modes mean is the protocol's business.
        /// </summary>
        public T StateOf<T>(int slot, Func<T> create)
            where T : class
        {
            if (Volatile.Read(ref protocolState[slot]) is T state) return state;
            var made = create();
            return Interlocked.CompareExchange(ref protocolState[slot], made, null) as T ?? made;
        }

        /// <summary>
        /// Adds a member. The first member who can moderate in the room's life becomes its operator (the
        /// creator of a new room, or the first IRC user in a lobby of plain text clients, who cannot
        /// moderate); nobody after, even when no operator is left: joining an abandoned room is no takeover.
        /// A room the server has dropped takes nobody: the joiner goes to the room that replaced it.
        /// <paramref name="admits"/> (a protocol's +k/+l/+i) runs under the room's lock, so two joiners
        /// cannot both take the last place; it must not block (replying is queueing).
        /// </summary>
        public RoomEntry Add(ChatMember member, MemberStatus initial = MemberStatus.None, Func<ChatRoom, bool>? admits = null)
        {
            lock (gate)
            {
                if (detached) return RoomEntry.Detached;
                if (status.ContainsKey(member)) return RoomEntry.AlreadyIn;
                if (admits != null && !admits(this)) return RoomEntry.Refused;
                if (!operatorGiven && !member.Hidden && member.CanModerate)
                {
                    initial |= MemberStatus.Operator;
                    operatorGiven = true;
                }

                status[member] = initial;
                var next = new ChatMember[members.Length + 1];
                Array.Copy(members, next, members.Length);
                next[members.Length] = member;
                members = next;
                // Under the room's lock, so a KICK racing this join cannot leave the member's list behind the room's.
                member.AddRoom(this);
            }

            return RoomEntry.Added;
        }

        /// <summary>
        /// Marks an empty room dropped, for good: from here on <see cref="Add"/> refuses everyone, so
        /// nobody can join it between the server's last look at it and its removal from the server.
        /// </summary>
        internal bool DetachIfEmpty()
        {
            lock (gate)
            {
                if (status.Count == 0) detached = true;
                return detached;
            }
        }

        public bool Remove(ChatMember member)
        {
            lock (gate)
            {
                if (!status.Remove(member)) return false;
                var next = new ChatMember[members.Length - 1];
                int i = 0;
                foreach (var m in members)
                {
                    if (!ReferenceEquals(m, member)) next[i++] = m;
                }

                members = next;
                member.RemoveRoom(this);
            }

            return true;
        }

        public bool Contains(ChatMember member) => TryGetStatus(member, out _);

        public MemberStatus GetStatus(ChatMember member)
        {
            TryGetStatus(member, out var s);
            return s;
        }

        /// <summary>Membership and standing under one lock (None when not a member).</summary>
        public bool TryGetStatus(ChatMember member, out MemberStatus memberStatus)
        {
            lock (gate) return status.TryGetValue(member, out memberStatus);
        }

        public void SetStatus(ChatMember member, MemberStatus flag, bool on)
        {
            lock (gate)
            {
                if (!status.TryGetValue(member, out var s)) return;
                status[member] = on ? s | flag : s & ~flag;
            }
        }

        /// <summary>Delivers to every member but <paramref name="except"/>, whole and in call order per member.</summary>
        public void Broadcast(RoomEvent roomEvent, ChatMember? except)
        {
            foreach (var member in members)
            {
                if (!ReferenceEquals(member, except)) member.Deliver(roomEvent);
            }
        }
    }
}
