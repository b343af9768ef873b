using System;
using System.Collections;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Threading;
using PSChat.Commands.Bots;
using PSChat.Commands.Completion;

namespace PSChat.Commands
{
    /// <summary>
    /// Serves PowerShell commands to a chat: "!name args" runs the command with its arguments bound by
    /// PowerShell's binder (literal values only), in a runspace pool, and replies with its output.
    /// </summary>
    [Cmdlet(VerbsLifecycle.Start, "ChatBot")]
    [OutputType(typeof(ChatBot))]
    [OutputType(typeof(ChatBotActivity))]
    public sealed class StartChatBotCommand : PSChatCmdlet
    {
        private readonly List<ChatSession> sessions = new List<ChatSession>();

        /// <summary>The sessions the bot listens and answers on, one bot for all (default: the newest open one).</summary>
        [Parameter(ValueFromPipeline = true)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(SessionCompleter))]
        public ChatSession[]? Session { get; set; }

        /// <summary>Function or cmdlet names, CommandInfo objects (Get-Command), or a hashtable of name = script block.</summary>
        [Parameter(Position = 0)]
        [ValidateNotNullOrEmpty]
        public object[]? Command { get; set; }

        /// <summary>Modules (names, paths or Get-Module objects) whose every exported command the bot serves.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public object[]? Module { get; set; }

        /// <summary>What a command line starts with.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        [ValidatePattern(@"^\S{1,8}$")]
        public string Prefix { get; set; } = "!";

        /// <summary>Per command name (or wildcard pattern): @{ Account = ...; Nick = ...; Room = ...; Confirm = $true; ConfirmBy = 'Other' }.</summary>
        [Parameter]
        [ValidateNotNull]
        public Hashtable? Permission { get; set; }

        /// <summary>Commands that run at once (the runspace pool's size); more wait their turn.</summary>
        [Parameter]
        [ValidateRange(1, 64)]
        public int ThrottleLimit { get; set; } = 4;

        /// <summary>Seconds a command may run before it is stopped and its caller told.</summary>
        [Parameter]
        [ValidateRange(1, 86400)]
        public int TimeoutSec { get; set; } = 30;

        /// <summary>Run in each of the bot's runspaces before its first command (helpers, imports, variables).</summary>
        [Parameter]
        [ValidateNotNull]
        public ScriptBlock? InitializationScript { get; set; }

        /// <summary>Columns output is formatted to (Out-String -Width).</summary>
        [Parameter]
        [ValidateRange(20, 400)]
        public int Width { get; set; } = 100;

        /// <summary>Lines a reply shows; the rest wait for the caller's !more.</summary>
        [Parameter]
        [ValidateRange(1, 1000)]
        public int MaxReplyLines { get; set; } = 10;

        /// <summary>Command lines a sender (account, else nick) may send a minute; 0: no limit.</summary>
        [Parameter]
        [ValidateRange(0, 100000)]
        public int CommandsPerMinute { get; set; } = 20;

        /// <summary>Streams besides output and errors that are replied: Warning, Information (Write-Host), Verbose.</summary>
        [Parameter]
        [ValidateSet("Warning", "Information", "Verbose")]
        public string[] Stream { get; set; } = { "Warning", "Information" };

        /// <summary>Run in the foreground, writing the bot's activity until Ctrl+C (which stops the bot).</summary>
        [Parameter]
        public SwitchParameter Wait { get; set; }

        /// <summary>How deep the objects an answer to Invoke-ChatRequest carries are serialized.</summary>
        [Parameter]
        [ValidateRange(1, 100)]
        public int Depth { get; set; } = 2;

        /// <summary>Sessions from the parameter or the pipeline: one bot serves them all, started once they are known.</summary>
        protected override void ProcessRecord()
        {
            foreach (var given in Session ?? new ChatSession[0])
            {
                if (given != null && !sessions.Contains(given)) sessions.Add(given);
            }
        }

