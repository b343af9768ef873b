using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using CsCheck;
using PSChat.Engine.Framing;
using PSChat.Engine.Irc;
using PSChat.Engine.Text;
using Xunit;

namespace PSChat.Engine.Tests.Properties
{
    /// <summary>
    /// Properties of the parsers and codecs, checked on generated input (CsCheck, fixed seed and case count):
    /// the IRC message parser and formatter, the input rules, the line framer, the text rules, SafeText,
    /// the wildcard matcher and the UTF-8 splitter.
    /// </summary>
    public class ParserPropertyTests
    {
        /// <summary>Characters that mean something to IRC, to the text rules or to UTF-8, and a few ordinary ones.</summary>
        private const string IrcAlphabet = "@:; =\\/+-.#,!*?aAbZ09s\r\n\0\t\u0001\u001b\u007f\u0085\u009b\u00e9\u202e\u200b\ufffd\ud83d\ude00\ud800";

        private static readonly Gen<string> IrcishText =
            Gen.Char[IrcAlphabet].Array[0, 40].Select(chars => new string(chars));

        /// <summary>Lines built from IRC's pieces (tags, source, command, middles, trailing) with hostile characters mixed in.</summary>
        private static readonly Gen<byte[]> IrcishLine =
            Gen.OneOf(
                IrcishText.Select(s => Encoding.UTF8.GetBytes(s)),
                Gen.Select(IrcishText, IrcishText, IrcishText, IrcishText, (tags, source, middle, trailing) =>
                    Encoding.UTF8.GetBytes($"@{tags} :{source} PRIVMSG {middle} :{trailing}")),
                Gen.Byte.Array[0, 80]);

        [Fact]
        public void ParsingAnyBytesNeverThrows()
        {
            Property.Check(IrcishLine, line => IrcMessage.Parse(line, 0, line.Length), Property.Show);
        }

        [Fact]
        public void AParsedMessageFormatsToOneLineThatParsesTheSame()
        {
            Property.Check(IrcishLine, line =>
            {
                var message = IrcMessage.Parse(line, 0, line.Length);
                if (message == null) return;
                string wire = message.ToString();
                var again = IrcMessage.Parse(wire) ?? throw new Exception("the formatted line " + Property.Show(wire) + " does not parse");
                AssertSame(message, again);
            }, Property.Show);
        }

        [Fact]
        public void ALineTheInputRulesAcceptIsRelayedAsExactlyOneValidLine()
        {
            Property.Check(IrcishLine, line =>
            {
                if (IrcInputRules.Check(line, 0, line.Length, out var message) != null || message == null) return;
                // What the server sends on: the client's '+' tags, its own source, the command and parameters.
                var clientTags = message.Tags.Where(t => t.Key.StartsWith("+", StringComparison.Ordinal)).ToDictionary(t => t.Key, t => t.Value);
                var relayed = new IrcMessage(clientTags, "nick!user@127.0.0.1", message.Command, message.Parameters);
                byte[] bytes = relayed.ToBytes();
                int lineEnds = bytes.Count(b => b == (byte)'\n' || b == (byte)'\r' || b == 0);
                Assert.Equal(2, lineEnds);
                Assert.Equal(new byte[] { (byte)'\r', (byte)'\n' }, bytes.Skip(bytes.Length - 2));
                var received = IrcMessage.Parse(bytes, 0, bytes.Length - 2) ?? throw new Exception("the relayed line does not parse");
                AssertSame(relayed, received);
                foreach (string key in received.Tags.Keys) Assert.True(IrcNames.IsValidTagKey(key), "relayed tag key " + Property.Show(key));
            }, Property.Show);
        }

