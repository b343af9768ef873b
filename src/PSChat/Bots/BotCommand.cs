using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;

namespace PSChat.Commands.Bots
{
    /// <summary>One command a bot answers: its chat name, what runs, and what !help says about it.</summary>
    public sealed class ChatBotCommand
    {
        internal ChatBotCommand(string name, string invokeName)
        {
            Name = name;
            InvokeName = invokeName;
        }

        /// <summary>The name typed in chat after the prefix.</summary>
        public string Name { get; }

        /// <summary>What runs in the bot's runspaces (module-qualified for module commands).</summary>
        public string InvokeName { get; }

        /// <summary>From the command's comment-based help; empty when it has none.</summary>
        public string Synopsis { get; internal set; } = string.Empty;

        /// <summary>One line per parameter set, as !help shows it.</summary>
        public string[] Syntax { get; internal set; } = new string[0];

        /// <summary>SupportsShouldProcess with ConfirmImpact High: chat asks for !confirm before it runs.</summary>
        public bool RequiresConfirmation { get; internal set; }

        /// <summary>Who may run it and where (null: anyone, anywhere).</summary>
        public ChatBotPermission? Permission { get; internal set; }

        internal Dictionary<string, ParameterMetadata> Parameters { get; set; } = new Dictionary<string, ParameterMetadata>(StringComparer.OrdinalIgnoreCase);

        /// <summary>Parameter name to its help text, from comment-based help.</summary>
        internal Dictionary<string, string> ParameterHelp { get; set; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

        /// <summary>The lines of !help &lt;name&gt;: syntax, then each parameter with its type, constraints and help.</summary>
        internal IEnumerable<string> DescribeParameters()
        {
            foreach (var p in Parameters.Values.Where(p => !ChatBotBinder.IsCommon(p.Name)).OrderBy(p => p.Name, StringComparer.OrdinalIgnoreCase))
            {
                var facts = new List<string>();
                if (p.ParameterSets.Values.Any(s => s.IsMandatory)) facts.Add("required");
                foreach (var attribute in p.Attributes)
                {
                    if (attribute is ValidateSetAttribute set) facts.Add("one of " + string.Join(", ", set.ValidValues));
                    if (attribute is ValidateRangeAttribute range) facts.Add($"{range.MinRange} to {range.MaxRange}");
                }

                string type = p.SwitchParameter ? "switch" : p.ParameterType.Name;
                string line = $"-{p.Name} <{type}>";
                if (facts.Count > 0) line += " (" + string.Join("; ", facts) + ")";
                if (ParameterHelp.TryGetValue(p.Name, out string? help) && help.Length > 0) line += ": " + help;
                yield return line;
            }
        }
    }
}
