using System;
using System.Collections.Generic;
using System.Linq;

namespace PSChat.HelpBuilder
{
    /// <summary>A fault in a doc, reported with its file and line so the build says where to look.</summary>
    public sealed class HelpDocException : Exception
    {
        public HelpDocException(string file, int line, string message)
            : base($"{file}({line + 1}): {message}")
        {
        }
    }

    /// <summary>One cmdlet's help as a PlatyPS schema 2.0.0 markdown file states it.</summary>
    public sealed class CommandHelp
    {
        public CommandHelp(string name) => Name = name;

        public string Name { get; }

        public List<string> Synopsis { get; } = new List<string>();

        public List<string> Description { get; } = new List<string>();

        /// <summary>Parameter-set names in the order the SYNTAX section lists them, "(Default)" removed.</summary>
        public List<string> ParameterSets { get; } = new List<string>();

        public List<ExampleHelp> Examples { get; } = new List<ExampleHelp>();

        public List<ParameterHelp> Parameters { get; } = new List<ParameterHelp>();

        public List<TypeHelp> Inputs { get; } = new List<TypeHelp>();

        public List<TypeHelp> Outputs { get; } = new List<TypeHelp>();

        public List<string> Notes { get; } = new List<string>();

        public List<RelatedLink> RelatedLinks { get; } = new List<RelatedLink>();
    }

    public sealed class ExampleHelp
    {
        public ExampleHelp(string title) => Title = title;

        public string Title { get; }

        public List<string> Code { get; } = new List<string>();

        /// <summary>Prose before the code block comes first, then prose after it (PlatyPS would drop the former).</summary>
        public List<string> Remarks { get; } = new List<string>();
    }

    public sealed class ParameterHelp
    {
        public ParameterHelp(string name) => Name = name;

        public string Name { get; }

        public List<string> Description { get; } = new List<string>();

        public string Type { get; set; } = string.Empty;

        /// <summary>Empty means every parameter set ("(All)").</summary>
        public List<string> ParameterSets { get; } = new List<string>();

        public List<string> Aliases { get; } = new List<string>();

        public List<string> AcceptedValues { get; } = new List<string>();

        public bool Required { get; set; }

        /// <summary>Null for a named parameter.</summary>
        public int? Position { get; set; }

        public string DefaultValue { get; set; } = "None";

        public string PipelineInput { get; set; } = "False";

        public bool Wildcards { get; set; }

        public bool IsSwitch => Type == "SwitchParameter";

        public bool InSet(string set) => ParameterSets.Count == 0 || ParameterSets.Contains(set, StringComparer.OrdinalIgnoreCase);
    }

    public sealed class TypeHelp
    {
        public TypeHelp(string name) => Name = name;

        public string Name { get; }

        public List<string> Description { get; } = new List<string>();
    }

    public sealed class RelatedLink
    {
        public RelatedLink(string text, string uri)
        {
            Text = text;
            Uri = uri;
        }

        public string Text { get; }

        /// <summary>Empty for a link to another doc of this module (Get-Help finds those by name).</summary>
        public string Uri { get; }
    }
}
