using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation.Language;

namespace PSChat.Commands.Bots
{
    /// <summary>One element of a chat command line after the command name: a parameter name, a value, or both.</summary>
    internal sealed class BotArgument
    {
        public BotArgument(string? parameter, object? value, bool hasValue)
        {
            Parameter = parameter;
            Value = value;
            HasValue = hasValue;
        }

        /// <summary>The name after the dash (as typed, perhaps a prefix or an alias); null for a positional value.</summary>
        public string? Parameter { get; }

        /// <summary>A string, or an array of strings; numbers keep the text they were typed as.</summary>
        public object? Value { get; }

        /// <summary>-Name:value carries its value; -Name alone does not (a switch, or the next element is its value).</summary>
        public bool HasValue { get; }
    }

    /// <summary>
    /// A chat line read as one PowerShell command invocation by PowerShell's own parser, keeping only
    /// literal values: chat text is never evaluated. A line with anything that would run code or read
    /// state (subexpressions, variables, script blocks, pipelines, redirections) is refused whole with
    /// a reason, never half-run.
    /// </summary>
    internal sealed class BotCommandLine
    {
        private BotCommandLine(string name, IReadOnlyList<BotArgument> arguments)
        {
            Name = name;
            Arguments = arguments;
        }

        public string Name { get; }

        public IReadOnlyList<BotArgument> Arguments { get; }

        /// <summary>Parses the text after the prefix; null with <paramref name="refusal"/> set when it is not a plain command line.</summary>
        public static BotCommandLine? Parse(string text, out string? refusal)
        {
            var ast = Parser.ParseInput(text, out _, out ParseError[] errors);
            if (errors.Length > 0)
            {
                refusal = errors[0].Message;
                return null;
            }

            var statements = ast.EndBlock?.Statements;
            if (ast.BeginBlock != null || ast.ProcessBlock != null || ast.ParamBlock != null || statements == null || statements.Count != 1 ||
                !(statements[0] is PipelineAst pipeline) || pipeline.PipelineElements.Count != 1 ||
                !(pipeline.PipelineElements[0] is CommandAst command))
            {
                refusal = "one command per line, with no pipes, ';' or script.";
                return null;
            }

            if (command.InvocationOperator != TokenKind.Unknown || command.Redirections.Count > 0 ||
                !(command.CommandElements[0] is StringConstantExpressionAst nameAst) || nameAst.StringConstantType != StringConstantType.BareWord)
            {
                refusal = "a plain command name and its arguments only (no '&', '.', or redirection).";
                return null;
            }

            var arguments = new List<BotArgument>();
            foreach (var element in command.CommandElements.Skip(1))
            {
                if (element is CommandParameterAst parameter)
                {
                    if (parameter.Argument == null)
                    {
                        arguments.Add(new BotArgument(parameter.ParameterName, null, hasValue: false));
                        continue;
                    }

                    if (!TryLiteral(parameter.Argument, out object? value, out refusal)) return null;
                    arguments.Add(new BotArgument(parameter.ParameterName, value, hasValue: true));
                    continue;
                }

                if (!TryLiteral(element, out object? positional, out refusal)) return null;
                arguments.Add(new BotArgument(null, positional, hasValue: true));
            }

            refusal = null;
            return new BotCommandLine(nameAst.Value, arguments);
        }

        /// <summary>Strings (without expansions), numbers as typed, $true/$false, and lists of those.</summary>
        private static bool TryLiteral(Ast ast, out object? value, out string? refusal)
        {
            refusal = null;
            value = null;
            switch (ast)
            {
                case StringConstantExpressionAst constant:
                    value = constant.Value;
                    return true;
                case ExpandableStringExpressionAst expandable when expandable.NestedExpressions.Count == 0:
                    value = expandable.Value;
                    return true;
                case ConstantExpressionAst number:
                    // The typed text: "1.10" stays 1.10 for a [string] parameter; the binder converts it for [int] or [double].
                    value = number.Extent.Text;
                    return true;
                case VariableExpressionAst variable when !variable.Splatted && variable.VariablePath.IsUnqualified &&
                    (variable.VariablePath.UserPath.Equals("true", StringComparison.OrdinalIgnoreCase) ||
                     variable.VariablePath.UserPath.Equals("false", StringComparison.OrdinalIgnoreCase)):
                    value = variable.VariablePath.UserPath.Equals("true", StringComparison.OrdinalIgnoreCase);
                    return true;
                case ArrayLiteralAst array:
                    var items = new object?[array.Elements.Count];
                    for (int i = 0; i < items.Length; i++)
                    {
                        if (!TryLiteral(array.Elements[i], out items[i], out refusal)) return false;
                    }

                    value = items;
                    return true;
                default:
                    refusal = $"'{Shorten(ast.Extent.Text)}' is not a literal value and is not run; put it in single quotes to send it as text.";
                    return false;
            }
        }

        private static string Shorten(string text) => text.Length <= 100 ? text : text.Substring(0, 97) + "...";
    }
}