        protected override void EndProcessing()
        {
            if (sessions.Count == 0) sessions.Add(ResolveSession(null, 0));
            var session = sessions[0];
            if (Command == null && Module == null)
            {
                ThrowTerminatingError(Error(new ArgumentException("Give the bot something to serve: -Command, -Module, or both."), "ChatBotNoCommands", ErrorCategory.InvalidArgument, session));
            }

            var options = Options();
            var setup = new ChatBotSetup();
            try
            {
                foreach (object item in Command ?? new object[0]) setup.AddCommand(item, name => InvokeCommand.GetCommand(name, CommandTypes.Function | CommandTypes.Cmdlet | CommandTypes.Alias | CommandTypes.ExternalScript | CommandTypes.Filter));
                foreach (object item in Module ?? new object[0]) setup.AddModule(ResolveModule(item));
            }
            catch (Exception e) when (e is ArgumentException || (e is RuntimeException && !(e is PipelineStoppedException)))
            {
                ThrowTerminatingError(Error(e, "ChatBotCommandInvalid", ErrorCategory.InvalidArgument, session));
            }

            if (options.Verbose) setup.State.Variables.Add(new SessionStateVariableEntry("VerbosePreference", ActionPreference.Continue, string.Empty));
            var pool = RunspaceFactory.CreateRunspacePool(setup.State);
            pool.SetMinRunspaces(1);
            pool.SetMaxRunspaces(ThrottleLimit + 1); // one more for formatting output while every slot runs a command
            pool.ThreadOptions = PSThreadOptions.ReuseThread;
            List<ChatBotCommand> commands;
            try
            {
                pool.Open();
                commands = setup.Describe(pool, Prefix, options.Permissions);
            }
            catch (Exception e) when (!(e is PipelineStoppedException))
            {
                pool.Dispose();
                ThrowTerminatingError(Error(e, "ChatBotCommandsNotLoaded", ErrorCategory.InvalidOperation, session));
                return;
            }

            var bot = new ChatBot(sessions, options, commands, pool);
            WriteVerbose($"Bot #{bot.Id} serves {string.Join(", ", commands.Select(c => Prefix + c.Name))} on session {string.Join(", ", sessions.Select(s => s.Id))}.");
            if (!Wait)
            {
                ChatBotRegistry.Add(bot);
                bot.Start();
                Emit(bot);
                return;
            }

            RunInForeground(bot);
        }

        /// <summary>The bot's activity, queued on its threads, written here until Ctrl+C or the bot stops; then the bot stops.</summary>
        private void RunInForeground(ChatBot bot)
        {
            using (var activities = new BlockingCollection<ChatBotActivity>(10000))
            using (var ending = CancellationTokenSource.CreateLinkedTokenSource(StopToken, bot.Stopping))
            {
                EventHandler<ChatBotActivity> queue = (sender, a) => activities.TryAdd(a);
                bot.Activity += queue;
                ChatBotRegistry.Add(bot);
                bot.Start();
                WriteVerbose("Serving in the foreground; press Ctrl+C to stop.");
                try
                {
                    while (true)
                    {
                        if (!activities.TryTake(out var activity, Timeout.Infinite, ending.Token)) break;
                        Emit(activity);
                    }
                }
                catch (OperationCanceledException)
                {
                }
                finally
                {
                    bot.Activity -= queue;
                    bot.Stop(StopToken.IsCancellationRequested ? "stopped (Ctrl+C)" : bot.StopReason ?? "stopped");
                }

                if (StopToken.IsCancellationRequested) return;
                while (activities.TryTake(out var rest)) Emit(rest);
                WriteVerbose($"Bot #{bot.Id} stopped: {bot.StopReason}.");
            }
        }

        private ChatBotOptions Options()
        {
            var options = new ChatBotOptions
            {
                Prefix = Prefix,
                ThrottleLimit = ThrottleLimit,
                Timeout = TimeSpan.FromSeconds(TimeoutSec),
                Width = Width,
                MaxReplyLines = MaxReplyLines,
                CommandsPerMinute = CommandsPerMinute,
                Warnings = Stream.Contains("Warning", StringComparer.OrdinalIgnoreCase),
                Information = Stream.Contains("Information", StringComparer.OrdinalIgnoreCase),
                Verbose = Stream.Contains("Verbose", StringComparer.OrdinalIgnoreCase),
                InitializationScript = InitializationScript?.ToString(),
                Depth = Depth,
            };
            foreach (DictionaryEntry entry in Permission ?? new Hashtable())
            {
                string name = entry.Key?.ToString() ?? string.Empty;
                object? value = entry.Value is PSObject o ? o.BaseObject : entry.Value;
                try
                {
                    options.Permissions[name] = value as ChatBotPermission ?? ChatBotPermission.FromHashtable(value as IDictionary ?? throw new ArgumentException($"The permission for '{name}' must be a hashtable."));
                }
                catch (Exception e) when (e is ArgumentException || e is PSInvalidCastException)
                {
                    ThrowTerminatingError(Error(new ArgumentException($"-Permission '{name}': {e.Message}", e), "ChatBotPermissionInvalid", ErrorCategory.InvalidArgument, Permission));
                }
            }

            return options;
        }

        private PSModuleInfo ResolveModule(object item)
        {
            item = item is PSObject o ? o.BaseObject : item;
            if (item is PSModuleInfo module) return module;
            string name = item?.ToString() ?? string.Empty;
            // Imported here too, to list what it exports (and so that Get-Command finds what the bot serves).
            var found = InvokeCommand.InvokeScript("param($n) Import-Module -Name $n -PassThru -ErrorAction Stop", false, PipelineResultTypes.None, null, name);
            return found.Select(r => r.BaseObject).OfType<PSModuleInfo>().FirstOrDefault()
                ?? throw new ItemNotFoundException($"There is no module '{name}'.");
        }
    }
}
