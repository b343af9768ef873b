using System;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using PSChat.Engine.Server;

namespace PSChat.Engine.Accounts
{
    /// <summary>The verdict on one account login, and the account when it was good.</summary>
    internal readonly struct AccountLogin
    {
        public AccountLogin(LoginVerdict verdict, ChatAccount? account)
        {
            Verdict = verdict;
            Account = account;
        }

        public LoginVerdict Verdict { get; }

        public ChatAccount? Account { get; }
    }

    /// <summary>
    /// Checks account passwords on the thread pool, never on an I/O thread: a PBKDF2 hash at
    /// <see cref="PasswordHash.DefaultIterations"/> takes tens of milliseconds on an idle core, hundreds on a loaded one. At most half the
    /// processors hash at once, so logins cannot starve the server's other work, and every check goes
    /// through the server's <see cref="LoginThrottle"/> (one check at a time per address, delays and
    /// lockouts after failures). An unknown account costs the same hash as a known one, so the time of
    /// a refusal does not tell whether the account exists.
    /// </summary>
    internal static class AccountVerifier
    {
        private static readonly SemaphoreSlim Slots = new SemaphoreSlim(Math.Max(1, Environment.ProcessorCount / 2));
        private static readonly PasswordHash Decoy = PasswordHash.Create(new byte[] { 0 }, PasswordHash.DefaultIterations);

        /// <summary>Checks <paramref name="password"/> (UTF-8 bytes, wiped here) for the account <paramref name="name"/>.</summary>
        public static async Task<AccountLogin> CheckPasswordAsync(IAccountStore store, LoginThrottle throttle, IPAddress address, string name, byte[] password)
        {
            try
            {
                await Slots.WaitAsync().ConfigureAwait(false);
                try
                {
                    ChatAccount? good = null;
                    var verdict = throttle.Check(address, () =>
                    {
                        var account = store.Find(name);
                        var hash = account?.Password;
                        if (hash == null)
                        {
                            Decoy.Matches(password);
                            return false;
                        }

                        if (!hash.Matches(password)) return false;
                        good = account;
                        return true;
                    });
                    return new AccountLogin(verdict, good);
                }
                finally
                {
                    Slots.Release();
                }
            }
            finally
            {
                Array.Clear(password, 0, password.Length);
            }
        }

        /// <summary>The account a client certificate is bound to (a lookup, no hashing: done at once), through the throttle.</summary>
        public static AccountLogin CheckCertificate(IAccountStore store, LoginThrottle throttle, IPAddress address, string fingerprint, string? wanted)
        {
            ChatAccount? good = null;
            var verdict = throttle.Check(address, () =>
            {
                var account = store.FindByFingerprint(fingerprint);
                if (account == null || (wanted != null && !Rooms.CaseMapping.Equals(wanted, account.Name))) return false;
                good = account;
                return true;
            });
            return new AccountLogin(verdict, good);
        }
    }
}
