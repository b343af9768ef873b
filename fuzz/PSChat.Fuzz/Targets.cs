using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using PSChat.Engine.Framing;
using PSChat.Engine.Irc;
using PSChat.Engine.Text;

namespace PSChat.Fuzz
{
    /// <summary>
    /// One fuzz target per parser. Each takes the fuzzer's bytes, runs the code a hostile client reaches, and
    /// throws <see cref="FuzzFinding"/> when an invariant breaks (an exception of the code itself is a finding too).
    /// </summary>
    internal static class Targets
    {
        public static readonly IReadOnlyDictionary<string, Action<byte[]>> All = new Dictionary<string, Action<byte[]>>(StringComparer.OrdinalIgnoreCase)
        {
            ["irc"] = Irc,
            ["framer"] = Framer,
            ["text"] = Text,
        };

        /// <summary>
        /// The IRC parser, formatter and input rules: a parsed line formats to one line that parses the same,
        /// and a line the rules accept is relayed as exactly one line.
        /// </summary>
        private static void Irc(byte[] data)
        {
            var message = IrcMessage.Parse(data, 0, data.Length);
            if (message != null)
            {
                var again = IrcMessage.Parse(message.ToString());
                Require(again != null && Same(message, again), "a parsed message formats to a line that parses differently");
            }

            if (IrcInputRules.Check(data, 0, data.Length, out var accepted) != null || accepted == null) return;
            var clientTags = accepted.Tags.Where(t => t.Key.StartsWith("+", StringComparison.Ordinal)).ToDictionary(t => t.Key, t => t.Value);
            byte[] relayed = new IrcMessage(clientTags, "nick!user@host", accepted.Command, accepted.Parameters).ToBytes();
            int ends = relayed.Count(b => b == (byte)'\r' || b == (byte)'\n' || b == 0);
            Require(ends == 2 && relayed[relayed.Length - 2] == (byte)'\r' && relayed[relayed.Length - 1] == (byte)'\n', "an accepted line is relayed as more than one line");
        }

        /// <summary>The line framer: the stream cut into reads at the positions the first bytes give frames like the whole stream.</summary>
        private static void Framer(byte[] data)
        {
            if (data.Length < 2) return;
            int max = 1 + data[0] % 32;
            int step = 1 + data[1] % 7;
            var whole = Frame(data, 2, max, data.Length);
            var pieces = Frame(data, 2, max, step);
            Require(whole.SequenceEqual(pieces), "the framer's lines depend on how the stream was cut into reads");
        }

        /// <summary>The text rules and SafeText: what they accept, strip and show.</summary>
        private static void Text(byte[] data)
        {
            string? refusal = TextRules.TryDecode(data, 0, data.Length, out string line);
            if (refusal == null)
            {
                Require(line.All(c => !TextRules.IsUnsafeControl(c)), "an accepted text line holds an unsafe control");
                Require(Encoding.UTF8.GetBytes(line).SequenceEqual(data), "an accepted text line does not encode back to its bytes");
                if (TextRules.TrySplitSender(line, out string sender, out string text))
                {
                    Require(sender + ":" + text == line && sender.All(c => !TextRules.IsUnsafeInName(c)), "a sender name holds an unsafe character");
                }
            }

            string lenient = TextRules.LenientUtf8.GetString(data);
            Require(TextRules.StripControls(lenient).All(c => !TextRules.IsUnsafeControl(c)), "StripControls left an unsafe control");
            string shown = SafeText.Render(lenient);
            Require(shown.All(c => c >= 0x20 && (c < 0x7F || c > 0x9F) && !TextRules.IsBidiControl(c)), "SafeText left a control character");
            foreach (var piece in Utf8Splitter.Split(lenient, 1 + data.Length % 16))
            {
                Require(Encoding.UTF8.GetByteCount(piece) <= Math.Max(4, 1 + data.Length % 16), "a UTF-8 piece is over its limit");
            }
        }

        private static List<string> Frame(byte[] data, int start, int max, int step)
        {
            var sink = new Recorder();
            using var framer = new LineFramer(max);
            for (int i = start; i < data.Length; i += step) framer.Feed(data, i, Math.Min(step, data.Length - i), sink);
            framer.FlushPartial(sink);
            return sink.Frames;
        }

        private static bool Same(IrcMessage a, IrcMessage b) =>
            a.Command == b.Command && a.Source == b.Source && a.Parameters.SequenceEqual(b.Parameters) &&
            a.Tags.Count == b.Tags.Count &&
            a.Tags.All(t => b.Tags.TryGetValue(t.Key, out var v) && (string.IsNullOrEmpty(t.Value) ? string.IsNullOrEmpty(v) : t.Value == v));

        private static void Require(bool condition, string what)
        {
            if (!condition) throw new FuzzFinding(what);
        }

        private sealed class Recorder : ILineSink
        {
            public List<string> Frames { get; } = new List<string>();

            public void OnLine(byte[] buffer, int offset, int count, LineTerminator terminator) =>
                Frames.Add(terminator + ":" + Convert.ToBase64String(buffer, offset, count));

            public void OnOverlongLine(int bytesSeen) => Frames.Add("overlong");
        }
    }

    /// <summary>An invariant of a target broke: the input that did it is a finding.</summary>
    internal sealed class FuzzFinding : Exception
    {
        public FuzzFinding(string message)
            : base(message)
        {
        }
    }
}
