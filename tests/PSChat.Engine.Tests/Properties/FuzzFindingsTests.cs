using System.Linq;
using PSChat.Engine.Irc;
using Xunit;

namespace PSChat.Engine.Tests.Properties
{
    /// <summary>What the property tests and the fuzzer found, each kept as the smallest case that showed it.</summary>
    public class FuzzFindingsTests
    {
        [Theory]
        [InlineData("@ @b")]
        [InlineData("@ @b c :d")]
        public void ACommandThatWouldReadAsTagsIsMalformed(string line)
        {
            // It had no tags and the command "@B", which formats as "@B": tags and no command.
            Assert.Null(IrcMessage.Parse(line));
        }

        [Fact]
        public void ATagWithoutAKeyIsNoTag()
        {
            // {"": null} formatted as "@ PING a", which parses with no tags at all.
            var message = IrcMessage.Parse("@=;a=1 PING a")!;
            Assert.Equal(new[] { "a" }, message.Tags.Keys.ToArray());
            Assert.Equal("@a=1 PING a", message.ToString());
        }

        [Fact]
        public void TruncateKeepsAnEmojiWholeOrLeavesItOut()
        {
            // "ab" and half of U+1F600 became "ab" + U+FFFD on the wire (a TOPIC, KICK or AWAY at its limit).
            Assert.Equal("ab", IrcNames.Truncate("ab\ud83d\ude00c", 3));
            Assert.Equal("ab\ud83d\ude00", IrcNames.Truncate("ab\ud83d\ude00c", 4));
        }
    }
}
