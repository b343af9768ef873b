using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;

namespace PSChat.Commands.Bots
{
    /// <summary>
    /// What a bot's runspaces start with, built from what Start-ChatBot was given in the caller's
    /// session: functions are copied by definition (a module's exported ones import their module, so
    /// its private helpers come along), cmdlets and -Module import their module, a hashtable's script
    /// blocks become functions of those names.
    /// </summary>
    internal sealed class ChatBotSetup
    {
        private readonly List<(string Name, string InvokeName)> commands = new List<(string, string)>();
        private readonly HashSet<string> modules = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

        public ChatBotSetup()
        {
            State = InitialSessionState.CreateDefault2();
        }

        public InitialSessionState State { get; }

        public bool IsEmpty => commands.Count == 0;

        /// <summary>A name, a CommandInfo, or a hashtable of name = script block.</summary>
        public void AddCommand(object item, Func<string, CommandInfo?> find)
        {
            item = item is PSObject wrapped ? wrapped.BaseObject : item;
            switch (item)
            {
                case string name:
                    AddCommand(find(name) ?? throw new ItemNotFoundException($"There is no command '{name}' to serve: define or import it first."), name);
                    break;
                case CommandInfo info:
                    AddCommand(info, info.Name);
                    break;
                case IDictionary table:
                    foreach (DictionaryEntry entry in table)
                    {
                        string name = entry.Key?.ToString() ?? string.Empty;
                        var body = (entry.Value is PSObject o ? o.BaseObject : entry.Value) as ScriptBlock
                            ?? throw new ArgumentException($"The command '{name}' must be a script block.");
                        AddFunction(name, body.ToString());
                    }

                    break;
                default:
                    throw new ArgumentException($"A bot command is a name, a CommandInfo (Get-Command) or a hashtable of name = script block, not {item?.GetType().Name ?? "null"}.");
            }
        }

        /// <summary>Every command the module exports becomes a bot command.</summary>
        public void AddModule(PSModuleInfo module)
        {
            foreach (var command in module.ExportedCommands.Values) AddCommand(command, command.Name);
        }

        private void AddCommand(CommandInfo info, string chatName)
        {
            if (info is AliasInfo alias && alias.ResolvedCommand != null)
            {
                AddCommand(alias.ResolvedCommand, alias.Name);
                return;
            }

            string? modulePath = info.Module == null ? null : ModulePath(info.Module);
            switch (info)
            {
                case FunctionInfo function when modulePath != null && info.Module!.ExportedFunctions.ContainsKey(function.Name):
                    Import(modulePath);
                    commands.Add((chatName, info.Module.Name + "\\" + function.Name));
                    break;
                case FunctionInfo function:
                    AddFunction(chatName, function.Definition);
                    break;
                case CmdletInfo cmdlet when modulePath != null:
                    Import(modulePath);
                    commands.Add((chatName, info.Module!.Name + "\\" + cmdlet.Name));
                    break;
                case CmdletInfo cmdlet:
                    commands.Add((chatName, cmdlet.Name));
                    break;
                case ExternalScriptInfo script:
                    commands.Add((Path.GetFileNameWithoutExtension(script.Path), script.Path));
                    break;
                default:
                    throw new ArgumentException($"'{info.Name}' is a {info.CommandType}; a bot serves functions, cmdlets and scripts (wrap it in a function).");
            }
        }

        private void AddFunction(string name, string definition)
        {
            // An alias of the same name (echo, ls, ...) would win over the function in the bot's runspaces.
            State.Commands.Remove(name, typeof(SessionStateAliasEntry));
            State.Commands.Add(new SessionStateFunctionEntry(name, definition));
            commands.Add((name, name));
        }

        private void Import(string path)
        {
            if (modules.Add(path)) State.ImportPSModule(new[] { path });
        }

        /// <summary>The manifest where there is one (its nested and required modules come along), else the module's file; null for in-memory modules.</summary>
        private static string? ModulePath(PSModuleInfo module)
        {
            if (string.IsNullOrEmpty(module.ModuleBase)) return null;
            string manifest = Path.Combine(module.ModuleBase, module.Name + ".psd1");
            if (File.Exists(manifest)) return manifest;
            return File.Exists(module.Path) ? module.Path : null;
        }

