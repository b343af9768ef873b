using System.Collections.Generic;
using System.Linq;
using System.Text;
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

        [Fact]
        public void ParsesUtf8FromTheBufferItIsGivenWithinItsBounds()
        {
            // Non-ASCII and invalid bytes next to every delimiter, in a buffer with bytes on either side.
            byte[] line = Bytes("@+t=caf\u00C3\u00A9\u00E2 :n\u00C3\u00AFck!u@h privmsg #caf\u00C3\u00A9\u00FF :na\u00C3\u00AFve \u00E2\u0082");
            byte[] buffer = Bytes("xx ").Concat(line).Concat(Bytes(" yy")).ToArray();
            var m = IrcMessage.Parse(buffer, 3, line.Length)!;
            Assert.Equal("caf\u00e9\uFFFD", m.Tags["+t"]);
            Assert.Equal("n\u00efck!u@h", m.Source);
            Assert.Equal("PRIVMSG", m.Command);
            Assert.Equal(new[] { "#caf\u00e9\uFFFD", "na\u00efve \uFFFD" }, m.Parameters);
        }

        [Theory]
        [InlineData("@a=\u00C3 :\u00C3 X \u00C3 :\u00C3")]
        [InlineData("PRIVMSG #\u00E2\u0082\u00AC \u00F0\u009F\u0098\u0080 :\u00ED\u00A0\u0080 \u00C0\u00AF end")]
        [InlineData("  CMD  a\u0080  b\u00C2  :")]
        public void ParsingBytesPieceByPieceEqualsParsingTheDecodedLine(string latin1)
        {
            byte[] line = Bytes(latin1);
            var fromBytes = IrcMessage.Parse(line, 0, line.Length)!;
            var fromText = IrcMessage.Parse(PSChat.Engine.Text.TextRules.LenientUtf8.GetString(line))!;
            Assert.Equal(fromText.Tags, fromBytes.Tags);
            Assert.Equal(fromText.Source, fromBytes.Source);
            Assert.Equal(fromText.Command, fromBytes.Command);
            Assert.Equal(fromText.Parameters, fromBytes.Parameters);
        }

        [Fact]
        public void ParsingTextTakesALoneSurrogateAsTheWireWould() =>
            Assert.Equal("a\uFFFDb", IrcMessage.Parse("PRIVMSG #a :a\uD800b")!.Parameters[1]);

        [Theory]
        [InlineData(0)]
        [InlineData(2000)]
        [InlineData(20000)]
        public void BytesAreTheUtf8OfTheTextWithCrLf(int padding)
        {
            var tags = new Dictionary<string, string?> { ["+x"] = "\u00e9 ;", ["msgid"] = "m1" };
            var messages = new[]
            {
                new IrcMessage(null, "n!u@h", "PRIVMSG", new[] { "#a", "caf\u00e9 \uD83D\uDE00 " + new string('x', padding) }),
                new IrcMessage(tags, "n!u@h", "TAGMSG", new[] { "#a" }),
                new IrcMessage("PING", "lone \uD800"),
            };

            // Twice, so the second round formats in the builder the first one left behind.
            foreach (var message in messages.Concat(messages))
            {
                Assert.Equal(Encoding.UTF8.GetBytes(message.ToString() + "\r\n"), message.ToBytes());
            }
        }

        /// <summary>One byte per char (Latin-1), so a test can spell out invalid UTF-8.</summary>
        private static byte[] Bytes(string latin1) => Encoding.Latin1.GetBytes(latin1);
    }
}
