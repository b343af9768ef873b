using System.Linq;
using Xunit;

namespace PSChat.HelpBuilder.Tests
{
    public class CommandHelpParserTests
    {
        private static CommandHelp Parse(string text) => CommandHelpParser.Parse(SampleDoc.FileName, text);

        private static string Fails(string text) => Assert.Throws<HelpDocException>(() => Parse(text)).Message;

        [Fact]
        public void ReadsEverySection()
        {
            var help = Parse(SampleDoc.Text);
            Assert.Equal("Send-Thing", help.Name);
            Assert.Equal(new[] { "Sends a thing somewhere." }, help.Synopsis);
            Assert.Equal(new[] { "Sends it. See the spec (https://example.org/spec) and Get-Thing.", "- one", "- two" }, help.Description);
            Assert.Equal(new[] { "ByName", "ById" }, help.ParameterSets);
            Assert.Equal(new[] { "Name", "Id", "Force" }, help.Parameters.Select(p => p.Name));
            Assert.Equal("System.String", Assert.Single(help.Inputs).Name);
            Assert.Equal(new[] { "A note." }, help.Notes);
            Assert.Equal(new[] { ("Get-Thing", ""), ("Online", "https://example.org/send-thing") }, help.RelatedLinks.Select(l => (l.Text, l.Uri)));
        }

        [Fact]
        public void ReadsTheYamlOfAParameter()
        {
            var help = Parse(SampleDoc.Text);
            var name = help.Parameters[0];
            Assert.Equal("String", name.Type);
            Assert.Equal(new[] { "ByName" }, name.ParameterSets);
            Assert.Equal(new[] { "N", "Label" }, name.Aliases);
            Assert.True(name.Required);
            Assert.Equal(0, name.Position);
            Assert.Equal("True (ByValue)", name.PipelineInput);
            Assert.True(name.Wildcards);
            var id = help.Parameters[1];
            Assert.Null(id.Position);
            Assert.Equal(new[] { "1", "2" }, id.AcceptedValues);
            Assert.Empty(help.Parameters[2].ParameterSets);
        }

        [Fact]
        public void KeepsTheProseBeforeAnExampleAheadOfTheRemarks()
        {
            var example = Assert.Single(Parse(SampleDoc.Text).Examples);
            Assert.Equal("Example 1: Send by name", example.Title);
            Assert.Equal(new[] { "Send-Thing -Name a" }, example.Code);
            Assert.Equal(new[] { "Before the code.", "After the code." }, example.Remarks);
        }

        [Fact]
        public void RefusesAnUnknownSectionWithItsLine()
        {
            string message = Fails(SampleDoc.Text.Replace("## NOTES", "## REMARKS"));
            Assert.StartsWith("docs/Send-Thing.md(104): unknown section '## REMARKS'", message);
        }

        [Fact]
        public void RefusesAMissingSection()
        {
            string text = SampleDoc.Text.Substring(0, SampleDoc.Text.IndexOf("## RELATED LINKS", System.StringComparison.Ordinal));
            Assert.Contains("the section '## RELATED LINKS' is missing", Fails(text));
        }

        [Fact]
        public void RefusesSectionsOutOfOrder()
        {
            string text = SampleDoc.Text.Replace("## INPUTS", "## TEMP").Replace("## OUTPUTS", "## INPUTS").Replace("## TEMP", "## OUTPUTS");
            Assert.Contains("'## OUTPUTS' is out of place: expected '## INPUTS'", Fails(text));
        }

        [Fact]
        public void RefusesAnUnknownYamlKey()
        {
            Assert.Contains("unknown yaml key 'Globbing' for -Force", Fails(SampleDoc.Text.Replace("Accept wildcard characters: False\n```\n\n### CommonParameters", "Globbing: False\n```\n\n### CommonParameters")));
        }

        [Fact]
        public void RefusesAMissingYamlKey()
        {
            Assert.Contains("the yaml of -Id lacks 'Default value'", Fails(SampleDoc.Text.Replace("Position: Named\nDefault value: None\nAccept pipeline input: True (ByPropertyName)", "Position: Named\nAccept pipeline input: True (ByPropertyName)")));
        }

        [Fact]
        public void RefusesABadPipelineInputValue()
        {
            Assert.Contains("Accept pipeline input must be one of", Fails(SampleDoc.Text.Replace("True (ByValue)", "Yes")));
        }

        [Fact]
        public void RefusesParameterSetsThatSyntaxDoesNotShow()
        {
            Assert.Contains("the set(s) ByKey that SYNTAX does not show", Fails(SampleDoc.Text.Replace("Parameter Sets: ById", "Parameter Sets: ByKey")));
        }

        [Fact]
        public void RefusesATitleThatIsNotTheFileName()
        {
            Assert.Contains("the title 'Send-Other' does not match the file name 'Send-Thing'", Fails(SampleDoc.Text.Replace("# Send-Thing", "# Send-Other")));
        }

        [Fact]
        public void RefusesAnUnknownFrontMatterKey()
        {
            Assert.Contains("unknown front matter key 'title'", Fails(SampleDoc.Text.Replace("schema: 2.0.0", "schema: 2.0.0\ntitle: x")));
        }

        [Fact]
        public void RefusesAParameterWithoutADescription()
        {
            Assert.Contains("the parameter -Force has no description", Fails(SampleDoc.Text.Replace("Force it.\n", string.Empty)));
        }

        [Fact]
        public void RefusesAnExampleWithoutCode()
        {
            Assert.Contains("'Example 1: Send by name' has no code block", Fails(SampleDoc.Text.Replace("```powershell\nSend-Thing -Name a\n```", "Send-Thing -Name a")));
        }
    }
}
