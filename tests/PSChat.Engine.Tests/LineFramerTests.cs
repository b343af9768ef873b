using System.Collections.Generic;
using System.Linq;
using System.Text;
using PSChat.Engine.Framing;
using Xunit;

namespace PSChat.Engine.Tests
{
    public class LineFramerTests
    {
        private sealed class Sink : ILineSink
        {
            public List<(string Text, LineTerminator Terminator)> Lines { get; } = new List<(string, LineTerminator)>();

            public List<int> Overlong { get; } = new List<int>();

            public void OnLine(byte[] buffer, int offset, int count, LineTerminator terminator) =>
                Lines.Add((Encoding.UTF8.GetString(buffer, offset, count), terminator));

            public void OnOverlongLine(int bytesSeen) => Overlong.Add(bytesSeen);
        }

        private static Sink FeedChunks(LineFramer framer, params byte[][] chunks)
        {
            var sink = new Sink();
            foreach (var chunk in chunks) framer.Feed(chunk, 0, chunk.Length, sink);
            return sink;
        }

        private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

        [Fact]
        public void MergedReadYieldsEveryLineInOrder()
        {
            var sink = FeedChunks(new LineFramer(100), B("one\ntwo\r\nthree\n"));
            Assert.Equal(new[] { ("one", LineTerminator.Lf), ("two", LineTerminator.CrLf), ("three", LineTerminator.Lf) }, sink.Lines);
        }

        [Fact]
        public void SplitReadsAreJoinedIntoOneLine()
        {
            var sink = FeedChunks(new LineFramer(100), B("hel"), B("lo wo"), B("rld\r"), B("\nnext"));
            Assert.Equal(new[] { ("hello world", LineTerminator.CrLf) }, sink.Lines);
        }

        [Fact]
        public void Utf8SequenceSplitAcrossReadsDecodesWhole()
        {
            byte[] bytes = B("你好\n");
            var sink = FeedChunks(new LineFramer(100), bytes.Take(2).ToArray(), bytes.Skip(2).Take(3).ToArray(), bytes.Skip(5).ToArray());
            Assert.Equal("你好", Assert.Single(sink.Lines).Text);
        }

        [Fact]
        public void UnterminatedTextIsHeldUntilFlushed()
        {
            var framer = new LineFramer(100);
            var sink = FeedChunks(framer, B("zhangkang"));
            Assert.Empty(sink.Lines);
            Assert.True(framer.HasPartial);

            framer.FlushPartial(sink);
            Assert.Equal(new[] { ("zhangkang", LineTerminator.None) }, sink.Lines);
            Assert.False(framer.HasPartial);
        }

        [Fact]
        public void OverlongLineIsReportedOnceAndSkippedToItsEnd()
        {
            var framer = new LineFramer(10);
            var sink = FeedChunks(framer, B("0123456789ABC"), B("DEF"), B("GH\nok\n"));
            Assert.Single(sink.Overlong);
            Assert.Equal(new[] { ("ok", LineTerminator.Lf) }, sink.Lines);
        }

        [Fact]
        public void OverlongLineInOneReadIsReported()
        {
            var sink = FeedChunks(new LineFramer(4), B("12345\nabcd\n"));
            Assert.Equal(new[] { 5 }, sink.Overlong);
            Assert.Equal(new[] { ("abcd", LineTerminator.Lf) }, sink.Lines);
        }

        [Fact]
        public void LineOfExactlyTheLimitWithCrLfPasses()
        {
            var sink = FeedChunks(new LineFramer(4), B("abcd"), B("\r\n"));
            Assert.Empty(sink.Overlong);
            Assert.Equal(new[] { ("abcd", LineTerminator.CrLf) }, sink.Lines);
        }

        [Fact]
        public void EmptyLinesAreLines()
        {
            var sink = FeedChunks(new LineFramer(10), B("\n\r\n"));
            Assert.Equal(new[] { ("", LineTerminator.Lf), ("", LineTerminator.CrLf) }, sink.Lines);
        }
    }
}
