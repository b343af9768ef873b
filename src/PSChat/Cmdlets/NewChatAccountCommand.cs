using System;
using System.Management.Automation;
using PSChat.Engine.Accounts;

namespace PSChat.Commands
{
    /// <summary>Adds an account to an account store: the credential's user name and a salted PBKDF2 hash of its password.</summary>
    [Cmdlet(VerbsCommon.New, "ChatAccount", DefaultParameterSetName = PathSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(ChatAccount))]
    public sealed class NewChatAccountCommand : AccountCmdlet
    {
        /// <summary>The account name (the user name, a valid IRC nick) and its password; an empty password makes a certificate-only account.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, HelpMessage = "The account name and password, e.g. (Get-Credential).")]
        [Credential]
        [ValidateNotNull]
        public PSCredential? Credential { get; set; }

        /// <summary>SHA-256 fingerprints of client certificates that log in to the account by SASL EXTERNAL.</summary>
        [Parameter]
        [ValidateNotNull]
        public string[] CertificateFingerprint { get; set; } = new string[0];

        protected override void ProcessRecord()
        {
            string name = Credential!.UserName.TrimStart('\\');
            if (AccountFile.NameError(name) is string invalid)
            {
                WriteError(Error(new ArgumentException(invalid, nameof(Credential)), "InvalidAccountName", ErrorCategory.InvalidArgument, name));
                return;
            }

            var fingerprints = NormalizeFingerprints(CertificateFingerprint);
            var store = ResolveStore();
            if (store.Find(name) is ChatAccount existing)
            {
                WriteError(Error(
                    new InvalidOperationException($"The account '{existing.Name}' exists in '{store.Location}'; change it with Set-ChatAccount."),
                    "AccountExists", ErrorCategory.ResourceExists, name));
                return;
            }

            if (!ShouldProcess($"{name} in {store.Location}", "Create chat account")) return;
            var account = ChatAccount.Create(name, Credential.Password, fingerprints);
            if (TrySave(store, account)) Emit(account);
        }
    }
}