        [Fact]
        public void TagValuesSurviveEscaping()
        {
            Property.Check(IrcishText, value =>
            {
                var sb = new StringBuilder();
                IrcMessage.EscapeTagValue(value, sb);
                string escaped = sb.ToString();
                Assert.True(escaped.IndexOfAny(new[] { ' ', ';', '\r', '\n' }) < 0, "escaped " + Property.Show(escaped));
                Assert.Equal(value, IrcMessage.UnescapeTagValue(escaped));
            }, Property.Show);
        }

        private static void AssertSame(IrcMessage expected, IrcMessage actual)
        {
            Assert.Equal(expected.Command, actual.Command);
            Assert.Equal(expected.Source, actual.Source);
            Assert.Equal(expected.Parameters, actual.Parameters);
            // "a=" and "a" are the same tag (IRCv3: an empty value is no value).
            var tags = expected.Tags.ToDictionary(t => t.Key, t => string.IsNullOrEmpty(t.Value) ? null : t.Value);
            var again = actual.Tags.ToDictionary(t => t.Key, t => string.IsNullOrEmpty(t.Value) ? null : t.Value);
            Assert.Equal(tags.OrderBy(t => t.Key, StringComparer.Ordinal), again.OrderBy(t => t.Key, StringComparer.Ordinal));
        }

        // ---- The line framer ----

        private const int FramerMax = 12;

        /// <summary>A byte stream of short and overlong lines, LF and CRLF, and a cut of it into reads.</summary>
        private static readonly Gen<(byte[] Data, int[] Cuts)> StreamAndCuts =
            Gen.Char["ab\r\n\r\n\n"].Select(c => (byte)c).Array[0, 120].SelectMany(data =>
                Gen.Int[0, data.Length].Array[0, 12].Select(cuts => (data, cuts.OrderBy(c => c).ToArray())));

        [Fact]
        public void AnySplitOfTheStreamIntoReadsGivesTheSameLinesAsTheReference()
        {
            Property.Check(StreamAndCuts, input =>
            {
                var expected = ReferenceFrames(input.Data, FramerMax);
                Assert.Equal(expected, Frame(input.Data, new int[0]));
                Assert.Equal(expected, Frame(input.Data, input.Cuts));
            }, input => Property.Show(input.Data) + " cut at " + string.Join(",", input.Cuts));
        }

        private static List<string> Frame(byte[] data, int[] cuts)
        {
            var sink = new FrameRecorder();
            using var framer = new LineFramer(FramerMax);
            int start = 0;
            foreach (int cut in cuts.Concat(new[] { data.Length }))
            {
                if (cut > start) framer.Feed(data, start, cut - start, sink);
                start = Math.Max(start, cut);
            }

            framer.FlushPartial(sink);
            Assert.False(framer.HasPartial);
            return sink.Frames;
        }

        /// <summary>
        /// The obviously correct framing: split at LF, one CR before it goes with it; a line longer than the
        /// limit is one "overlong"; what is left unterminated at the end is flushed the same way.
        /// </summary>
        private static List<string> ReferenceFrames(byte[] data, int max)
        {
            var frames = new List<string>();
            int start = 0;
            for (int i = 0; i <= data.Length; i++)
            {
                bool end = i == data.Length;
                if (!end && data[i] != (byte)'\n') continue;
                if (end && i == start) break;
                int count = i - start;
                var terminator = end ? LineTerminator.None : LineTerminator.Lf;
                if (count > 0 && data[start + count - 1] == (byte)'\r')
                {
                    count--;
                    terminator = LineTerminator.CrLf;
                }

                frames.Add(count > max ? "overlong" : terminator + ":" + Encoding.Latin1.GetString(data, start, count));
                start = i + 1;
            }

            return frames;
        }

        private sealed class FrameRecorder : ILineSink
        {
            public List<string> Frames { get; } = new List<string>();

            public void OnLine(byte[] buffer, int offset, int count, LineTerminator terminator) =>
                Frames.Add(terminator + ":" + Encoding.Latin1.GetString(buffer, offset, count));

            public void OnOverlongLine(int bytesSeen) => Frames.Add("overlong");
        }

