using PSChat.Engine.Rooms;

namespace PSChat.Engine.Irc
{
    /// <summary>
    /// STATUSMSG (<c>PRIVMSG @#chan</c>, <c>+#chan</c>; STATUSMSG=@+ in ISUPPORT): a message to the
    /// channel's operators (and voiced members, for '+') only, with the prefixed target. It is not
    /// channel history: the other members never saw it.
    /// </summary>
    internal sealed partial class IrcMember
    {
        /// <summary>The prefixes a channel target may carry, highest first.</summary>
        public const string StatusMessagePrefixes = "@+";

        private void MessageStatus(char prefix, string name, RoomEventKind kind, string text, string? clientTags, bool errors)
        {
            var room = FindRoomToSpeakIn(name, errors);
            if (room == null) return;
            var wanted = prefix == '@' ? MemberStatus.Operator : MemberStatus.Operator | MemberStatus.Voice;
            var roomEvent = new RoomEvent(kind, null, Identity, text) { Target = prefix + room.Name, Origin = IrcOrigin.WithTags(clientTags) };
            foreach (var member in room.Members)
            {
                // Only IRC clients have the status; a plain text client cannot be an operator.
                if (!ReferenceEquals(member, this) && member is IrcMember && (room.GetStatus(member) & wanted) != 0) member.Deliver(roomEvent);
            }

            if (Has(Capability.EchoMessage)) Deliver(roomEvent);
        }
    }
}
