using System.Linq;
using System.Management.Automation;

namespace PSChat.Commands
{
    /// <summary>Lists the accounts of an account store (names, certificates; never password hashes).</summary>
    [Cmdlet(VerbsCommon.Get, "ChatAccount", DefaultParameterSetName = PathSet)]
    [OutputType(typeof(ChatAccount))]
    public sealed class GetChatAccountCommand : AccountCmdlet
    {
        /// <summary>Only accounts whose name matches (wildcards allowed).</summary>
        [Parameter(Position = 0)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public string[]? Name { get; set; }

        protected override void ProcessRecord()
        {
            var accounts = ResolveStore().GetAll();
            foreach (var account in accounts)
            {
                if (Name == null || Name.Any(n => new WildcardPattern(n, WildcardOptions.IgnoreCase).IsMatch(account.Name))) Emit(account);
            }

            foreach (string name in Name ?? new string[0])
            {
                if (WildcardPattern.ContainsWildcardCharacters(name) || accounts.Any(a => new WildcardPattern(name, WildcardOptions.IgnoreCase).IsMatch(a.Name))) continue;
                WriteError(Error(new ItemNotFoundException($"There is no account '{name}'."), "AccountNotFound", ErrorCategory.ObjectNotFound, name));
            }
        }
    }
}
