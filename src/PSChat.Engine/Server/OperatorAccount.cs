using System;
using System.Collections.Generic;
using System.Security;
using PSChat.Engine.Irc;

namespace PSChat
{
    /// <summary>
    /// An IRC operator account: the name and password OPER takes, and the host mask
    /// (<c>nick!user@host</c>, <c>user@host</c> or a host, with * and ?) of the clients that may use it.
    /// </summary>
    public sealed class OperatorAccount
    {
        public OperatorAccount(string name, SecureString password, string hostMask = "*")
        {
            if (string.IsNullOrEmpty(name) || name.IndexOf(' ') >= 0) throw new ArgumentException("An operator name is one word.", nameof(name));
            Name = name;
            Password = password ?? throw new ArgumentNullException(nameof(password));
            HostMask = string.IsNullOrEmpty(hostMask) ? "*" : hostMask;
        }

        public string Name { get; }

        public SecureString Password { get; }

        public string HostMask { get; }
    }
}

namespace PSChat.Engine.Server
{
    /// <summary>
    /// The operator accounts as the server keeps them: each password as a <see cref="ServerPassword"/>
    /// (a keyed hash, never the text), found by name.
    /// </summary>
    internal sealed class OperatorTable
    {
        private readonly Dictionary<string, (ServerPassword Password, string HostMask)> accounts =
            new Dictionary<string, (ServerPassword, string)>(StringComparer.Ordinal);

        public OperatorTable(IEnumerable<OperatorAccount> accounts)
        {
            foreach (var account in accounts)
            {
                var password = ServerPassword.From(account.Password);
                if (password != null) this.accounts[account.Name] = (password, account.HostMask);
            }
        }

        public bool IsEmpty => accounts.Count == 0;

        /// <summary>Whether some account may be used from this client at all (else OPER answers 491).</summary>
        public bool AnyAllows(Rooms.MemberIdentity who)
        {
            foreach (var account in accounts.Values)
            {
                if (HostMatches(account.HostMask, who)) return true;
            }

            return false;
        }

        /// <summary>True when <paramref name="name"/> is an account usable from <paramref name="who"/> and <paramref name="password"/> is its password.</summary>
        public bool Matches(string name, string password, Rooms.MemberIdentity who)
        {
            if (!accounts.TryGetValue(name, out var account)) return false;
            // The hash is computed whatever the mask says, so the time taken tells nothing.
            bool good = account.Password.Matches(password);
            return good && HostMatches(account.HostMask, who);
        }

        /// <summary>A mask with '!' matches nick!user@host, one with '@' user@host, any other the host.</summary>
        internal static bool HostMatches(string mask, Rooms.MemberIdentity who)
        {
            string subject = mask.IndexOf('!') >= 0 ? who.Prefix : mask.IndexOf('@') >= 0 ? who.User + "@" + who.Host : who.Host;
            return IrcNames.MatchesMask(mask, subject);
        }
    }
}
