using System;
using PSChat.Engine.Rooms;

namespace PSChat.Engine.History
{
    /// <summary>
    /// A private conversation as -KeepPrivateMessages keeps it: the key of the two accounts (folded, in
    /// order, joined by a space, which no channel or account name holds), so each side finds the same log
    /// and nobody else does: a nick that changes hands carries no account, and finds nothing.
    /// </summary>
    internal static class Conversation
    {
        public static string Key(string account, string otherAccount)
        {
            string a = CaseMapping.Fold(account);
            string b = CaseMapping.Fold(otherAccount);
            return string.CompareOrdinal(a, b) <= 0 ? a + " " + b : b + " " + a;
        }

        /// <summary>Whether a key of the store (a messages row's room) is a conversation's, not a channel's.</summary>
        public static bool IsKey(string key) => key.IndexOf(' ') >= 0;
    }
}
