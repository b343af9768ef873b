using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;

namespace PSChat.Commands
{
    /// <summary>Finds servers by name (wildcards) or port for Get-ChatServer and Stop-ChatServer.</summary>
    internal static class ServerSelector
    {
        public const string ByName = "Name";
        public const string ByPort = "Port";
        public const string ByInputObject = "InputObject";

        public static IEnumerable<ServerBase> Select(PSChatCmdlet cmdlet, string parameterSet, string[]? names, int[]? ports, bool reportMissing)
        {
            var all = ModuleState.Servers;
            switch (parameterSet)
            {
                case ByName:
                    if (names == null) return all;
                    return names.SelectMany(n => Match(cmdlet, all, n, reportMissing)).Distinct().ToArray();
                case ByPort:
                    return ports!.SelectMany(p =>
                    {
                        var found = all.Where(s => s.Port == p).ToArray();
                        if (found.Length == 0 && reportMissing) NotFound(cmdlet, $"No server is listening on port {p}.", p);
                        return found;
                    }).Distinct().ToArray();
                default:
                    throw new InvalidOperationException("Unknown parameter set " + parameterSet);
            }
        }

        private static IEnumerable<ServerBase> Match(PSChatCmdlet cmdlet, IReadOnlyList<ServerBase> all, string name, bool reportMissing)
        {
            var pattern = new WildcardPattern(name, WildcardOptions.IgnoreCase);
            var found = all.Where(s => pattern.IsMatch(s.Name)).ToArray();
            if (found.Length == 0 && reportMissing && !WildcardPattern.ContainsWildcardCharacters(name))
            {
                NotFound(cmdlet, $"No server is named '{name}'.", name);
            }

            return found;
        }

        private static void NotFound(PSChatCmdlet cmdlet, string message, object target) =>
            cmdlet.WriteError(new ErrorRecord(new ItemNotFoundException(message), "ServerNotFound", ErrorCategory.ObjectNotFound, target));
    }
}
