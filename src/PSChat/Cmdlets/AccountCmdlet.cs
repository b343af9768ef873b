using System;
using System.IO;
using System.Linq;
using System.Management.Automation;
using PSChat.Engine.Accounts;

namespace PSChat.Commands
{
    /// <summary>
    /// The account cmdlets' common ground: the store is a file (-Path) or a running server's (-Server).
    /// A -Path that a server of this session serves is that server's store, so the server sees every
    /// change at once, as with -Server.
    /// </summary>
    public abstract class AccountCmdlet : PSChatCmdlet
    {
        protected const string PathSet = "Path";
        protected const string ServerSet = "Server";

        /// <summary>The account store file; made (empty, mode 600) when missing.</summary>
        [Parameter(Mandatory = true, ParameterSetName = PathSet, HelpMessage = "The path of the account store file (Start-ChatServer -AccountStore).")]
        [ValidateNotNullOrEmpty]
        public string? Path { get; set; }

        /// <summary>A running chat server started with -AccountStore: its store, which it reads at once.</summary>
        [Parameter(Mandatory = true, ParameterSetName = ServerSet, HelpMessage = "A chat server started with -AccountStore, from Start-ChatServer or Get-ChatServer.")]
        [ValidateNotNull]
        public ChatServer? Server { get; set; }

        /// <summary>The store the parameters name; a terminating error when there is none or it cannot be read.</summary>
        protected IAccountStore ResolveStore()
        {
            switch (ParameterSetName)
            {
                case PathSet:
                    string path = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
                    var served = ModuleState.Servers.OfType<ChatServer>()
                        .Select(s => s.Accounts)
                        .FirstOrDefault(a => a != null && string.Equals(a.Location, System.IO.Path.GetFullPath(path), StringComparison.Ordinal));
                    return served ?? OpenStore(this, path);
                case ServerSet:
                    if (Server!.Accounts is IAccountStore store) return store;
                    ThrowTerminatingError(Error(
                        new InvalidOperationException($"The server '{Server.Name}' has no account store; start it with -AccountStore <path>."),
                        "ServerHasNoAccountStore", ErrorCategory.InvalidOperation, Server));
                    throw new InvalidOperationException("unreachable");
                default:
                    throw new InvalidOperationException("Unknown parameter set " + ParameterSetName);
            }
        }

        /// <summary>Opens a store file for <paramref name="cmdlet"/>, turning a bad file into a terminating error that names the line.</summary>
        internal static IAccountStore OpenStore(PSCmdlet cmdlet, string path)
        {
            try
            {
                return AccountFile.Open(path);
            }
            catch (InvalidDataException ex)
            {
                cmdlet.ThrowTerminatingError(Error(ex, "AccountStoreInvalid", ErrorCategory.InvalidData, path));
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                cmdlet.ThrowTerminatingError(Error(ex, "AccountStoreUnavailable", ErrorCategory.ReadError, path));
            }

            throw new InvalidOperationException("unreachable");
        }

        /// <summary>Fingerprints as typed, in the stored form; a terminating error for one that is not SHA-256 hex.</summary>
        protected string[] NormalizeFingerprints(string[] given) => given.Select(text =>
        {
            string? normalized = ChatAccount.NormalizeFingerprint(text);
            if (normalized == null)
            {
                ThrowTerminatingError(Error(
                    new ArgumentException($"'{text}' is not a SHA-256 certificate fingerprint (64 hex digits; colons allowed). Get one with [PSChat.ChatAccount]::FingerprintOf($certificate)."),
                    "InvalidCertificateFingerprint", ErrorCategory.InvalidArgument, text));
            }

            return normalized!;
        }).Distinct().ToArray();

        /// <summary>Writes the store, reporting a failure to write as a per-item error.</summary>
        protected bool TrySave(IAccountStore store, ChatAccount account)
        {
            try
            {
                store.Save(account);
                return true;
            }
            catch (ArgumentException ex)
            {
                WriteError(Error(ex, "InvalidAccount", ErrorCategory.InvalidArgument, account.Name));
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                WriteError(Error(ex, "AccountStoreWriteFailed", ErrorCategory.WriteError, store.Location));
            }

            return false;
        }
    }
}
