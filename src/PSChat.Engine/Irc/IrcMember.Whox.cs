using System;
using System.Collections.Generic;
using System.Globalization;
using PSChat.Engine.Rooms;

namespace PSChat.Engine.Irc
{
    /// <summary>
    /// WHOX (<c>WHO mask %fields[,token]</c>, WHOX in ISUPPORT): 354 instead of 352, with the fields asked
    /// for, always in the order <c>tcuihsnfdlaor</c> whatever order they were asked in.
    /// </summary>
    internal sealed partial class IrcMember
    {
        /// <summary>The fields in the order 354 lists them.</summary>
        private const string WhoxFieldOrder = "tcuihsnfdlaor";

        /// <summary>The longest query token taken back (the spec: at most 3 digits); a longer one is cut.</summary>
        private const int WhoxTokenLength = 3;

        /// <summary>What a WHOX query asks for: the field letters (in 354 order) and the query token.</summary>
        private sealed class WhoxQuery
        {
            private WhoxQuery(string fields, string token)
            {
                Fields = fields;
                Token = token;
            }

            public string Fields { get; }

            public string Token { get; }

            /// <summary>The query in WHO's second parameter (<c>%fields[,token]</c>), or null for a plain WHO.</summary>
            public static WhoxQuery? Parse(string? options)
            {
                if (options == null || options.Length < 2) return null;
                int percent = options.IndexOf('%');
                if (percent < 0) return null;
                string rest = options.Substring(percent + 1);
                int comma = rest.IndexOf(',');
                string asked = comma < 0 ? rest : rest.Substring(0, comma);
                string token = comma < 0 ? "0" : rest.Substring(comma + 1);
                if (token.Length == 0) token = "0";
                if (token.Length > WhoxTokenLength) token = token.Substring(0, WhoxTokenLength);
                var fields = new System.Text.StringBuilder();
                foreach (char field in WhoxFieldOrder)
                {
                    if (asked.IndexOf(field) >= 0) fields.Append(field);
                }

                return new WhoxQuery(fields.ToString(), token);
            }
        }

        /// <summary>One 354 line; false once the reply was cut.</summary>
        private bool SendWhoxReply(WhoxQuery query, string channel, ChatMember member, string prefix)
        {
            var who = member.Identity;
            var values = new List<string>(query.Fields.Length);
            foreach (char field in query.Fields)
            {
                values.Add(field switch
                {
                    't' => query.Token,
                    'c' => channel,
                    'u' => who.User,
                    'i' => member.Remote.Address.ToString(),
                    'h' => who.Host,
                    's' => ServerName,
                    'n' => who.Nick,
                    'f' => (member.AwayMessage == null ? "H" : "G") + UserFlags(member) + prefix,
                    'd' => "0",
                    'l' => ((long)(member is IrcMember irc ? irc.Idle : DateTime.UtcNow - member.ConnectedAt).TotalSeconds).ToString(CultureInfo.InvariantCulture),
                    'a' => member.Account ?? "0",
                    'o' => "n/a",
                    _ => member.RealName,
                });
            }

            // A query for no known field still answers (with the token alone, if asked): never an empty 354.
            if (values.Count == 0) values.Add(who.Nick);
            return ReplyPart(Numerics.RPL_WHOSPCRPL, values.ToArray());
        }
    }
}
