using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Markdig;
using Markdig.Extensions.Yaml;
using Markdig.Syntax;

namespace PSChat.HelpBuilder
{
    /// <summary>
    /// Reads a cmdlet doc in PlatyPS schema 2.0.0 from Markdig's syntax tree. Everything is checked:
    /// front matter keys, the closed set of sections in their order, heading levels and yaml keys.
    /// </summary>
    public sealed class CommandHelpParser
    {
        public static readonly string[] Sections =
            { "SYNOPSIS", "SYNTAX", "DESCRIPTION", "EXAMPLES", "PARAMETERS", "INPUTS", "OUTPUTS", "NOTES", "RELATED LINKS" };

        private static readonly string[] FrontMatterKeys = { "external help file", "Module Name", "online version", "schema" };
        private static readonly string[] PipelineInputs = { "False", "True (ByValue)", "True (ByPropertyName)", "True (ByValue, ByPropertyName)" };
        private const string CommonParameters = "CommonParameters";
        private const string DefaultSetSuffix = " (Default)";

        private readonly string file;

        private CommandHelpParser(string file) => this.file = file;

        public static MarkdownPipeline Pipeline { get; } = new MarkdownPipelineBuilder().UseYamlFrontMatter().Build();

        public static CommandHelp Parse(string file, string markdown) => new CommandHelpParser(file).Parse(markdown);

        private CommandHelp Parse(string markdown)
        {
            var blocks = Markdown.Parse(markdown, Pipeline).ToList();
            if (blocks.Count == 0 || !(blocks[0] is YamlFrontMatterBlock frontMatter)) throw Fail(0, "the doc must start with the PlatyPS front matter (--- ... ---).");
            CheckFrontMatter(frontMatter);

            if (blocks.Count < 2 || !(blocks[1] is HeadingBlock title) || title.Level != 1) throw Fail(blocks.Count > 1 ? blocks[1].Line : 0, "the front matter must be followed by '# <cmdlet name>'.");
            string name = MarkdownText.Of(title);
            string expected = Path.GetFileNameWithoutExtension(file);
            if (!string.Equals(name, expected, StringComparison.Ordinal)) throw Fail(title.Line, $"the title '{name}' does not match the file name '{expected}'.");

            var help = new CommandHelp(name);
            int next = 0;
            foreach (var (heading, content) in SplitByHeading(blocks.Skip(2).ToList(), 2, title.Line))
            {
                string section = heading == null ? string.Empty : MarkdownText.Of(heading);
                int line = heading?.Line ?? title.Line;
                int index = Array.IndexOf(Sections, section);
                if (index < 0) throw Fail(line, $"unknown section '## {section}'; the sections are {string.Join(", ", Sections)}.");
                if (index != next) throw Fail(line, $"'## {section}' is out of place: expected '## {Sections[Math.Min(next, Sections.Length - 1)]}' (sections come in the order {string.Join(", ", Sections)}).");
                next++;
                ReadSection(help, section, line, content);
            }

            if (next < Sections.Length) throw Fail(blocks.Last().Line, $"the section '## {Sections[next]}' is missing.");
            CheckParameterSets(help, title.Line);
            return help;
        }

