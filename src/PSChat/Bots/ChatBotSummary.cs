using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;

namespace PSChat.Commands.Bots
{
    /// <summary>
    /// The one line people read for an answer that goes to a PSChat caller as objects: the caller gets
    /// everything, the room a summary (an envelope's closing line is one short line).
    /// </summary>
    internal static class ChatBotSummary
    {
        /// <summary>Strings and numbers are replied as their text; anything else is an object.</summary>
        public static bool IsText(PSObject value) => value.BaseObject is string || value.BaseObject.GetType().IsPrimitive;

        /// <summary>The text of strings and numbers, a line per line, without blank lines around them.</summary>
        public static List<string> TextLines(IEnumerable<PSObject> values) =>
            ChatBot.Trim(values.SelectMany(v => ChatBot.SplitLines(v.BaseObject.ToString() ?? string.Empty))).ToList();

        /// <summary>The first line and how many follow.</summary>
        public static string OfLines(IReadOnlyList<string> lines) =>
            lines.Count == 0 ? string.Empty : lines.Count == 1 ? lines[0] : $"{lines[0]} (+{lines.Count - 1} more lines)";

        /// <summary>
        /// A command's output: its text, or its first object as [type] text and how many follow; then its
        /// warnings and errors (one line each), separated by " | ".
        /// </summary>
        public static string Of(string command, PSObject[] objects, IReadOnlyList<string> streamLines)
        {
            var parts = new List<string>();
            if (objects.Length > 0)
            {
                if (objects.All(IsText))
                {
                    parts.Add(OfLines(TextLines(objects)));
                }
                else
                {
                    string first = Summarize(objects[0]);
                    parts.Add(objects.Length == 1 ? first : $"{first} (+{objects.Length - 1} more objects)");
                }
            }

            parts.AddRange(streamLines);
            return parts.Count == 0 ? $"{command}: done (no output)." : string.Join(" | ", parts);
        }

        /// <summary>[type] text; the type alone when the text cannot be had here (a ToString that needs a runspace).</summary>
        private static string Summarize(PSObject value)
        {
            try
            {
                return CliXmlCodec.Instance.Summarize(value);
            }
            catch (Exception e) when (!(e is OutOfMemoryException))
            {
                return "[" + (value.TypeNames.FirstOrDefault() ?? value.BaseObject.GetType().FullName) + "]";
            }
        }
    }
}
