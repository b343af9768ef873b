using System;
using System.Collections.Generic;
using PSChat.Engine.Rooms;

namespace PSChat.Engine.Irc
{
    /// <summary>One entry of a channel list: the mask, who set it and when.</summary>
    internal sealed class ChannelListEntry
    {
        public ChannelListEntry(string mask, string setBy, DateTime setAt)
        {
            Mask = mask;
            Folded = CaseMapping.Fold(mask);
            SetBy = setBy;
            SetAt = setAt;
        }

        public string Mask { get; }

        public string Folded { get; }

        public string SetBy { get; }

        public DateTime SetAt { get; }
    }

    /// <summary>
    /// The channel lists (bans +b, ban exceptions +e, invite exceptions +I) and secrecy (+s). A list holds at
    /// most <see cref="ChatServerOptions.MaxListEntries"/> masks; whether a member matches is remembered per
    /// member until a list or the member's name changes, so a message costs a lookup, not a walk of every mask.
    /// </summary>
    internal sealed partial class IrcChannel
    {
        /// <summary>A mask is at most this long: a full nick!user@host fits (32 + 16 + 64 and the separators).</summary>
        public const int MaxMaskLength = 120;

        private readonly List<ChannelListEntry> bans = new List<ChannelListEntry>();
        private readonly List<ChannelListEntry> exceptions = new List<ChannelListEntry>();
        private readonly List<ChannelListEntry> inviteExceptions = new List<ChannelListEntry>();
        /// <summary>Verdicts by member, for the identity they were made for; cleared when a list changes. Also the lists' lock.</summary>
        private readonly Dictionary<ChatMember, (MemberIdentity Who, bool Banned, bool InviteExcepted)> verdicts =
            new Dictionary<ChatMember, (MemberIdentity, bool, bool)>();

        /// <summary>+s: the channel is left out of LIST, NAMES and WHO for those not in it.</summary>
        public bool Secret { get; set; }

        /// <summary>The list of a list mode letter (b, e, I).</summary>
        private List<ChannelListEntry> ListOf(char mode) => mode switch
        {
            'b' => bans,
            'e' => exceptions,
            _ => inviteExceptions,
        };

        public ChannelListEntry[] Entries(char mode)
        {
            lock (verdicts) return ListOf(mode).ToArray();
        }

        /// <summary>Adds a mask (already normalised); false when it is there already, null when the list is full.</summary>
        public bool? Add(char mode, string mask, string setBy, int maxEntries)
        {
            var entry = new ChannelListEntry(mask, setBy, DateTime.UtcNow);
            lock (verdicts)
            {
                var list = ListOf(mode);
                if (list.Exists(e => e.Folded == entry.Folded)) return false;
                if (list.Count >= maxEntries) return null;
                list.Add(entry);
                verdicts.Clear();
                return true;
            }
        }

        /// <summary>Puts back an entry -DataPath kept, its setter and time as they were (none past a lowered bound).</summary>
        public void Restore(char mode, ChannelListEntry entry, int maxEntries)
        {
            lock (verdicts)
            {
                var list = ListOf(mode);
                if (list.Count >= maxEntries || list.Exists(e => e.Folded == entry.Folded)) return;
                list.Add(entry);
                verdicts.Clear();
            }
        }

        /// <summary>Removes a mask, compared after case folding; the entry's own spelling, or null when absent.</summary>
        public string? Remove(char mode, string mask)
        {
            string folded = CaseMapping.Fold(mask);
            lock (verdicts)
            {
                var list = ListOf(mode);
                int i = list.FindIndex(e => e.Folded == folded);
                if (i < 0) return null;
                string spelled = list[i].Mask;
                list.RemoveAt(i);
                verdicts.Clear();
                return spelled;
            }
        }

        /// <summary>Banned: some +b mask matches the member and no +e mask does.</summary>
        public bool IsBanned(ChatMember member) => Verdict(member).Banned;

        /// <summary>Some +I mask matches the member: +i does not keep it out.</summary>
        public bool IsInviteExcepted(ChatMember member) => Verdict(member).InviteExcepted;

        private (MemberIdentity Who, bool Banned, bool InviteExcepted) Verdict(ChatMember member)
        {
            var who = member.Identity;
            lock (verdicts)
            {
                if (bans.Count == 0 && inviteExceptions.Count == 0) return (who, false, false);
                if (verdicts.TryGetValue(member, out var known) && ReferenceEquals(known.Who, who)) return known;
                string prefix = CaseMapping.Fold(who.Prefix);
                var verdict = (who, Matches(bans, prefix) && !Matches(exceptions, prefix), Matches(inviteExceptions, prefix));
                // Bounded: a channel's cache never outgrows a few thousand members' verdicts.
                if (verdicts.Count >= 4096) verdicts.Clear();
                verdicts[member] = verdict;
                return verdict;
            }
        }

        private static bool Matches(List<ChannelListEntry> list, string foldedPrefix)
        {
            foreach (var entry in list)
            {
                if (IrcNames.MatchesMask(entry.Folded, foldedPrefix)) return true;
            }

            return false;
        }

        /// <summary>
        /// A mask as lists keep it: "nick" is nick!*@*, "user@host" is *!user@host, "nick!user" is nick!user@*.
        /// Null when it cannot be one (empty, too long, a space or control character).
        /// </summary>
        public static string? NormalizeMask(string mask)
        {
            if (mask.Length == 0 || mask.Length > MaxMaskLength) return null;
            foreach (char c in mask)
            {
                if (c <= ' ' || c == ',' || c == 0x7F) return null;
            }

            int bang = mask.IndexOf('!');
            int at = mask.IndexOf('@');
            if (bang < 0 && at < 0) return mask + "!*@*";
            if (bang < 0) return "*!" + mask;
            if (at < 0) return mask + "@*";
            return mask;
        }
    }
}