        private void ReadSection(CommandHelp help, string section, int line, List<Block> content)
        {
            switch (section)
            {
                case "SYNOPSIS":
                    help.Synopsis.AddRange(Prose(content));
                    if (help.Synopsis.Count == 0) throw Fail(line, "the SYNOPSIS is empty.");
                    break;
                case "SYNTAX":
                    foreach (var (set, blocks) in Subsections(content, line, required: true))
                    {
                        string setName = MarkdownText.Of(set!);
                        if (setName.EndsWith(DefaultSetSuffix, StringComparison.Ordinal)) setName = setName.Substring(0, setName.Length - DefaultSetSuffix.Length);
                        if (blocks.Count != 1 || !(blocks[0] is FencedCodeBlock)) throw Fail(set!.Line, $"the syntax of '{setName}' must be exactly one code block.");
                        help.ParameterSets.Add(setName);
                    }

                    break;
                case "DESCRIPTION":
                    help.Description.AddRange(Prose(content));
                    if (help.Description.Count == 0) throw Fail(line, "the DESCRIPTION is empty.");
                    break;
                case "EXAMPLES":
                    foreach (var (heading, blocks) in Subsections(content, line, required: true))
                    {
                        help.Examples.Add(ReadExample(heading!, blocks));
                    }

                    break;
                case "PARAMETERS":
                    foreach (var (heading, blocks) in Subsections(content, line, required: false))
                    {
                        string parameter = MarkdownText.Of(heading!);
                        if (parameter == CommonParameters) continue;
                        if (!parameter.StartsWith("-", StringComparison.Ordinal)) throw Fail(heading!.Line, $"a parameter heading must read '### -Name' or '### {CommonParameters}', not '{parameter}'.");
                        if (help.Parameters.Any(p => string.Equals(p.Name, parameter.Substring(1), StringComparison.OrdinalIgnoreCase))) throw Fail(heading!.Line, $"the parameter {parameter} is documented twice.");
                        help.Parameters.Add(ReadParameter(parameter.Substring(1), heading!, blocks));
                    }

                    break;
                case "INPUTS":
                    help.Inputs.AddRange(ReadTypes(content, line));
                    break;
                case "OUTPUTS":
                    help.Outputs.AddRange(ReadTypes(content, line));
                    break;
                case "NOTES":
                    help.Notes.AddRange(Prose(content));
                    break;
                case "RELATED LINKS":
                    help.RelatedLinks.AddRange(ReadLinks(content));
                    break;
                default:
                    throw new InvalidOperationException("Unhandled section " + section);
            }
        }

        private ExampleHelp ReadExample(HeadingBlock heading, List<Block> blocks)
        {
            var example = new ExampleHelp(MarkdownText.Of(heading));
            if (!example.Title.StartsWith("Example ", StringComparison.Ordinal)) throw Fail(heading.Line, $"an example heading must start with 'Example N:', not '{example.Title}'.");
            var before = new List<string>();
            var after = new List<string>();
            foreach (var block in blocks)
            {
                if (block is FencedCodeBlock code) example.Code.Add(code.Lines.ToString().TrimEnd());
                else (example.Code.Count == 0 ? before : after).AddRange(Prose(new List<Block> { block }));
            }

            if (example.Code.Count == 0) throw Fail(heading.Line, $"'{example.Title}' has no code block.");
            example.Remarks.AddRange(before.Concat(after));
            return example;
        }

