using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;

namespace PSChat.Commands.Bots
{
    /// <summary>The dispatcher's side: what a command line means, who may run it, and the built-ins.</summary>
    public sealed partial class ChatBot
    {
        // Only the dispatcher thread touches these two.
        private readonly Dictionary<string, SenderWindow> windows = new Dictionary<string, SenderWindow>(StringComparer.OrdinalIgnoreCase);
        private readonly Dictionary<int, BotRequest> confirmations = new Dictionary<int, BotRequest>();

        private void Handle(ChatMessage message)
        {
            int id = ++lastRequest;
            string text = message.Text.Substring(options.Prefix.Length).Trim();
            int space = text.IndexOf(' ');
            var request = new BotRequest(id, message, space < 0 ? text : text.Substring(0, space));
            Raise(request.Activity(ChatBotActivityKind.Received));

            // Throttled before it is parsed: a flood's lines cost a count each, nothing more.
            if (!TakeTurn(request)) return;
            var line = BotCommandLine.Parse(text, out string? refusal);
            string name = line?.Name ?? request.Name;
            if (line == null)
            {
                Deny(request, "I cannot run that: " + refusal, ErrorCategory.ParserError);
                return;
            }

            switch (name.ToLowerInvariant())
            {
                case "help":
                    Help(request, line);
                    return;
                case "confirm":
                    Confirm(request, line);
                    return;
                case "more":
                    More(request);
                    return;
            }

            if (!commands.TryGetValue(name, out var command))
            {
                Deny(request, $"There is no command '{name}'; say {options.Prefix}help for the list.", ErrorCategory.ObjectNotFound);
                return;
            }

            request.Command = command;
            if (Check(command, message) is string why)
            {
                Deny(request, $"Sorry {message.Sender}, you may not run {command.Name}: {why}.", ErrorCategory.PermissionDenied);
                return;
            }

            var powershell = PowerShell.Create();
            powershell.RunspacePool = pool;
            if (initScript != null) powershell.AddScript(initScript, false).AddStatement();
            powershell.AddCommand(command.InvokeName);
            if (!ChatBotBinder.TryBind(command, line, powershell, out refusal))
            {
                powershell.Dispose();
                Fail(request, refusal + " " + Usage(command), TimeSpan.Zero, ErrorCategory.InvalidArgument);
                return;
            }

            request.PowerShell = powershell;
            bool confirm = command.RequiresConfirmation || (command.Permission?.Confirm ?? false);
            if (confirm) AskConfirmation(request);
            else Launch(request);
        }

        /// <summary>Who may run a command where: null when allowed, else the reason.</summary>
        private static string? Check(ChatBotCommand command, ChatMessage message) =>
            command.Permission?.Check(message.Sender!, message.Account, message.Kind == ChatMessageKind.Private ? null : message.Room);

        /// <summary>
        /// -CommandsPerMinute per sender (account, else nick), in windows of a minute from the sender's first
        /// line; the sender is told once per window, and the lines after that are dropped in silence.
        /// </summary>
        private bool TakeTurn(BotRequest request)
        {
            if (options.CommandsPerMinute == 0) return true;
            var now = DateTime.UtcNow;
            if (windows.Count > 1000)
            {
                foreach (var stale in windows.Where(w => now - w.Value.Start >= TimeSpan.FromMinutes(1)).Select(w => w.Key).ToArray()) windows.Remove(stale);
            }

            if (!windows.TryGetValue(request.SenderKey, out var window) || now - window.Start >= TimeSpan.FromMinutes(1))
            {
                windows[request.SenderKey] = window = new SenderWindow { Start = now };
            }

            if (++window.Count <= options.CommandsPerMinute) return true;
            if (!window.Told)
            {
                window.Told = true;
                Refuse(request, $"{request.Message.Sender}, slow down: at most {options.CommandsPerMinute} commands a minute; I will listen again in a minute.", ErrorCategory.LimitsExceeded);
            }

            var activity = request.Activity(ChatBotActivityKind.Denied);
            activity.Reason = "throttled";
            Raise(activity);
            return false;
        }

        private void Deny(BotRequest request, string reply, ErrorCategory category)
        {
            var activity = request.Activity(ChatBotActivityKind.Denied);
            activity.Reason = reply;
            Refuse(request, reply, category);
            Raise(activity);
        }

        private void Fail(BotRequest request, string reply, TimeSpan duration, ErrorCategory category)
        {
            var activity = request.Activity(ChatBotActivityKind.Failed);
            activity.Reason = reply;
            activity.Duration = duration;
            Refuse(request, reply, category);
            Raise(activity);
        }

        private string Usage(ChatBotCommand command) =>
            command.Syntax.Length == 0 ? string.Empty : "Usage: " + string.Join(" | ", command.Syntax);

