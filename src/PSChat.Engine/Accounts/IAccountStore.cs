using System.Collections.Generic;

namespace PSChat
{
    /// <summary>
    /// Where a chat server keeps its accounts. <see cref="Engine.Accounts.AccountFile"/> is the file the
    /// server owns (Start-ChatServer -AccountStore); another backing store plugs in here. Every member
    /// is cheap (a lookup, no hashing) and thread safe: the server calls them from its I/O threads.
    /// Names compare as IRC nicks do (rfc1459 case mapping).
    /// </summary>
    public interface IAccountStore
    {
        /// <summary>Where the accounts live, for messages (a path).</summary>
        string Location { get; }

        /// <summary>The account of that name, or null.</summary>
        ChatAccount? Find(string name);

        /// <summary>The account a certificate with that SHA-256 fingerprint (lower-case hex) is bound to, or null.</summary>
        ChatAccount? FindByFingerprint(string fingerprint);

        /// <summary>Every account, by name.</summary>
        IReadOnlyList<ChatAccount> GetAll();

        /// <summary>Adds the account, or replaces the one of the same name; kept before it returns.</summary>
        void Save(ChatAccount account);

        /// <summary>Removes the account of that name; false when there is none.</summary>
        bool Remove(string name);
    }
}
