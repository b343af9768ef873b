using System;
using System.Collections.Generic;
using System.Text;
using PSChat.Engine.Text;

namespace PSChat.Engine.Irc
{
    /// <summary>
    /// One IRC protocol message: optional IRCv3 tags, optional source (prefix), a command or numeric,
    /// and parameters, the last of which may contain spaces (the "trailing" parameter).
    /// Parsing follows the modern IRC client protocol document; formatting never produces a line
    /// that parses differently from what was meant.
    /// </summary>
    internal sealed class IrcMessage
    {
        private static readonly IReadOnlyDictionary<string, string?> NoTags = new Dictionary<string, string?>();

        public IrcMessage(string command, params string[] parameters)
            : this(null, null, command, parameters)
        {
        }

        public IrcMessage(IReadOnlyDictionary<string, string?>? tags, string? source, string command, IReadOnlyList<string> parameters)
        {
            Tags = tags ?? NoTags;
            Source = source;
            Command = command ?? throw new ArgumentNullException(nameof(command));
            Parameters = parameters ?? Array.Empty<string>();
        }

        /// <summary>Tag keys to unescaped values; a tag without '=' has a null value.</summary>
        public IReadOnlyDictionary<string, string?> Tags { get; }

        /// <summary>The source without its leading ':' (nick!user@host or a server name), or null.</summary>
        public string? Source { get; }

        /// <summary>The command as sent (upper-cased when parsed), or a three-digit numeric.</summary>
        public string Command { get; }

        public IReadOnlyList<string> Parameters { get; }

        /// <summary>The nick part of the source (before '!').</summary>
        public string? SourceNick
        {
            get
            {
                if (Source == null) return null;
                int bang = Source.IndexOf('!');
                return bang < 0 ? Source : Source.Substring(0, bang);
            }
        }

        public string? this[int index] => index < Parameters.Count ? Parameters[index] : null;

        /// <summary>
        /// Parses one line (without its CR LF). Returns null for an empty or malformed line. The line is
        /// taken as UTF-8 (a lone surrogate becomes U+FFFD, as it would on the wire).
        /// </summary>
        public static IrcMessage? Parse(string line)
        {
            byte[] bytes = Encoding.UTF8.GetBytes(line);
            return Parse(bytes, 0, bytes.Length);
        }

        /// <summary>
        /// Parses one line of UTF-8 (without its CR LF) straight from the receive buffer; invalid bytes
        /// become U+FFFD. Returns null for an empty or malformed line. Every delimiter is ASCII, which
        /// never occurs inside a multi-byte sequence, so decoding piece by piece gives the same strings
        /// as decoding the whole line first, without the copy of the whole line.
        /// </summary>
        public static IrcMessage? Parse(byte[] buffer, int offset, int count)
        {
            int i = offset;
            int n = offset + count;
            Dictionary<string, string?>? tags = null;
            SkipSpaces(buffer, ref i, n);
            if (i < n && buffer[i] == (byte)'@')
            {
                int end = IndexOfSpace(buffer, i, n);
                if (end < 0) return null;
                tags = ParseTags(Decode(buffer, i + 1, end));
                i = end;
                SkipSpaces(buffer, ref i, n);
            }

            string? source = null;
            if (i < n && buffer[i] == (byte)':')
            {
                int end = IndexOfSpace(buffer, i, n);
                if (end < 0) return null;
                source = Decode(buffer, i + 1, end);
                i = end;
                SkipSpaces(buffer, ref i, n);
            }

            int commandEnd = IndexOfSpace(buffer, i, n);
            if (commandEnd < 0) commandEnd = n;
            // A command is letters or digits; one starting with '@' or ':' would read as tags or a source
            // when formatted again ("@ @x" has no tags and the command "@X", which formats as "@X").
            if (commandEnd == i || buffer[i] == (byte)'@' || buffer[i] == (byte)':') return null;
            string command = Decode(buffer, i, commandEnd).ToUpperInvariant();
            i = commandEnd;

            var parameters = new List<string>();
            while (true)
            {
                SkipSpaces(buffer, ref i, n);
                if (i >= n) break;
                if (buffer[i] == (byte)':')
                {
                    parameters.Add(Decode(buffer, i + 1, n));
                    break;
                }

                int end = IndexOfSpace(buffer, i, n);
                if (end < 0) end = n;
                parameters.Add(Decode(buffer, i, end));
                i = end;
            }

            return new IrcMessage(tags, source, command, parameters);
        }

        /// <summary>The wire form without CR LF. The last parameter gets a ':' when it needs one.</summary>
        public override string ToString() => AppendTo(new StringBuilder(64)).ToString();

        /// <summary>
        /// The wire form with CR LF, as UTF-8 bytes. Formatted in a per-thread builder and encoded from a
        /// per-thread char buffer, so the returned array is the only allocation: this runs once per
        /// line the server sends.
        /// </summary>
        public byte[] ToBytes()
        {
            var sb = cachedBuilder ?? new StringBuilder(256);
            cachedBuilder = null;
            AppendTo(sb.Clear()).Append('\r').Append('\n');
            int length = sb.Length;
            var chars = cachedChars;
            if (chars == null || chars.Length < length) chars = new char[Math.Max(length, 1024)];
            sb.CopyTo(0, chars, 0, length);
            var bytes = new byte[Encoding.UTF8.GetByteCount(chars, 0, length)];
            Encoding.UTF8.GetBytes(chars, 0, length, bytes, 0);
            if (chars.Length <= MaxCachedChars) cachedChars = chars;
            if (sb.Capacity <= MaxCachedChars) cachedBuilder = sb;
            return bytes;
        }

