using System.Globalization;
using PSChat.Engine.Rooms;

namespace PSChat.Engine.Irc
{
    /// <summary>The channel list modes: bans (+b), ban exceptions (+e), invite exceptions (+I).</summary>
    internal sealed partial class IrcMember
    {
        /// <summary>"MODE #c b" (or +b, e, +e, I, +I) with nothing after it asks for that list.</summary>
        private static char? ListQueryOf(string modes, int parameterCount)
        {
            if (parameterCount != 2) return null;
            string letter = modes.Length == 2 && modes[0] == '+' ? modes.Substring(1) : modes;
            return letter == "b" || letter == "e" || letter == "I" ? letter[0] : (char?)null;
        }

        private void SendChannelList(ChatRoom room, char mode)
        {
            var (entry, end, endText) = mode switch
            {
                'b' => (Numerics.RPL_BANLIST, Numerics.RPL_ENDOFBANLIST, "End of channel ban list"),
                'e' => (Numerics.RPL_EXCEPTLIST, Numerics.RPL_ENDOFEXCEPTLIST, "End of channel exception list"),
                _ => (Numerics.RPL_INVITELIST, Numerics.RPL_ENDOFINVITELIST, "End of channel invite exception list"),
            };
            BeginLongReply();
            foreach (var item in protocol.ChannelOf(room).Entries(mode))
            {
                if (!ReplyPart(entry, room.Name, item.Mask, item.SetBy, UnixTime(item.SetAt))) break;
            }

            EndLongReply("MODE", end, room.Name, endText);
        }

        private void ApplyListMode(ChatRoom room, IrcChannel channel, bool adding, char mode, string mask, ModeChanges applied)
        {
            string? normal = IrcChannel.NormalizeMask(mask);
            if (normal == null)
            {
                Reply(Numerics.ERR_INVALIDMODEPARAM, room.Name, mode.ToString(), "*", "Invalid mask");
                return;
            }

            if (!adding)
            {
                if (channel.Remove(mode, normal) is string removed) applied.Add(false, mode, removed);
                return;
            }

            int max = server.Options.MaxListEntries;
            switch (channel.Add(mode, normal, Identity.Prefix, max))
            {
                case true:
                    applied.Add(true, mode, normal);
                    break;
                case null:
                    Reply(Numerics.ERR_BANLISTFULL, room.Name, normal, $"Channel list is full (at most {max.ToString(CultureInfo.InvariantCulture)} entries)");
                    ReportLimit(nameof(ChatServerOptions.MaxListEntries), $"+{mode} list of {room.Name} is full ({max} entries)");
                    break;
            }
        }
    }
}