        private void Help(BotRequest request, BotCommandLine line)
        {
            var lines = new List<string>();
            var visible = Commands.Where(c => Check(c, request.Message) == null).ToArray();
            if (line.Arguments.Count == 0)
            {
                lines.Add($"Commands ({options.Prefix}help <command> for its parameters):");
                lines.AddRange(visible.Select(c => options.Prefix + c.Name + (c.Synopsis.Length > 0 ? " - " + c.Synopsis : string.Empty)));
                if (visible.Length == 0) lines.Add("none that you may run here.");
            }
            else
            {
                string wanted = line.Arguments[0].Value?.ToString() ?? string.Empty;
                var command = visible.FirstOrDefault(c => c.Name.Equals(wanted.TrimStart(options.Prefix.ToCharArray()), StringComparison.OrdinalIgnoreCase));
                if (command == null)
                {
                    lines.Add($"There is no command '{wanted}' that you may run here; say {options.Prefix}help for the list.");
                }
                else
                {
                    if (command.Synopsis.Length > 0) lines.Add(command.Synopsis);
                    lines.AddRange(command.Syntax.Select(s => "Usage: " + s));
                    lines.AddRange(command.DescribeParameters());
                    if (command.RequiresConfirmation || (command.Permission?.Confirm ?? false)) lines.Add($"It asks for {options.Prefix}confirm before it runs.");
                }
            }

            Reply(request, lines);
            Raise(request.Activity(ChatBotActivityKind.Finished));
        }

        private void AskConfirmation(BotRequest request)
        {
            var now = DateTime.UtcNow;
            foreach (var expired in confirmations.Values.Where(r => r.Expires <= now).ToArray())
            {
                confirmations.Remove(expired.Id);
                expired.PowerShell?.Dispose();
            }

            if (confirmations.Count >= ChatBotOptions.MaxConfirmations)
            {
                request.PowerShell!.Dispose();
                Deny(request, $"Too many commands are waiting for {options.Prefix}confirm; try again later.", ErrorCategory.LimitsExceeded);
                return;
            }

            request.Expires = now + options.ConfirmTimeout;
            confirmations[request.Id] = request;
            string who = request.Command!.Permission?.ConfirmBy == ChatBotConfirmer.Other
                ? "someone else allowed to run it must say"
                : "say";
            Reply(request, new[] { $"{request.Message.Text.Trim()} needs confirmation: {who} {options.Prefix}confirm {request.Id} within {options.ConfirmTimeout.TotalSeconds:0} s." });
            Raise(request.Activity(ChatBotActivityKind.Confirming));
        }

        private void Confirm(BotRequest confirmation, BotCommandLine line)
        {
            string given = line.Arguments.Count == 1 ? line.Arguments[0].Value?.ToString() ?? string.Empty : string.Empty;
            if (!int.TryParse(given, out int id) || !confirmations.TryGetValue(id, out var request) || request.Expires <= DateTime.UtcNow)
            {
                Deny(confirmation, $"Nothing is waiting for {options.Prefix}confirm {given}.".Replace("  ", " "), ErrorCategory.ObjectNotFound);
                return;
            }

            var command = request.Command!;
            if (command.Permission?.ConfirmBy == ChatBotConfirmer.Other && confirmation.SenderKey.Equals(request.SenderKey, StringComparison.OrdinalIgnoreCase))
            {
                Deny(confirmation, $"Someone other than {request.Message.Sender} must confirm request {id}.", ErrorCategory.PermissionDenied);
                return;
            }

            if (Check(command, confirmation.Message) is string why)
            {
                Deny(confirmation, $"Sorry {confirmation.Message.Sender}, you may not confirm {command.Name}: {why}.", ErrorCategory.PermissionDenied);
                return;
            }

            confirmations.Remove(id);
            if (command.Parameters.ContainsKey("Confirm")) request.PowerShell!.AddParameter("Confirm", false);
            request.ConfirmedBy = confirmation.Message.Sender;
            Reply(confirmation, new[] { $"Confirmed by {request.ConfirmedBy}: running request {id}." });
            Raise(confirmation.Activity(ChatBotActivityKind.Finished));
            Launch(request);
        }

        private void More(BotRequest request)
        {
            var lines = TakeMore(request.SenderKey);
            // Already a page: sent as it is, not capped again.
            Send(request, lines.Count == 0 ? new[] { "There is nothing more." } : (IReadOnlyList<string>)lines);
            Raise(request.Activity(ChatBotActivityKind.Finished));
        }

        private sealed class SenderWindow
        {
            public DateTime Start;
            public int Count;
            public bool Told;
        }
    }
}