        /// <summary>RFC 1459: the most bytes of a line, CR LF included, IRCv3 tags not counted.</summary>
        public const int MaxLineBytes = 512;

        /// <summary>
        /// <see cref="ToBytes"/> kept within <see cref="MaxLineBytes"/> (tags aside): when the line is
        /// longer, its last parameter is cut at a character boundary (a long reason, real name or topic).
        /// </summary>
        public byte[] ToBoundedBytes()
        {
            byte[] bytes = ToBytes();
            int tags = Tags.Count == 0 ? 0 : Array.IndexOf(bytes, (byte)' ') + 1;
            int excess = bytes.Length - tags - MaxLineBytes;
            if (excess <= 0 || Parameters.Count == 0) return bytes;
            string last = Parameters[Parameters.Count - 1];
            var parameters = new string[Parameters.Count];
            for (int i = 0; i < parameters.Length - 1; i++) parameters[i] = Parameters[i];
            int keep = Encoding.UTF8.GetByteCount(last) - excess;
            while (true)
            {
                parameters[parameters.Length - 1] = Utf8Splitter.Prefix(last, Math.Max(0, keep));
                bytes = new IrcMessage(Tags, Source, Command, parameters).ToBytes();
                // A cut that empties the parameter or bares a space gives it a ':' (one byte): cut one more.
                if (bytes.Length - tags <= MaxLineBytes || keep <= 0) return bytes;
                keep--;
            }
        }

        /// <summary>Buffers past this size (a long line with many tags) are not kept for the thread.</summary>
        private const int MaxCachedChars = 16 * 1024;

        [ThreadStatic]
        private static StringBuilder? cachedBuilder;

        [ThreadStatic]
        private static char[]? cachedChars;

        private StringBuilder AppendTo(StringBuilder sb)
        {
            if (Tags.Count > 0)
            {
                sb.Append('@');
                bool first = true;
                foreach (var tag in Tags)
                {
                    if (!first) sb.Append(';');
                    first = false;
                    sb.Append(tag.Key);
                    if (!string.IsNullOrEmpty(tag.Value))
                    {
                        sb.Append('=');
                        EscapeTagValue(tag.Value!, sb);
                    }
                }

                sb.Append(' ');
            }

            if (Source != null) sb.Append(':').Append(Source).Append(' ');
            sb.Append(Command);
            for (int p = 0; p < Parameters.Count; p++)
            {
                string value = Parameters[p];
                sb.Append(' ');
                bool last = p == Parameters.Count - 1;
                if (last && NeedsTrailing(value)) sb.Append(':');
                sb.Append(value);
            }

            return sb;
        }

        public static bool NeedsTrailing(string value) =>
            value.Length == 0 || value[0] == ':' || value.IndexOf(' ') >= 0;

        public static Dictionary<string, string?> ParseTags(string raw)
        {
            var tags = new Dictionary<string, string?>(StringComparer.Ordinal);
            foreach (string part in raw.Split(';'))
            {
                if (part.Length == 0) continue;
                int eq = part.IndexOf('=');
                // "=x" has no key: no tag, since it could not be written back ("@=" reads as no tags at all).
                if (eq == 0) continue;
                if (eq < 0)
                {
                    tags[part] = null;
                }
                else
                {
                    tags[part.Substring(0, eq)] = UnescapeTagValue(part.Substring(eq + 1));
                }
            }

            return tags;
        }

        /// <summary>IRCv3 message-tags escaping: ';' '\s' '\\' '\r' '\n'.</summary>
        public static void EscapeTagValue(string value, StringBuilder sb)
        {
            foreach (char c in value)
            {
                switch (c)
                {
                    case ';': sb.Append("\\:"); break;
                    case ' ': sb.Append("\\s"); break;
                    case '\\': sb.Append("\\\\"); break;
                    case '\r': sb.Append("\\r"); break;
                    case '\n': sb.Append("\\n"); break;
                    default: sb.Append(c); break;
                }
            }
        }

        public static string UnescapeTagValue(string value)
        {
            if (value.IndexOf('\\') < 0) return value;
            var sb = new StringBuilder(value.Length);
            for (int i = 0; i < value.Length; i++)
            {
                char c = value[i];
                if (c != '\\')
                {
                    sb.Append(c);
                    continue;
                }

                if (++i >= value.Length) break; // a lone trailing backslash is dropped
                switch (value[i])
                {
                    case ':': sb.Append(';'); break;
                    case 's': sb.Append(' '); break;
                    case '\\': sb.Append('\\'); break;
                    case 'r': sb.Append('\r'); break;
                    case 'n': sb.Append('\n'); break;
                    default: sb.Append(value[i]); break;
                }
            }

            return sb.ToString();
        }

        private static void SkipSpaces(byte[] buffer, ref int i, int end)
        {
            while (i < end && buffer[i] == (byte)' ') i++;
        }

        private static int IndexOfSpace(byte[] buffer, int start, int end) => Array.IndexOf(buffer, (byte)' ', start, end - start);

        private static string Decode(byte[] buffer, int start, int end) =>
            end == start ? string.Empty : TextRules.LenientUtf8.GetString(buffer, start, end - start);
    }
}