        // ---- The text rules and SafeText ----

        private static readonly Gen<byte[]> TextBytes =
            Gen.OneOf(Gen.Byte.Array[0, 40], IrcishText.Select(s => Encoding.UTF8.GetBytes(s)));

        [Fact]
        public void TheTextFilterAcceptsExactlyValidUtf8WithoutUnsafeControls()
        {
            Property.Check(TextBytes, bytes =>
            {
                string? refusal = TextRules.TryDecode(bytes, 0, bytes.Length, out string text);
                string? reference;
                try
                {
                    string decoded = new UTF8Encoding(false, true).GetString(bytes);
                    bool unsafeControl = decoded.Any(c => (c < 0x20 && "\t\u0002\u0003\u000f\u0016\u001d\u001e\u001f".IndexOf(c) < 0) || (c >= 0x7F && c <= 0x9F));
                    reference = unsafeControl ? "refused" : null;
                }
                catch (DecoderFallbackException)
                {
                    reference = "refused";
                }

                Assert.Equal(reference == null, refusal == null);
                if (refusal == null) Assert.Equal(bytes, Encoding.UTF8.GetBytes(text));
            }, Property.Show);
        }

        [Fact]
        public void StripControlsRemovesExactlyTheUnsafeControls()
        {
            Property.Check(IrcishText, text =>
            {
                string expected = new string(text.Where(c => !TextRules.IsUnsafeControl(c)).ToArray());
                Assert.Equal(expected, TextRules.StripControls(text));
            }, Property.Show);
        }

        [Fact]
        public void SafeTextLeavesNothingATerminalActsOnAndChangesNothingElse()
        {
            Property.Check(IrcishText, text =>
            {
                string shown = SafeText.Render(text);
                for (int i = 0; i < shown.Length; i++)
                {
                    char c = shown[i];
                    Assert.False(c < 0x20 || (c >= 0x7F && c <= 0x9F) || TextRules.IsBidiControl(c) || c == '\u2028' || c == '\u2029', "shown " + Property.Show(shown));
                    if (char.IsHighSurrogate(c)) Assert.True(i + 1 < shown.Length && char.IsLowSurrogate(shown[++i]), "lone surrogate in " + Property.Show(shown));
                    else Assert.False(char.IsLowSurrogate(c), "lone surrogate in " + Property.Show(shown));
                }

                // Text with nothing to escape is shown as it is.
                bool plain = Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(text)) == text &&
                    text.All(c => c >= 0x20 && !(c >= 0x7F && c <= 0x9F) && !TextRules.IsBidiControl(c));
                if (plain) Assert.Same(text, shown);
            }, Property.Show);
        }

        [Fact]
        public void ASplitSenderIsASafeNameAndTheLineIsUnchanged()
        {
            Property.Check(IrcishText, line =>
            {
                if (!TextRules.TrySplitSender(line, out string sender, out string text))
                {
                    Assert.Equal(line, text);
                    return;
                }

                Assert.Equal(line, sender + ":" + text);
                Assert.InRange(sender.Length, 1, TextRules.MaxNameLength);
                Assert.True(sender.All(c => !char.IsWhiteSpace(c) && !TextRules.IsUnsafeInName(c)), "sender " + Property.Show(sender));
            }, Property.Show);
        }

        [Fact]
        public void NamesTheServerAcceptsHoldNothingUnsafe()
        {
            Property.Check(IrcishText, name =>
            {
                if (IrcNames.IsValidNick(name)) Assert.True(name.All(c => c < 0x7F && c > ' ' && c != ':' && c != '!' && c != '@'), "nick " + Property.Show(name));
                if (IrcNames.IsValidChannel("#" + name)) Assert.True(name.All(c => c != ',' && !TextRules.IsUnsafeInName(c)), "channel " + Property.Show(name));
                if (IrcNames.IsValidUser(name)) Assert.True(name.All(c => c < 0x7F && c > ' ' && c != '@' && c != '!'), "user " + Property.Show(name));
                if (IrcNames.IsValidTagKey(name)) Assert.True(name.All(c => c < 0x7F && c > ' ' && c != ';' && c != '=' && c != '\\'), "tag key " + Property.Show(name));
            }, Property.Show);
        }

