using System;
using System.Globalization;

namespace PSChat.Engine.Client.Payloads
{
    /// <summary>
    /// How fast a session sends to a server that offers pschat.dev/payload: under the budgets its CAP value
    /// advertises (<c>rate=BYTES-A-SECOND,burst=BYTES,lines=N,line-burst=N</c>: object chunks in bytes, lines
    /// as flood control counts them), with a margin, as the two clocks and the network never agree exactly:
    /// seven eighths of each rate and half of each burst.
    /// </summary>
    internal sealed class PayloadPace
    {
        private PayloadPace(int bytesPerSecond, int burstBytes, double linesPerSecond, int lineBurst)
        {
            BytesPerSecond = bytesPerSecond;
            BurstBytes = burstBytes;
            LinesPerSecond = linesPerSecond;
            LineBurst = lineBurst;
        }

        /// <summary>The rate of object chunks the session keeps to.</summary>
        public int BytesPerSecond { get; }

        /// <summary>The bytes of object chunks the session sends at once.</summary>
        public int BurstBytes { get; }

        /// <summary>The rate of lines the session keeps to; 0 when the server named none.</summary>
        public double LinesPerSecond { get; }

        /// <summary>The lines the session sends at once (with <see cref="LinesPerSecond"/>).</summary>
        public int LineBurst { get; }

        /// <summary>The pace under an advertised value; null when the value names no positive rate and burst (the session then sends chunks as lines).</summary>
        public static PayloadPace? Under(string? value)
        {
            if (value == null) return null;
            double rate = 0, burst = 0, lines = 0, lineBurst = 0;
            foreach (string pair in value.Split(','))
            {
                int equals = pair.IndexOf('=');
                if (equals < 0 || !double.TryParse(pair.Substring(equals + 1), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double number)) continue;
                switch (pair.Substring(0, equals))
                {
                    case "rate":
                        rate = number;
                        break;
                    case "burst":
                        burst = number;
                        break;
                    case "lines":
                        lines = number;
                        break;
                    case "line-burst":
                        lineBurst = number;
                        break;
                }
            }

            if (rate < 1 || burst < 1) return null;
            bool paced = lines > 0 && lineBurst >= 1;
            return new PayloadPace(
                (int)Math.Max(1, Math.Min(int.MaxValue, rate) / 8 * 7),
                (int)Math.Max(1, Math.Min(int.MaxValue, burst) / 2),
                paced ? lines / 8 * 7 : 0,
                paced ? (int)Math.Max(1, Math.Min(int.MaxValue, lineBurst) / 2) : 0);
        }
    }
}
