using System.Management.Automation;

namespace PSChat.Commands
{
    /// <summary>
    /// Remove-Module does not unload the assembly, so without this a listener would outlive the module.
    /// Only what the removing runspace started is stopped.
    /// </summary>
    public sealed class ModuleCleanup : IModuleAssemblyCleanup
    {
        public void OnRemove(PSModuleInfo psModuleInfo)
        {
            Bots.ChatBotRegistry.StopOwnedByCurrentRunspace();
            ModuleState.ClearOwnedByCurrentRunspace();
        }
    }
}
