using System;
using System.IO;
using System.Linq;
using System.Management.Automation;

namespace PSChat.Commands
{
    /// <summary>
    /// Makes a module imported by path (Import-Module ./PSChat) findable by name in the runspaces this
    /// process starts later: thread jobs, ForEach-Object -Parallel and new runspaces begin with no modules
    /// and find cmdlets only through $env:PSModulePath. The folder that holds the PSChat folder is put
    /// first on the process's PSModulePath (once), so they load this same copy.
    /// </summary>
    public sealed class ModuleInitializer : IModuleAssemblyInitializer
    {
        public void OnImport()
        {
            ChatMessage.Codec = CliXmlCodec.Instance;
            string? moduleDir = Path.GetDirectoryName(typeof(ModuleInitializer).Assembly.Location);
            if (string.IsNullOrEmpty(moduleDir)) return;
            // Auto-loading finds <path entry>/PSChat/PSChat.psd1 only: a folder of another name is left alone.
            if (!string.Equals(Path.GetFileName(moduleDir), "PSChat", StringComparison.OrdinalIgnoreCase)) return;
            string? parent = Path.GetDirectoryName(moduleDir);
            if (string.IsNullOrEmpty(parent)) return;

            string current = Environment.GetEnvironmentVariable("PSModulePath") ?? string.Empty;
            var comparison = Path.DirectorySeparatorChar == '\\' ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
            bool listed = current.Split(Path.PathSeparator)
                .Any(entry => entry.Length > 0 && string.Equals(Path.GetFullPath(entry).TrimEnd('/', '\\'), parent!.TrimEnd('/', '\\'), comparison));
            if (listed) return;
            Environment.SetEnvironmentVariable("PSModulePath", current.Length == 0 ? parent : parent + Path.PathSeparator + current);
        }
    }
}
