namespace PSChat.Engine.Irc
{
    /// <summary>INVITE without parameters (Modern IRC): the channels this client is invited to, 336 each, then 337.</summary>
    internal sealed partial class IrcMember
    {
        /// <summary>Walks the rooms as LIST does (bounded by MaxRooms, cut before the send queue fills).</summary>
        private void ListInvitations()
        {
            string folded = PSChat.Engine.Rooms.CaseMapping.Fold(Nick);
            BeginLongReply();
            foreach (var room in server.RoomObjects)
            {
                if (protocol.ChannelOf(room).IsInvited(folded) && !ReplyPart(Numerics.RPL_INVITELISTENTRY, room.Name)) break;
            }

            EndLongReply("INVITE", Numerics.RPL_ENDOFINVITELISTENTRIES, "End of /INVITE list");
        }
    }
}
