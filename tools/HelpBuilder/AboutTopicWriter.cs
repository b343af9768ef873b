using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using Markdig;
using Markdig.Syntax;

namespace PSChat.HelpBuilder
{
    /// <summary>
    /// Turns an about topic in PlatyPS's about layout ("# about_X", "## about_X", then "# SHORT
    /// DESCRIPTION", "# LONG DESCRIPTION", ...) into about_X.help.txt: 80 columns, headings upper-cased,
    /// code indented 4 spaces, list items with a hanging indent.
    /// </summary>
    public static class AboutTopicWriter
    {
        public const int Width = 80;
        private const string CodeIndent = "    ";

        public static readonly string[] Sections =
            { "SHORT DESCRIPTION", "LONG DESCRIPTION", "EXAMPLES", "NOTE", "TROUBLESHOOTING NOTE", "SEE ALSO", "KEYWORDS" };

        private static readonly string[] RequiredSections = { "SHORT DESCRIPTION", "LONG DESCRIPTION" };

        public static bool IsAboutTopic(string file) => Path.GetFileName(file).StartsWith("about_", StringComparison.OrdinalIgnoreCase);

        public static string Convert(string file, string markdown)
        {
            var blocks = Markdown.Parse(markdown, CommandHelpParser.Pipeline).ToList();
            string topic = Path.GetFileNameWithoutExtension(file);
            if (blocks.Count < 2 || !(blocks[0] is HeadingBlock first) || first.Level != 1 || !(blocks[1] is HeadingBlock second) || second.Level != 2)
            {
                throw new HelpDocException(file, 0, $"an about topic starts with '# {topic}' and '## {topic}'.");
            }

            if (!string.Equals(MarkdownText.Of(second), topic, StringComparison.Ordinal)) throw new HelpDocException(file, second.Line, $"the second heading must be '## {topic}' (the file name).");

            var text = new StringBuilder();
            text.Append("TOPIC\n").Append(CodeIndent).Append(topic).Append('\n');
            var seen = new List<string>();
            bool afterHeading = false;
            foreach (var block in blocks.Skip(2))
            {
                // A heading sits on the line above its first paragraph; blocks are otherwise separated by a blank line.
                if (!(block is HeadingBlock) && !afterHeading) text.Append('\n');
                afterHeading = block is HeadingBlock;
                switch (block)
                {
                    case HeadingBlock heading:
                        string title = MarkdownText.Of(heading);
                        if (heading.Level == 1)
                        {
                            if (!Sections.Contains(title)) throw new HelpDocException(file, heading.Line, $"unknown section '# {title}'; the sections are {string.Join(", ", Sections)}.");
                            if (seen.Contains(title)) throw new HelpDocException(file, heading.Line, $"the section '# {title}' appears twice.");
                            seen.Add(title);
                        }
                        else if (seen.Count == 0)
                        {
                            throw new HelpDocException(file, heading.Line, $"'{title}' comes before the first section (# SHORT DESCRIPTION).");
                        }

                        text.Append('\n').Append(title.ToUpperInvariant()).Append('\n');
                        break;
                    case FencedCodeBlock code:
                        int number = code.Line;
                        foreach (string line in code.Lines.ToString().TrimEnd().Split('\n'))
                        {
                            number++;
                            string indented = (CodeIndent + line).TrimEnd();
                            if (indented.Length > Width) throw new HelpDocException(file, number, $"this code line is {indented.Length} columns once indented; the topic is {Width} wide, so shorten it.");
                            text.Append(indented).Append('\n');
                        }

                        break;
                    case ParagraphBlock paragraph:
                        Wrap(text, MarkdownText.Of(paragraph), string.Empty, string.Empty);
                        break;
                    case ListBlock list:
                        foreach (var item in list.OfType<ListItemBlock>())
                        {
                            foreach (var paragraph in item.OfType<ParagraphBlock>()) Wrap(text, MarkdownText.Of(paragraph), "- ", "  ");
                        }

                        break;
                    default:
                        throw new HelpDocException(file, block.Line, $"a {block.GetType().Name} cannot be written as plain text; use paragraphs, lists and code blocks.");
                }
            }

            foreach (string required in RequiredSections)
            {
                if (!seen.Contains(required)) throw new HelpDocException(file, 0, $"the section '# {required}' is missing.");
            }

            return text.ToString();
        }

        /// <summary>Greedy word wrap; hard line breaks in the paragraph are kept, a word longer than a line stands alone.</summary>
        public static void Wrap(StringBuilder text, string paragraph, string firstIndent, string indent)
        {
            string prefix = firstIndent;
            foreach (string hardLine in paragraph.Split('\n'))
            {
                var line = new StringBuilder(prefix);
                bool empty = true;
                foreach (string word in hardLine.Split(new[] { ' ' }, StringSplitOptions.RemoveEmptyEntries))
                {
                    if (!empty && line.Length + 1 + word.Length > Width)
                    {
                        text.Append(line).Append('\n');
                        line.Clear().Append(indent);
                        empty = true;
                    }

                    if (!empty) line.Append(' ');
                    line.Append(word);
                    empty = false;
                }

                text.Append(line).Append('\n');
                prefix = indent;
            }
        }
    }
}
