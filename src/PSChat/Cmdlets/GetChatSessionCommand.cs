using System.Linq;
using System.Management.Automation;
using PSChat.Commands.Completion;

namespace PSChat.Commands
{
    /// <summary>Lists the open chat sessions of this PowerShell session.</summary>
    [Cmdlet(VerbsCommon.Get, "ChatSession", DefaultParameterSetName = ByName)]
    [OutputType(typeof(ChatSession))]
    public sealed class GetChatSessionCommand : PSChatCmdlet
    {
        private const string ByName = "Name";
        private const string ById = "Id";

        [Parameter(Position = 0, ParameterSetName = ByName)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(SessionCompleter))]
        public string[]? Name { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = ById, ValueFromPipelineByPropertyName = true)]
        [Alias("SessionId")]
        [ArgumentCompleter(typeof(SessionCompleter))]
        public int[]? Id { get; set; }

        protected override void ProcessRecord()
        {
            var sessions = ModuleState.Sessions;
            switch (ParameterSetName)
            {
                case ByName:
                    var patterns = Name?.Select(n => new WildcardPattern(n, WildcardOptions.IgnoreCase)).ToArray();
                    foreach (var s in sessions)
                    {
                        if (patterns == null || patterns.Any(p => p.IsMatch(s.Name ?? string.Empty))) Emit(s);
                    }

                    break;
                case ById:
                    foreach (int id in Id!)
                    {
                        var s = ModuleState.FindSession(id);
                        if (s != null) Emit(s);
                        else WriteError(Error(new ItemNotFoundException($"No open chat session has id {id}."), "SessionNotFound", ErrorCategory.ObjectNotFound, id));
                    }

                    break;
                default:
                    throw new PSInvalidOperationException("Unknown parameter set " + ParameterSetName);
            }
        }
    }
}
