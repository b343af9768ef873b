using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace PSChat.Commands.Completion
{
    /// <summary>One thing a completer may offer: what is inserted, what the menu shows, and a tooltip.</summary>
    internal readonly struct Candidate
    {
        public Candidate(string value, string listItem, string toolTip)
        {
            Value = value;
            ListItem = listItem;
            ToolTip = toolTip;
        }

        public string Value { get; }

        public string ListItem { get; }

        public string ToolTip { get; }
    }

    /// <summary>The matching and quoting every PSChat completer shares.</summary>
    internal static class Completions
    {
        /// <summary>
        /// The candidates whose value starts with the typed word (wildcards allowed; a room matches with or
        /// without its '#'), quoted when the value would not survive as a bare word.
        /// </summary>
        public static IEnumerable<CompletionResult> Match(string? wordToComplete, IEnumerable<Candidate> candidates)
        {
            char quote = QuoteOf(wordToComplete);
            return candidates
                .Where(c => Matches(wordToComplete, c.Value))
                .Select(c => new CompletionResult(Quote(c.Value, quote), c.ListItem, CompletionResultType.ParameterValue, c.ToolTip))
                .ToArray();
        }

        public static bool Matches(string? wordToComplete, string value)
        {
            char quote = QuoteOf(wordToComplete);
            string typed = quote == '\0' ? wordToComplete ?? string.Empty : wordToComplete!.Trim(quote);
            var pattern = new WildcardPattern(typed + "*", WildcardOptions.IgnoreCase);
            return pattern.IsMatch(value) || (value.StartsWith("#", StringComparison.Ordinal) && pattern.IsMatch(value.Substring(1)));
        }

        private static char QuoteOf(string? word) => !string.IsNullOrEmpty(word) && (word![0] == '\'' || word[0] == '"') ? word[0] : '\0';

        /// <summary>A bare word unless PowerShell would read it as something else ('#' starts a comment).</summary>
        public static string Quote(string value, char quote = '\0')
        {
            if (quote == '"') return "\"" + value.Replace("`", "``").Replace("\"", "`\"").Replace("$", "`$") + "\"";
            if (quote == '\0' && value.Length > 0 && value.All(IsBareWordChar) && value[0] != '-') return value;
            return "'" + CodeGeneration.EscapeSingleQuotedStringContent(value) + "'";
        }

        private static bool IsBareWordChar(char c) => char.IsLetterOrDigit(c) || c == '_' || c == '.' || c == '-' || c == ':' || c == '*';

        /// <summary>
        /// The session a command line names with -Session (a variable, or the expression
        /// <see cref="SessionCompleter"/> inserts) or -SessionId, else the default session.
        /// </summary>
        public static ChatSession? BoundSession(IDictionary fakeBoundParameters, CommandAst commandAst)
        {
            if (fakeBoundParameters.Contains("Session"))
            {
                object? value = fakeBoundParameters["Session"];
                if ((value is PSObject ps ? ps.BaseObject : value) is ChatSession session) return session;
            }

            object? id = fakeBoundParameters.Contains("SessionId") ? fakeBoundParameters["SessionId"] : SessionIdInExpression(commandAst);
            if (id != null && LanguagePrimitives.TryConvertTo(id, out int sessionId)) return ModuleState.FindSession(sessionId);
            return ModuleState.DefaultSession;
        }

        /// <summary>
        /// The id in "-Session (Get-ChatSession -Id N)": completion does not evaluate commands, but this one
        /// only reads the registry, so its constant id can be read straight from the syntax tree.
        /// </summary>
        private static object? SessionIdInExpression(CommandAst commandAst)
        {
            var elements = commandAst.CommandElements;
            for (int i = 0; i < elements.Count - 1; i++)
            {
                if (!(elements[i] is CommandParameterAst parameter) || !string.Equals(parameter.ParameterName, "Session", StringComparison.OrdinalIgnoreCase)) continue;
                if (!((parameter.Argument ?? elements[i + 1]) is ParenExpressionAst paren)) return null;
                if (!(paren.Pipeline is PipelineAst pipeline) || pipeline.PipelineElements.Count != 1 || !(pipeline.PipelineElements[0] is CommandAst inner)) return null;
                if (!string.Equals(inner.GetCommandName(), "Get-ChatSession", StringComparison.OrdinalIgnoreCase)) return null;
                var innerElements = inner.CommandElements;
                for (int j = 1; j < innerElements.Count - 1; j++)
                {
                    if (innerElements[j] is CommandParameterAst idParameter && string.Equals(idParameter.ParameterName, "Id", StringComparison.OrdinalIgnoreCase)
                        && innerElements[j + 1] is ConstantExpressionAst constant)
                    {
                        return constant.Value;
                    }
                }

                return null;
            }

            return null;
        }
    }

    /// <summary>
    /// Open sessions: -Session gets an expression that finds the session, -SessionId/-Id its id, -Name its
    /// name (Get-ChatSession). The typed word matches an id or a name.
    /// </summary>
    public sealed class SessionCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            var sessions = ModuleState.Sessions;
            if (string.Equals(parameterName, "Name", StringComparison.OrdinalIgnoreCase))
            {
                return Completions.Match(wordToComplete, sessions.Where(s => s.Name != null).Select(s => new Candidate(s.Name!, s.Name!, s.ToString())));
            }

            bool byId = !string.Equals(parameterName, "Session", StringComparison.OrdinalIgnoreCase);
            var results = new List<CompletionResult>();
            foreach (var s in sessions)
            {
                string listItem = $"{s.Id} {s.Name}".TrimEnd();
                string id = s.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
                if (!Completions.Matches(wordToComplete, id) && !(s.Name != null && Completions.Matches(wordToComplete, s.Name))) continue;
                string text = byId ? id : $"(Get-ChatSession -Id {id})";
                results.Add(new CompletionResult(text, listItem, CompletionResultType.ParameterValue, s.ToString()));
            }

            return results;
        }
    }

    /// <summary>
    /// The rooms of the session on the command line (or of the default session); for Connect-ChatRoom, the
    /// rooms of the servers this PowerShell session runs. '#' names are quoted.
    /// </summary>
    public sealed class RoomCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            IEnumerable<string> rooms;
            if (string.Equals(commandName, "Connect-ChatRoom", StringComparison.OrdinalIgnoreCase))
            {
                // No session yet: the rooms of the servers here, of the one on -Port when given.
                var servers = ModuleState.Servers.OfType<ChatServer>();
                if (fakeBoundParameters.Contains("Port") && LanguagePrimitives.TryConvertTo(fakeBoundParameters["Port"], out int port)) servers = servers.Where(s => s.Port == port);
                rooms = servers.SelectMany(s => s.Rooms);
            }
            else
            {
                rooms = Completions.BoundSession(fakeBoundParameters, commandAst)?.Rooms ?? new string[0];
            }

            return Completions.Match(wordToComplete, rooms.Distinct(StringComparer.OrdinalIgnoreCase).Select(r => new Candidate(r, r, r)));
        }
    }

    /// <summary>
    /// The nicks in the rooms of the session on the command line (or of the default session), those of
    /// the room given with -Room first; the session's own nick is left out.
    /// </summary>
    public sealed class NickCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            var session = Completions.BoundSession(fakeBoundParameters, commandAst);
            if (session == null) return new CompletionResult[0];
            string? room = fakeBoundParameters.Contains("Room") ? fakeBoundParameters["Room"] as string : null;
            var nicks = (room != null ? session.GetMembers(room) : new string[0]).Concat(session.GetMembers())
                .Where(n => !string.Equals(n, session.Name, StringComparison.OrdinalIgnoreCase))
                .Distinct(StringComparer.OrdinalIgnoreCase);
            return Completions.Match(wordToComplete, nicks.Select(n => new Candidate(n, n, room != null ? $"{n} ({room})" : n)));
        }
    }

    /// <summary>The names of the servers this PowerShell session runs (Get-ChatServer, Stop-ChatServer).</summary>
    public sealed class ServerNameCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters) =>
            Completions.Match(wordToComplete, ModuleState.Servers.Select(s => new Candidate(s.Name, s.Name, s.ToString())));
    }
}
