using System.Collections.Generic;
using PSChat.Engine.Rooms;

namespace PSChat.Engine.Irc
{
    /// <summary>The RPL_ISUPPORT (005) tokens: each one states a limit or rule the server really applies.</summary>
    internal static class ISupport
    {
        /// <summary>At most 13 tokens per line, as the spec asks.</summary>
        private const int TokensPerLine = 13;

        public static IEnumerable<string[]> Lines(ChatServerOptions options)
        {
            var tokens = Tokens(options);
            for (int i = 0; i < tokens.Count; i += TokensPerLine)
            {
                yield return tokens.GetRange(i, System.Math.Min(TokensPerLine, tokens.Count - i)).ToArray();
            }
        }

        public static List<string> Tokens(ChatServerOptions options)
        {
            var tokens = BaseTokens(options);
            // draft/chathistory: the most messages one request returns, and the references it takes.
            if (options.HistorySize > 0) tokens.AddRange(new[] { "CHATHISTORY=" + options.MaxHistoryLines, "MSGREFTYPES=msgid,timestamp" });
            // In name order, whatever added them, so the 005 lines read like a reference.
            tokens.Sort(System.StringComparer.Ordinal);
            return tokens;
        }

        private static List<string> BaseTokens(ChatServerOptions options) => new List<string>
        {
            "AWAYLEN=" + IrcNames.AwayLength,
            "BOT=B",
            "CASEMAPPING=" + CaseMapping.Name,
            "CHANLIMIT=#:" + options.MaxChannelsPerClient,
            "CHANMODES=" + IrcModes.ChannelModeTypes,
            "CHANNELLEN=" + IrcNames.ChannelLength,
            "CHANTYPES=#",
            "ELIST=" + ChannelListFilter.Supported,
            "EXCEPTS=e",
            "INVEX=I",
            "KICKLEN=" + IrcNames.KickLength,
            "MAXLIST=beI:" + options.MaxListEntries,
            "MAXTARGETS=" + options.MaxTargets,
            "MODES",
            "MONITOR=" + options.MaxMonitorEntries,
            "NETWORK=" + options.NetworkName,
            "NICKLEN=" + IrcNames.NickLength,
            "PREFIX=(ov)@+",
            // PRIVMSG @#chan reaches the channel's operators, +#chan its voiced members too.
            "STATUSMSG=" + IrcMember.StatusMessagePrefixes,
            // JOIN and PART take any number of channels (duplicates once; CHANLIMIT ends a JOIN).
            "TARGMAX=JOIN:,KICK:" + options.MaxTargets + ",NAMES:" + options.MaxTargets + ",PART:,PRIVMSG:" + options.MaxTargets +
                ",NOTICE:" + options.MaxTargets + ",TAGMSG:" + options.MaxTargets + ",WHOIS:" + options.MaxTargets,
            "TOPICLEN=" + IrcNames.TopicLength,
            "USERLEN=" + IrcNames.UserLength,
            // Lines that are not UTF-8 are refused with FAIL ... INVALID_UTF8.
            "UTF8ONLY",
            // WHO mask %fields[,token] answers 354 (IrcMember.Whox.cs).
            "WHOX",
        };
    }
}
