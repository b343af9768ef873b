using System.IO;
using System.Linq;
using System.Xml.Linq;
using Xunit;

namespace PSChat.HelpBuilder.Tests
{
    public class MamlWriterTests
    {
        private static readonly XNamespace Msh = "http://msh";
        private static readonly XNamespace Maml = "http://schemas.microsoft.com/maml/2004/10";
        private static readonly XNamespace Command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
        private static readonly XNamespace Dev = "http://schemas.microsoft.com/maml/dev/2004/10";

        private static XElement Write()
        {
            var stream = new MemoryStream();
            MamlWriter.Write(stream, new[] { CommandHelpParser.Parse(SampleDoc.FileName, SampleDoc.Text) });
            stream.Position = 0;
            var root = XDocument.Load(stream).Root!;
            Assert.Equal(Msh + "helpItems", root.Name);
            Assert.Equal("maml", (string?)root.Attribute("schema"));
            return Assert.Single(root.Elements(Command + "command"));
        }

        [Fact]
        public void WritesTheElementsInTheOrderGetHelpReads()
        {
            var names = Write().Elements().Select(e => e.Name).ToArray();
            Assert.Equal(
                new[] { Command + "details", Maml + "description", Command + "syntax", Command + "parameters", Command + "inputTypes", Command + "returnValues", Maml + "alertSet", Command + "examples", Command + "relatedLinks" },
                names);
        }

        [Fact]
        public void WritesTheDetails()
        {
            var details = Write().Element(Command + "details")!;
            Assert.Equal("Send-Thing", details.Element(Command + "name")!.Value);
            Assert.Equal("Send", details.Element(Command + "verb")!.Value);
            Assert.Equal("Thing", details.Element(Command + "noun")!.Value);
            Assert.Equal("Sends a thing somewhere.", details.Element(Maml + "description")!.Element(Maml + "para")!.Value);
        }

        [Fact]
        public void WritesOneSyntaxItemPerSetWithPositionalParametersFirst()
        {
            var items = Write().Element(Command + "syntax")!.Elements(Command + "syntaxItem").ToArray();
            Assert.Equal(2, items.Length);
            Assert.Equal(new[] { "Name", "Force" }, items[0].Elements(Command + "parameter").Select(p => p.Element(Maml + "name")!.Value));
            Assert.Equal(new[] { "Id", "Force" }, items[1].Elements(Command + "parameter").Select(p => p.Element(Maml + "name")!.Value));

            var force = items[0].Elements(Command + "parameter").Last();
            Assert.Null(force.Element(Command + "parameterValue"));
            var id = items[1].Elements(Command + "parameter").First();
            Assert.Equal(new[] { "1", "2" }, id.Element(Command + "parameterValueGroup")!.Elements(Command + "parameterValue").Select(v => v.Value));
        }

        [Fact]
        public void WritesTheParameterAttributes()
        {
            var name = Write().Element(Command + "parameters")!.Elements(Command + "parameter").First();
            Assert.Equal("true", (string?)name.Attribute("required"));
            Assert.Equal("true", (string?)name.Attribute("variableLength"));
            Assert.Equal("true", (string?)name.Attribute("globbing"));
            Assert.Equal("True (ByValue)", (string?)name.Attribute("pipelineInput"));
            Assert.Equal("0", (string?)name.Attribute("position"));
            Assert.Equal("N, Label", (string?)name.Attribute("aliases"));
            Assert.Equal("String", name.Element(Command + "parameterValue")!.Value);
            Assert.Equal("String", name.Element(Dev + "type")!.Element(Maml + "name")!.Value);
            Assert.Equal("None", name.Element(Dev + "defaultValue")!.Value);

            var force = Write().Element(Command + "parameters")!.Elements(Command + "parameter").Last();
            Assert.Equal("named", (string?)force.Attribute("position"));
            Assert.Equal("none", (string?)force.Attribute("aliases"));
        }

        [Fact]
        public void WritesExamplesWithoutAnIntroduction()
        {
            var example = Write().Element(Command + "examples")!.Element(Command + "example")!;
            Assert.Equal("--------- Example 1: Send by name ---------", example.Element(Maml + "title")!.Value);
            Assert.Null(example.Element(Maml + "introduction"));
            Assert.Equal("Send-Thing -Name a", example.Element(Dev + "code")!.Value);
            Assert.Equal(new[] { "Before the code.", "After the code." }, example.Element(Dev + "remarks")!.Elements(Maml + "para").Select(p => p.Value));
        }

        [Fact]
        public void WritesRelatedLinksWithUrisOnlyWhenAbsolute()
        {
            var links = Write().Element(Command + "relatedLinks")!.Elements(Maml + "navigationLink").ToArray();
            Assert.Equal(new[] { "", "https://example.org/send-thing" }, links.Select(l => l.Element(Maml + "uri")!.Value));
        }
    }
}