        private ParameterHelp ReadParameter(string name, HeadingBlock heading, List<Block> blocks)
        {
            var parameter = new ParameterHelp(name);
            var yaml = blocks.OfType<FencedCodeBlock>().ToList();
            if (yaml.Count != 1 || yaml[0].Info != "yaml" || !ReferenceEquals(blocks.Last(), yaml[0])) throw Fail(heading.Line, $"the parameter -{name} must end with exactly one ```yaml block.");
            parameter.Description.AddRange(Prose(blocks.Take(blocks.Count - 1).ToList()));
            if (parameter.Description.Count == 0) throw Fail(heading.Line, $"the parameter -{name} has no description.");

            var seen = new HashSet<string>();
            var lines = yaml[0].Lines.Lines.Take(yaml[0].Lines.Count).Select(l => l.ToString()).ToList();
            for (int i = 0; i < lines.Count; i++)
            {
                string text = lines[i];
                int at = yaml[0].Line + 1 + i;
                if (text.Trim().Length == 0) continue;
                int colon = text.IndexOf(':');
                if (colon <= 0) throw Fail(at, $"'{text}' is not a 'Key: value' line.");
                string key = text.Substring(0, colon).Trim();
                string value = text.Substring(colon + 1).Trim();
                if (!seen.Add(key)) throw Fail(at, $"the yaml key '{key}' appears twice.");
                switch (key)
                {
                    case "Type":
                        parameter.Type = value;
                        break;
                    case "Parameter Sets":
                        if (value != "(All)") parameter.ParameterSets.AddRange(List(value));
                        break;
                    case "Aliases":
                        parameter.Aliases.AddRange(List(value));
                        break;
                    case "Accepted values":
                        parameter.AcceptedValues.AddRange(List(value));
                        break;
                    case "Required":
                        parameter.Required = Boolean(at, key, value);
                        break;
                    case "Position":
                        if (value == "Named") parameter.Position = null;
                        else if (int.TryParse(value, out int position) && position >= 0) parameter.Position = position;
                        else throw Fail(at, $"Position must be a number or Named, not '{value}'.");
                        break;
                    case "Default value":
                        parameter.DefaultValue = value;
                        break;
                    case "Accept pipeline input":
                        if (!PipelineInputs.Contains(value)) throw Fail(at, $"Accept pipeline input must be one of {string.Join(" | ", PipelineInputs)}, not '{value}'.");
                        parameter.PipelineInput = value;
                        break;
                    case "Accept wildcard characters":
                        parameter.Wildcards = Boolean(at, key, value);
                        break;
                    default:
                        throw Fail(at, $"unknown yaml key '{key}' for -{name}.");
                }
            }

            foreach (string key in new[] { "Type", "Parameter Sets", "Aliases", "Required", "Position", "Default value", "Accept pipeline input", "Accept wildcard characters" })
            {
                if (!seen.Contains(key)) throw Fail(yaml[0].Line, $"the yaml of -{name} lacks '{key}'.");
            }

            if (parameter.Type.Length == 0) throw Fail(yaml[0].Line, $"the yaml of -{name} has an empty Type.");
            return parameter;
        }

        private IEnumerable<TypeHelp> ReadTypes(List<Block> content, int line)
        {
            foreach (var (heading, blocks) in Subsections(content, line, required: true))
            {
                var type = new TypeHelp(MarkdownText.Of(heading!));
                type.Description.AddRange(Prose(blocks));
                yield return type;
            }
        }

        private IEnumerable<RelatedLink> ReadLinks(List<Block> content)
        {
            foreach (var block in content)
            {
                if (!(block is ParagraphBlock paragraph) || paragraph.Inline == null) throw Fail(block.Line, "RELATED LINKS holds only paragraphs of links.");
                var links = paragraph.Inline.Descendants<Markdig.Syntax.Inlines.LinkInline>().ToList();
                if (links.Count == 0) throw Fail(block.Line, $"'{MarkdownText.Of(paragraph)}' in RELATED LINKS is not a link.");
                foreach (var link in links)
                {
                    yield return new RelatedLink(MarkdownText.Of(link), MarkdownText.IsAbsoluteUri(link.Url) ? link.Url! : string.Empty);
                }
            }
        }

        /// <summary>Paragraphs and list items as help paragraphs; anything else does not belong in prose.</summary>
        private List<string> Prose(List<Block> blocks)
        {
            var paragraphs = new List<string>();
            foreach (var block in blocks)
            {
                switch (block)
                {
                    case ParagraphBlock paragraph:
                        paragraphs.Add(MarkdownText.Of(paragraph));
                        break;
                    case ListBlock list:
                        foreach (var item in list.OfType<ListItemBlock>())
                        {
                            var inner = Prose(item.ToList());
                            if (inner.Count > 0) inner[0] = "- " + inner[0];
                            paragraphs.AddRange(inner);
                        }

                        break;
                    case HeadingBlock heading:
                        throw Fail(heading.Line, $"unexpected heading '{MarkdownText.Of(heading)}' (level {heading.Level}) here.");
                    default:
                        throw Fail(block.Line, $"a {block.GetType().Name} does not belong here; use paragraphs and lists (code goes in EXAMPLES).");
                }
            }

            return paragraphs;
        }

