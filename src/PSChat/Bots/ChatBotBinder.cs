using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Internal;

namespace PSChat.Commands.Bots
{
    /// <summary>
    /// Turns a chat command line into the parameters and arguments of a PowerShell invocation. Only the
    /// pairing is done here (PowerShell's API, unlike its parser, takes "-Name value" as a switch and a
    /// positional value): binding, validation, conversion and parameter sets are left to PowerShell's binder.
    /// Common parameters are refused from chat: -OutVariable or -ErrorAction would reach into the bot's
    /// runspaces, and -Confirm:$false would skip the confirmation the bot asks for.
    /// </summary>
    internal static class ChatBotBinder
    {
        private static readonly string[] commonNames = CommonNames();

        public static bool IsCommon(string name) => commonNames.Contains(name, StringComparer.OrdinalIgnoreCase);

        /// <summary>Adds the line's arguments to <paramref name="powershell"/>'s last command; a refusal is a sentence for the caller.</summary>
        public static bool TryBind(ChatBotCommand command, BotCommandLine line, PowerShell powershell, out string? refusal)
        {
            var args = line.Arguments;
            for (int i = 0; i < args.Count; i++)
            {
                var arg = args[i];
                if (arg.Parameter == null)
                {
                    powershell.AddArgument(arg.Value);
                    continue;
                }

                if (!TryResolve(command, arg.Parameter, out ParameterMetadata? parameter, out refusal)) return false;
                if (parameter == null)
                {
                    // Unknown to us (a dynamic parameter, or a typo): the binder has the last word.
                    powershell.AddParameter(arg.Parameter, arg.HasValue ? arg.Value : true);
                    continue;
                }

                if (arg.HasValue || parameter.SwitchParameter)
                {
                    powershell.AddParameter(parameter.Name, arg.HasValue ? arg.Value : true);
                    continue;
                }

                if (i + 1 >= args.Count || args[i + 1].Parameter != null)
                {
                    refusal = $"-{parameter.Name} needs a value.";
                    return false;
                }

                powershell.AddParameter(parameter.Name, args[++i].Value);
            }

            refusal = null;
            return true;
        }

        /// <summary>
        /// The parameter a typed name means: exact name or alias, else a unique prefix, as the binder does.
        /// A name that could mean a common parameter is refused.
        /// </summary>
        private static bool TryResolve(ChatBotCommand command, string typed, out ParameterMetadata? parameter, out string? refusal)
        {
            refusal = null;
            parameter = command.Parameters.Values.FirstOrDefault(p => !IsCommon(p.Name) &&
                (p.Name.Equals(typed, StringComparison.OrdinalIgnoreCase) || p.Aliases.Contains(typed, StringComparer.OrdinalIgnoreCase)));
            if (parameter != null) return true;

            if (commonNames.Any(n => n.StartsWith(typed, StringComparison.OrdinalIgnoreCase)))
            {
                refusal = $"-{typed} is not available from chat.";
                return false;
            }

            var candidates = command.Parameters.Values.Where(p => !IsCommon(p.Name) && p.Name.StartsWith(typed, StringComparison.OrdinalIgnoreCase)).ToArray();
            if (candidates.Length > 1)
            {
                refusal = $"-{typed} is ambiguous: " + string.Join(", ", candidates.Select(p => "-" + p.Name)) + ".";
                return false;
            }

            parameter = candidates.FirstOrDefault();
            return true;
        }

        /// <summary>The common and ShouldProcess parameters with their aliases, read from PowerShell itself (7 added -ProgressAction).</summary>
        private static string[] CommonNames()
        {
            var names = new List<string>();
            foreach (var type in new[] { typeof(CommonParameters), typeof(ShouldProcessParameters) })
            {
                foreach (var property in type.GetProperties())
                {
                    names.Add(property.Name);
                    foreach (AliasAttribute alias in property.GetCustomAttributes(typeof(AliasAttribute), false))
                    {
                        names.AddRange(alias.AliasNames);
                    }
                }
            }

            names.Add("UseTransaction");
            names.Add("usetx");
            return names.Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
        }
    }
}
