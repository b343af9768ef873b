using PSChat.Engine.Rooms;

namespace PSChat.Engine.Irc
{
    /// <summary>The modes the server supports, as 004 and ISUPPORT advertise them.</summary>
    internal static class IrcModes
    {
        public const string UserModes = "Biow";
        public const string ChannelModes = "CIbeiklmnostv";
        public const string ChannelModesWithParameter = "Ibeklov";

        /// <summary>CHANMODES: list modes, always-parameter, parameter-when-set, flags.</summary>
        public const string ChannelModeTypes = "Ibe,k,l,Cimnst";

        /// <summary>"@+" with multi-prefix, otherwise only the highest.</summary>
        public static string Prefix(MemberStatus status, bool all)
        {
            bool op = (status & MemberStatus.Operator) != 0;
            bool voice = (status & MemberStatus.Voice) != 0;
            if (all) return (op ? "@" : string.Empty) + (voice ? "+" : string.Empty);
            return op ? "@" : voice ? "+" : string.Empty;
        }
    }
}