        /// <summary>
        /// Opens the pool and reads each command as the runspaces see it: parameters, syntax and
        /// comment-based help for !help, and whether it asks for confirmation.
        /// </summary>
        public List<ChatBotCommand> Describe(RunspacePool pool, string prefix, IDictionary<string, ChatBotPermission> permissions)
        {
            var described = new List<ChatBotCommand>();
            using (var powershell = PowerShell.Create())
            {
                powershell.RunspacePool = pool;
                powershell.AddScript(DescribeScript).AddArgument(commands.Select(c => c.InvokeName).ToArray());
                var results = powershell.Invoke();
                if (powershell.HadErrors && powershell.Streams.Error.Count > 0)
                {
                    throw new InvalidOperationException("The bot's runspaces could not load its commands: " + powershell.Streams.Error[0]);
                }

                for (int i = 0; i < commands.Count; i++)
                {
                    var result = results[i];
                    object? Base(string property) => result.Properties[property].Value is PSObject o ? o.BaseObject : result.Properties[property].Value;
                    var info = (CommandInfo)Base("Command")!;
                    var command = new ChatBotCommand(commands[i].Name, commands[i].InvokeName)
                    {
                        Synopsis = (string)Base("Synopsis")!,
                        Syntax = SyntaxLines((string)Base("Syntax")!, prefix + commands[i].Name),
                        RequiresConfirmation = ConfirmsHigh(info),
                        Permission = PermissionFor(commands[i].Name, permissions),
                    };
                    foreach (var parameter in info.Parameters.Values) command.Parameters[parameter.Name] = parameter;
                    foreach (DictionaryEntry entry in (Hashtable)Base("ParameterHelp")!)
                    {
                        command.ParameterHelp[entry.Key.ToString()!] = entry.Value?.ToString() ?? string.Empty;
                    }

                    described.Add(command);
                }
            }

            return described;
        }

        /// <summary>An exact name first, then the first wildcard pattern that matches.</summary>
        private static ChatBotPermission? PermissionFor(string name, IDictionary<string, ChatBotPermission> permissions)
        {
            if (permissions.TryGetValue(name, out var exact)) return exact;
            return permissions.Where(p => WildcardPattern.ContainsWildcardCharacters(p.Key) && new WildcardPattern(p.Key, WildcardOptions.IgnoreCase).IsMatch(name))
                .Select(p => p.Value).FirstOrDefault();
        }

        private static bool ConfirmsHigh(CommandInfo info)
        {
            switch (info)
            {
                case FunctionInfo function:
                    return function.ScriptBlock.Attributes.OfType<CmdletBindingAttribute>().Any(a => a.SupportsShouldProcess && a.ConfirmImpact == ConfirmImpact.High);
                case ExternalScriptInfo script:
                    return script.ScriptBlock.Attributes.OfType<CmdletBindingAttribute>().Any(a => a.SupportsShouldProcess && a.ConfirmImpact == ConfirmImpact.High);
                case CmdletInfo cmdlet:
                    return cmdlet.ImplementingType.GetCustomAttributes(typeof(CmdletAttribute), true).OfType<CmdletAttribute>()
                        .Any(a => a.SupportsShouldProcess && a.ConfirmImpact == ConfirmImpact.High);
                default:
                    return false;
            }
        }

        /// <summary>Get-Command -Syntax's lines with the chat name in front and the common parameters left out (chat may not use them).</summary>
        private static string[] SyntaxLines(string syntax, string chatName) =>
            syntax.Replace("\r\n", "\n").Split('\n')
                .Select(l => l.Trim())
                .Where(l => l.Length > 0)
                .Select(l =>
                {
                    int space = l.IndexOf(' ');
                    string rest = space < 0 ? string.Empty : l.Substring(space);
                    rest = rest.Replace("[<CommonParameters>]", string.Empty).Replace("[-WhatIf]", string.Empty).Replace("[-Confirm]", string.Empty);
                    return (chatName + " " + string.Join(" ", rest.Split(new[] { ' ' }, StringSplitOptions.RemoveEmptyEntries))).Trim();
                })
                .ToArray();

        private const string DescribeScript = @"
param([string[]] $Names)
foreach ($name in $Names) {
    $command = Get-Command -Name $name -ErrorAction Stop
    $help = Get-Help -Name $command.Name -ErrorAction SilentlyContinue
    $synopsis = ''
    if ($help -and $help.Synopsis -and $help.Synopsis.Trim() -notmatch ('^' + [regex]::Escape($command.Name) + '(\s|$)')) {
        $synopsis = ($help.Synopsis.Trim() -split '\r?\n')[0]
    }
    $parameterHelp = @{}
    foreach ($parameter in @($help.parameters.parameter)) {
        if ($parameter -and $parameter.description) {
            $parameterHelp[[string]$parameter.name] = ((@($parameter.description) | ForEach-Object Text) -join ' ').Trim()
        }
    }
    [pscustomobject]@{
        Command       = $command
        Synopsis      = $synopsis
        Syntax        = (Get-Command -Name $name -Syntax | Out-String)
        ParameterHelp = $parameterHelp
    }
}
";
    }
}
