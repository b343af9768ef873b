using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Xml;

namespace PSChat.HelpBuilder
{
    /// <summary>
    /// Writes cmdlet help as the MAML that Get-Help reads (PSChat.dll-Help.xml), in the element order
    /// and with the attributes PlatyPS 0.14 produces. The syntax is rebuilt from the parameters' yaml.
    /// </summary>
    public static class MamlWriter
    {
        private const string Msh = "http://msh";
        private const string Maml = "http://schemas.microsoft.com/maml/2004/10";
        private const string Command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
        private const string Dev = "http://schemas.microsoft.com/maml/dev/2004/10";
        private const string AllSets = "__AllParameterSets";

        public static void Write(Stream output, IEnumerable<CommandHelp> commands)
        {
            var settings = new XmlWriterSettings { Indent = true, Encoding = new UTF8Encoding(false) };
            using (var xml = XmlWriter.Create(output, settings))
            {
                xml.WriteStartDocument();
                xml.WriteStartElement("helpItems", Msh);
                xml.WriteAttributeString("schema", "maml");
                foreach (var help in commands) WriteCommand(xml, help);
                xml.WriteEndElement();
                xml.WriteEndDocument();
            }
        }

        private static void WriteCommand(XmlWriter xml, CommandHelp help)
        {
            xml.WriteStartElement("command", "command", Command);
            xml.WriteAttributeString("xmlns", "maml", null, Maml);
            xml.WriteAttributeString("xmlns", "command", null, Command);
            xml.WriteAttributeString("xmlns", "dev", null, Dev);

            int dash = help.Name.IndexOf('-');
            xml.WriteStartElement("details", Command);
            xml.WriteElementString("name", Command, help.Name);
            xml.WriteElementString("verb", Command, dash > 0 ? help.Name.Substring(0, dash) : help.Name);
            xml.WriteElementString("noun", Command, dash > 0 ? help.Name.Substring(dash + 1) : string.Empty);
            WriteDescription(xml, help.Synopsis);
            xml.WriteEndElement();

            WriteDescription(xml, help.Description);

            xml.WriteStartElement("syntax", Command);
            foreach (string set in SyntaxSets(help))
            {
                xml.WriteStartElement("syntaxItem", Command);
                xml.WriteElementString("name", Maml, help.Name);
                foreach (var parameter in SyntaxOrder(help.Parameters.Where(p => set == AllSets || p.InSet(set))))
                {
                    WriteParameter(xml, parameter, inSyntax: true);
                }

                xml.WriteEndElement();
            }

            xml.WriteEndElement();

            xml.WriteStartElement("parameters", Command);
            foreach (var parameter in help.Parameters) WriteParameter(xml, parameter, inSyntax: false);
            xml.WriteEndElement();

            WriteTypes(xml, "inputTypes", "inputType", help.Inputs);
            WriteTypes(xml, "returnValues", "returnValue", help.Outputs);

            xml.WriteStartElement("alertSet", Maml);
            xml.WriteStartElement("alert", Maml);
            WriteParagraphs(xml, help.Notes);
            xml.WriteEndElement();
            xml.WriteEndElement();

            xml.WriteStartElement("examples", Command);
            foreach (var example in help.Examples)
            {
                xml.WriteStartElement("example", Command);
                xml.WriteElementString("title", Maml, $"--------- {example.Title} ---------");
                xml.WriteElementString("code", Dev, string.Join("\n\n", example.Code));
                xml.WriteStartElement("remarks", Dev);
                WriteParagraphs(xml, example.Remarks);
                xml.WriteEndElement();
                xml.WriteEndElement();
            }

            xml.WriteEndElement();

            xml.WriteStartElement("relatedLinks", Command);
            foreach (var link in help.RelatedLinks)
            {
                xml.WriteStartElement("navigationLink", Maml);
                xml.WriteElementString("linkText", Maml, link.Text);
                xml.WriteElementString("uri", Maml, link.Uri);
                xml.WriteEndElement();
            }

            xml.WriteEndElement();
            xml.WriteEndElement();
        }

        /// <summary>One syntax item per named set (in SYNTAX's order), or one for a cmdlet with a single set.</summary>
        private static IEnumerable<string> SyntaxSets(CommandHelp help)
        {
            var named = help.ParameterSets.Where(s => help.Parameters.Any(p => p.ParameterSets.Contains(s, StringComparer.OrdinalIgnoreCase))).ToList();
            return named.Count > 0 ? named : new List<string> { AllSets };
        }

        /// <summary>Positional parameters by position, then mandatory ones, then the rest, as PowerShell shows syntax.</summary>
        private static IEnumerable<ParameterHelp> SyntaxOrder(IEnumerable<ParameterHelp> parameters) =>
            parameters.OrderBy(p => p.Position ?? int.MaxValue).ThenBy(p => p.Required ? 0 : 1);

        private static void WriteParameter(XmlWriter xml, ParameterHelp parameter, bool inSyntax)
        {
            xml.WriteStartElement("parameter", Command);
            xml.WriteAttributeString("required", parameter.Required ? "true" : "false");
            xml.WriteAttributeString("variableLength", "true");
            xml.WriteAttributeString("globbing", parameter.Wildcards ? "true" : "false");
            xml.WriteAttributeString("pipelineInput", parameter.PipelineInput);
            xml.WriteAttributeString("position", parameter.Position?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "named");
            xml.WriteAttributeString("aliases", parameter.Aliases.Count == 0 ? "none" : string.Join(", ", parameter.Aliases));
            xml.WriteElementString("name", Maml, parameter.Name);
            WriteDescription(xml, parameter.Description);

            if (inSyntax && parameter.AcceptedValues.Count > 0)
            {
                xml.WriteStartElement("parameterValueGroup", Command);
                foreach (string value in parameter.AcceptedValues) WriteParameterValue(xml, value, required: false);
                xml.WriteEndElement();
            }

            if (!(inSyntax && parameter.IsSwitch)) WriteParameterValue(xml, parameter.Type, required: !parameter.IsSwitch);

            xml.WriteStartElement("type", Dev);
            xml.WriteElementString("name", Maml, parameter.Type);
            xml.WriteElementString("uri", Maml, string.Empty);
            xml.WriteEndElement();
            xml.WriteElementString("defaultValue", Dev, parameter.DefaultValue);
            xml.WriteEndElement();
        }

        private static void WriteParameterValue(XmlWriter xml, string value, bool required)
        {
            xml.WriteStartElement("parameterValue", Command);
            xml.WriteAttributeString("required", required ? "true" : "false");
            xml.WriteAttributeString("variableLength", "false");
            xml.WriteString(value);
            xml.WriteEndElement();
        }

        private static void WriteTypes(XmlWriter xml, string listElement, string itemElement, IEnumerable<TypeHelp> types)
        {
            xml.WriteStartElement(listElement, Command);
            foreach (var type in types)
            {
                xml.WriteStartElement(itemElement, Command);
                xml.WriteStartElement("type", Dev);
                xml.WriteElementString("name", Maml, type.Name);
                xml.WriteEndElement();
                WriteDescription(xml, type.Description);
                xml.WriteEndElement();
            }

            xml.WriteEndElement();
        }

        private static void WriteDescription(XmlWriter xml, IEnumerable<string> paragraphs)
        {
            xml.WriteStartElement("description", Maml);
            WriteParagraphs(xml, paragraphs);
            xml.WriteEndElement();
        }

        private static void WriteParagraphs(XmlWriter xml, IEnumerable<string> paragraphs)
        {
            foreach (string paragraph in paragraphs) xml.WriteElementString("para", Maml, paragraph);
        }
    }
}
