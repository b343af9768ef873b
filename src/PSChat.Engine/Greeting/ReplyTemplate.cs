using System;
using System.Globalization;
using System.Linq;
using System.Text;
using PSChat.Engine.Framing;

namespace PSChat.Engine.Greeting
{
    /// <summary>
    /// A reply format such as "hello {0}", cut into its literal UTF-8 parts once, so a reply is the
    /// message's own bytes spliced between them: no decoding, no re-encoding surprises.
    /// </summary>
    internal sealed class ReplyTemplate
    {
        // A private-use pair that no sensible format contains; string.Format places it wherever {0} goes.
        private const string Marker = "\uE000\uF8FF";

        private readonly byte[][] literals;

        /// <summary>The message alone (with the terminator asked for).</summary>
        public static ReplyTemplate Verbatim { get; } = new ReplyTemplate("{0}");

        /// <exception cref="FormatException">The format names an argument other than {0} or has unbalanced braces.</exception>
        public ReplyTemplate(string format)
        {
            if (format == null) throw new ArgumentNullException(nameof(format));
            if (format.Contains(Marker)) throw new FormatException("The reply format contains reserved characters.");
            string rendered = string.Format(CultureInfo.InvariantCulture, format, Marker);
            literals = rendered.Split(new[] { Marker }, StringSplitOptions.None).Select(Encoding.UTF8.GetBytes).ToArray();
        }

        public byte[] Render(byte[] message, int offset, int count, LineTerminator terminator)
        {
            int holes = literals.Length - 1;
            var reply = new byte[literals.Sum(l => l.Length) + (holes * count) + terminator.ByteCount()];
            int at = 0;
            for (int i = 0; i < literals.Length; i++)
            {
                if (i > 0)
                {
                    Buffer.BlockCopy(message, offset, reply, at, count);
                    at += count;
                }

                Buffer.BlockCopy(literals[i], 0, reply, at, literals[i].Length);
                at += literals[i].Length;
            }

            terminator.WriteTo(reply, at);
            return reply;
        }
    }
}
