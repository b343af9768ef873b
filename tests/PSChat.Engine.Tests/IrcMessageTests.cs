using System.Collections.Generic;
using PSChat.Engine.Irc;
using Xunit;

namespace PSChat.Engine.Tests
{
    public class IrcMessageTests
    {
        [Fact]
        public void ParsesTagsSourceCommandAndTrailing()
        {
            var m = IrcMessage.Parse("@time=2026-11-29T01:02:03.000Z;msgid=abc :alice!a@host PRIVMSG #lobby :hello there")!;
            Assert.Equal("2026-11-29T01:02:03.000Z", m.Tags["time"]);
            Assert.Equal("abc", m.Tags["msgid"]);
            Assert.Equal("alice!a@host", m.Source);
            Assert.Equal("alice", m.SourceNick);
            Assert.Equal("PRIVMSG", m.Command);
            Assert.Equal(new[] { "#lobby", "hello there" }, m.Parameters);
        }

        [Theory]
        [InlineData("privmsg #a b", "PRIVMSG", new[] { "#a", "b" })]
        [InlineData("PING", "PING", new string[0])]
        [InlineData("TOPIC #a :", "TOPIC", new[] { "#a", "" })]
        [InlineData("USER u 0 * :Real Name", "USER", new[] { "u", "0", "*", "Real Name" })]
        [InlineData("PRIVMSG #a ::-)", "PRIVMSG", new[] { "#a", ":-)" })]
        [InlineData("MODE   #a  +o   bob", "MODE", new[] { "#a", "+o", "bob" })]
        public void ParsesParameters(string line, string command, string[] parameters)
        {
            var m = IrcMessage.Parse(line)!;
            Assert.Equal(command, m.Command);
            Assert.Equal(parameters, m.Parameters);
        }

        [Theory]
        [InlineData("")]
        [InlineData("   ")]
        [InlineData(":onlysource")]
        [InlineData("@onlytags")]
        public void MalformedLinesAreNull(string line) => Assert.Null(IrcMessage.Parse(line));

        [Fact]
        public void TagValuesRoundTripThroughEscaping()
        {
            var tags = new Dictionary<string, string?> { ["+example"] = "a;b c\\d\r\ne", ["flag"] = null };
            string line = new IrcMessage(tags, "s", "TAGMSG", new[] { "#x" }).ToString();
            Assert.Equal("@+example=a\\:b\\sc\\\\d\\r\\ne;flag :s TAGMSG #x", line);
            var back = IrcMessage.Parse(line)!;
            Assert.Equal("a;b c\\d\r\ne", back.Tags["+example"]);
            Assert.Null(back.Tags["flag"]);
        }

        [Theory]
        [InlineData(new[] { "#a", "hi" }, ":srv PRIVMSG #a hi")]
        [InlineData(new[] { "#a", "hi there" }, ":srv PRIVMSG #a :hi there")]
        [InlineData(new[] { "#a", "" }, ":srv PRIVMSG #a :")]
        [InlineData(new[] { "#a", ":)" }, ":srv PRIVMSG #a ::)")]
        public void FormatsTrailingOnlyWhenNeeded(string[] parameters, string expected) =>
            Assert.Equal(expected, new IrcMessage(null, "srv", "PRIVMSG", parameters).ToString());
    }
}
