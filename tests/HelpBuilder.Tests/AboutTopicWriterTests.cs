using System.Linq;
using System.Text;
using Xunit;

namespace PSChat.HelpBuilder.Tests
{
    public class AboutTopicWriterTests
    {
        private const string File = "docs/about_Thing.md";

        private const string Topic = @"# about_Thing
## about_Thing

# SHORT DESCRIPTION
Short *and* sweet.

# LONG DESCRIPTION
A paragraph.

## Sub topic
- item

```powershell
Get-Thing
```
";

        [Fact]
        public void WritesHeadingsUpperCasedCodeIndentedAndBlankLinesBetweenBlocks()
        {
            Assert.Equal(
                "TOPIC\n    about_Thing\n\nSHORT DESCRIPTION\nShort and sweet.\n\nLONG DESCRIPTION\nA paragraph.\n\nSUB TOPIC\n- item\n\n    Get-Thing\n",
                AboutTopicWriter.Convert(File, Topic));
        }

        [Fact]
        public void WrapsAt80ColumnsWithAHangingIndentForListItems()
        {
            var text = new StringBuilder();
            string words = string.Join(" ", Enumerable.Repeat("abcdefghi", 20));
            AboutTopicWriter.Wrap(text, words, "- ", "  ");
            string[] lines = text.ToString().TrimEnd('\n').Split('\n');
            Assert.All(lines, l => Assert.True(l.Length <= 80, l));
            Assert.Equal("- " + string.Join(" ", Enumerable.Repeat("abcdefghi", 7)), lines[0]);
            Assert.StartsWith("  abcdefghi", lines[1]);
            Assert.Equal(words, string.Join(" ", lines.Select(l => l.Substring(2))));
        }

        [Fact]
        public void RefusesCodeWiderThanTheTopic()
        {
            string wide = Topic.Replace("Get-Thing", new string('x', 77));
            Assert.Contains("this code line is 81 columns", Assert.Throws<HelpDocException>(() => AboutTopicWriter.Convert(File, wide)).Message);
        }

        [Fact]
        public void RefusesAnUnknownSection()
        {
            Assert.Contains("unknown section '# DETAILS'", Assert.Throws<HelpDocException>(() => AboutTopicWriter.Convert(File, Topic.Replace("# LONG DESCRIPTION", "# DETAILS"))).Message);
        }

        [Fact]
        public void RefusesATopicWithoutALongDescription()
        {
            string shortOnly = Topic.Substring(0, Topic.IndexOf("# LONG", System.StringComparison.Ordinal));
            Assert.Contains("the section '# LONG DESCRIPTION' is missing", Assert.Throws<HelpDocException>(() => AboutTopicWriter.Convert(File, shortOnly)).Message);
        }
    }
}
