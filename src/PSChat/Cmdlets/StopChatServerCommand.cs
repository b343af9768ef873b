using System.Management.Automation;
using PSChat.Commands.Completion;

namespace PSChat.Commands
{
    /// <summary>Stops servers, closing every client connection cleanly.</summary>
    [Cmdlet(VerbsLifecycle.Stop, "ChatServer", DefaultParameterSetName = ServerSelector.ByInputObject, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(ServerBase))]
    public sealed class StopChatServerCommand : PSChatCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = ServerSelector.ByInputObject, ValueFromPipeline = true, HelpMessage = "The server to stop, from Start-ChatServer or Get-ChatServer.")]
        [ValidateNotNull]
        public ServerBase[]? InputObject { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = ServerSelector.ByName, HelpMessage = "The name of the server to stop; wildcards allowed.")]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(ServerNameCompleter))]
        public string[]? Name { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = ServerSelector.ByPort, HelpMessage = "The port of the server to stop.")]
        [ValidateRange(0, 65535)]
        public int[]? Port { get; set; }

        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override void ProcessRecord()
        {
            var targets = ParameterSetName == ServerSelector.ByInputObject
                ? InputObject!
                : ServerSelector.Select(this, ParameterSetName, Name, Port, reportMissing: true);
            foreach (var server in targets)
            {
                if (!ShouldProcess($"{server.Name} ({server.Kind} on {server.EndPoint}, {server.ClientCount} clients)", "Stop chat server")) continue;
                WriteVerbose($"Stopping '{server.Name}' and closing {server.ClientCount} connections.");
                server.Stop();
                if (PassThru) Emit(server);
            }
        }
    }
}