        // ---- The wildcard matcher ----

        private static readonly Gen<(string Mask, string Name)> MaskAndName =
            Gen.Select(
                Gen.Char["aA[{*?b"].Array[0, 10].Select(c => new string(c)),
                Gen.Char["aA[{b?*"].Array[0, 10].Select(c => new string(c)));

        [Fact]
        public void MatchesMaskAgreesWithTheRecursiveDefinition()
        {
            Property.Check(MaskAndName, input =>
                Assert.Equal(ReferenceMatch(Rooms.CaseMapping.Fold(input.Mask), 0, Rooms.CaseMapping.Fold(input.Name), 0), IrcNames.MatchesMask(input.Mask, input.Name)),
                input => Property.Show(input.Mask) + " against " + Property.Show(input.Name));
        }

        /// <summary>'*' is any run of characters, '?' any one, everything else itself (after folding).</summary>
        private static bool ReferenceMatch(string mask, int m, string name, int n)
        {
            if (m == mask.Length) return n == name.Length;
            if (mask[m] == '*') return ReferenceMatch(mask, m + 1, name, n) || (n < name.Length && ReferenceMatch(mask, m, name, n + 1));
            return n < name.Length && (mask[m] == '?' || mask[m] == name[n]) && ReferenceMatch(mask, m + 1, name, n + 1);
        }

        // ---- Cutting UTF-8 ----

        private static readonly Gen<(string Text, int Max)> TextAndLimit =
            Gen.Select(Gen.Char["a\u00e9\u20ac\ud83d\ude00\ud800\udc00 "].Array[0, 30].Select(c => new string(c)), Gen.Int[0, 12]);

        [Fact]
        public void Utf8SplitterCutsOnlyBetweenCharactersWithinTheLimit()
        {
            Property.Check(TextAndLimit, input =>
            {
                var pieces = Utf8Splitter.Split(input.Text, input.Max);
                Assert.Equal(input.Text, string.Concat(pieces));
                int limit = Math.Max(input.Max, 4);
                for (int i = 0; i < pieces.Count; i++)
                {
                    Assert.InRange(Encoding.UTF8.GetByteCount(pieces[i]), input.Text.Length == 0 ? 0 : 1, limit);
                    if (i + 1 < pieces.Count)
                    {
                        bool splitsPair = pieces[i].Length > 0 && char.IsHighSurrogate(pieces[i][pieces[i].Length - 1]) && char.IsLowSurrogate(pieces[i + 1][0]);
                        Assert.False(splitsPair, "a surrogate pair cut in two");
                    }
                }
            }, input => Property.Show(input.Text) + " in " + input.Max);
        }

        [Fact]
        public void TruncateNeverCutsASurrogatePair()
        {
            Property.Check(TextAndLimit, input =>
            {
                string cut = IrcNames.Truncate(input.Text, input.Max);
                Assert.StartsWith(cut, input.Text, StringComparison.Ordinal);
                Assert.True(cut.Length <= input.Max);
                bool splitsPair = cut.Length > 0 && cut.Length < input.Text.Length &&
                    char.IsHighSurrogate(cut[cut.Length - 1]) && char.IsLowSurrogate(input.Text[cut.Length]);
                Assert.False(splitsPair, "a surrogate pair cut in two: " + Property.Show(cut));
                // It keeps as much as fits: one character less at most, and only for a pair.
                Assert.True(cut.Length >= Math.Min(input.Max, input.Text.Length) - 1);
            }, input => Property.Show(input.Text) + " to " + input.Max);
        }
    }
}
