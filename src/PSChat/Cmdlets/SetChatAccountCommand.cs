using System;
using System.Management.Automation;
using System.Security;

namespace PSChat.Commands
{
    /// <summary>Changes an account's password or its bound client certificates.</summary>
    [Cmdlet(VerbsCommon.Set, "ChatAccount", DefaultParameterSetName = PathSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(ChatAccount))]
    public sealed class SetChatAccountCommand : AccountCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true, HelpMessage = "The name of the account to change.")]
        [ValidateNotNullOrEmpty]
        public string? Name { get; set; }

        /// <summary>The new password; an empty one removes it (the account then logs in by certificate only).</summary>
        [Parameter]
        [ValidateNotNull]
        public SecureString? Password { get; set; }

        /// <summary>The certificates that log in to the account by SASL EXTERNAL, replacing the ones it had; empty removes them all.</summary>
        [Parameter]
        [AllowEmptyCollection]
        [ValidateNotNull]
        public string[]? CertificateFingerprint { get; set; }

        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override void ProcessRecord()
        {
            var fingerprints = CertificateFingerprint == null ? null : NormalizeFingerprints(CertificateFingerprint);
            var store = ResolveStore();
            if (store.Find(Name!) is not ChatAccount account)
            {
                WriteError(Error(new ItemNotFoundException($"There is no account '{Name}' in '{store.Location}'."), "AccountNotFound", ErrorCategory.ObjectNotFound, Name));
                return;
            }

            if (!ShouldProcess($"{account.Name} in {store.Location}", "Change chat account")) return;
            var changed = account.With(Password, fingerprints);
            if (TrySave(store, changed) && PassThru) Emit(changed);
        }
    }
}
