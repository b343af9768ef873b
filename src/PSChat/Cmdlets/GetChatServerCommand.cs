using System.Management.Automation;
using PSChat.Commands.Completion;

namespace PSChat.Commands
{
    /// <summary>Lists the servers this session runs (chat and greeting).</summary>
    [Cmdlet(VerbsCommon.Get, "ChatServer", DefaultParameterSetName = ServerSelector.ByName)]
    [OutputType(typeof(ServerBase))]
    public sealed class GetChatServerCommand : PSChatCmdlet
    {
        [Parameter(Position = 0, ParameterSetName = ServerSelector.ByName, ValueFromPipelineByPropertyName = true)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(ServerNameCompleter))]
        public string[]? Name { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = ServerSelector.ByPort)]
        [ValidateRange(0, 65535)]
        public int[]? Port { get; set; }

        protected override void ProcessRecord()
        {
            foreach (var server in ServerSelector.Select(this, ParameterSetName, Name, Port, reportMissing: true))
            {
                Emit(server);
            }
        }
    }
}
