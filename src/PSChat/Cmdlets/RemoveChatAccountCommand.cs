using System.Management.Automation;

namespace PSChat.Commands
{
    /// <summary>Removes accounts from an account store; a client logged in to one stays logged in until it disconnects.</summary>
    [Cmdlet(VerbsCommon.Remove, "ChatAccount", DefaultParameterSetName = PathSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
    [OutputType(typeof(ChatAccount))]
    public sealed class RemoveChatAccountCommand : AccountCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true, HelpMessage = "The name of the account to remove.")]
        [ValidateNotNullOrEmpty]
        public string[]? Name { get; set; }

        /// <summary>Writes each account removed.</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override void ProcessRecord()
        {
            var store = ResolveStore();
            foreach (string name in Name!)
            {
                if (store.Find(name) is not ChatAccount account)
                {
                    WriteError(Error(new ItemNotFoundException($"There is no account '{name}' in '{store.Location}'."), "AccountNotFound", ErrorCategory.ObjectNotFound, name));
                    continue;
                }

                if (!ShouldProcess($"{account.Name} in {store.Location}", "Remove chat account")) continue;
                try
                {
                    store.Remove(account.Name);
                    if (PassThru) Emit(account);
                }
                catch (System.Exception ex) when (ex is System.IO.IOException || ex is System.UnauthorizedAccessException)
                {
                    WriteError(Error(ex, "AccountStoreWriteFailed", ErrorCategory.WriteError, store.Location));
                }
            }
        }
    }
}