        private List<(HeadingBlock? Heading, List<Block> Blocks)> Subsections(List<Block> content, int line, bool required)
        {
            var parts = SplitByHeading(content, 3, line);
            if (parts.Count > 0 && parts[0].Heading == null)
            {
                if (parts[0].Blocks.Count > 0) throw Fail(parts[0].Blocks[0].Line, "text before the first '###' heading of the section.");
                parts.RemoveAt(0);
            }

            if (required && parts.Count == 0) throw Fail(line, "the section needs at least one '###' entry.");
            return parts;
        }

        /// <summary>Cuts blocks at headings of the given level; a shallower heading there is an error, deeper ones stay inside.</summary>
        private List<(HeadingBlock? Heading, List<Block> Blocks)> SplitByHeading(List<Block> blocks, int level, int line)
        {
            var parts = new List<(HeadingBlock? Heading, List<Block> Blocks)> { (null, new List<Block>()) };
            foreach (var block in blocks)
            {
                if (block is HeadingBlock heading && heading.Level <= level)
                {
                    if (heading.Level != level) throw Fail(heading.Line, $"'{MarkdownText.Of(heading)}' is a level-{heading.Level} heading where level {level} is expected.");
                    parts.Add((heading, new List<Block>()));
                }
                else
                {
                    parts[parts.Count - 1].Blocks.Add(block);
                }
            }

            if (parts[0].Blocks.Count == 0) parts.RemoveAt(0);
            else if (level == 2) throw Fail(parts[0].Blocks[0].Line, "text between the title and the first section.");
            return parts;
        }

        private void CheckFrontMatter(YamlFrontMatterBlock block)
        {
            var keys = new Dictionary<string, string>();
            int line = block.Line;
            foreach (var raw in block.Lines.Lines.Take(block.Lines.Count).Select(l => l.ToString()))
            {
                line++;
                if (raw.Trim().Length == 0 || raw.Trim() == "---") continue;
                int colon = raw.IndexOf(':');
                string key = colon > 0 ? raw.Substring(0, colon).Trim() : raw.Trim();
                if (!FrontMatterKeys.Contains(key)) throw Fail(line - 1, $"unknown front matter key '{key}'; the keys are {string.Join(", ", FrontMatterKeys)}.");
                keys[key] = colon > 0 ? raw.Substring(colon + 1).Trim() : string.Empty;
            }

            foreach (string key in FrontMatterKeys)
            {
                if (!keys.ContainsKey(key)) throw Fail(block.Line, $"the front matter lacks '{key}'.");
            }

            if (keys["schema"] != "2.0.0") throw Fail(block.Line, $"schema must be 2.0.0, not '{keys["schema"]}'.");
        }

        /// <summary>The sets the SYNTAX section names must be exactly those the parameters' yaml uses.</summary>
        private void CheckParameterSets(CommandHelp help, int line)
        {
            var fromYaml = help.Parameters.SelectMany(p => p.ParameterSets).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
            var fromSyntax = help.ParameterSets.Where(s => s != "__AllParameterSets").ToList();
            var missing = fromYaml.Except(fromSyntax, StringComparer.OrdinalIgnoreCase).ToList();
            var extra = fromSyntax.Except(fromYaml, StringComparer.OrdinalIgnoreCase).ToList();
            if (fromSyntax.Count == 1 && fromYaml.Count == 0) extra.Clear();
            if (missing.Count > 0) throw Fail(line, $"the parameters use the set(s) {string.Join(", ", missing)} that SYNTAX does not show.");
            if (extra.Count > 0) throw Fail(line, $"SYNTAX shows the set(s) {string.Join(", ", extra)} that no parameter belongs to.");
        }

        private bool Boolean(int line, string key, string value) =>
            value == "True" ? true : value == "False" ? false : throw Fail(line, $"{key} must be True or False, not '{value}'.");

        private static IEnumerable<string> List(string value) =>
            value.Split(',').Select(v => v.Trim()).Where(v => v.Length > 0);

        private HelpDocException Fail(int line, string message) => new HelpDocException(file, line, message);
    }
}
