using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;

namespace PSChat.Engine.Tests.Abuse
{
    /// <summary>The abuse tests' xunit collection: not run in parallel with any other test.</summary>
    [Xunit.CollectionDefinition(AbuseProbe.Collection, DisableParallelization = true)]
    public sealed class AbuseCollection
    {
    }

    /// <summary>
    /// A well-behaved IRC client watched while an abuse runs (tests tagged <c>Category=Abuse</c>): it and a
    /// partner share a channel of their own; <see cref="Check"/> proves the server still answers it (a PING
    /// comes back) and still delivers for it (a message reaches the partner). A server that froze fails the
    /// check by its liveness bound; the round trips themselves are recorded in the abuse report, not
    /// asserted (timing goals are reported as numbers, like the benchmarks).
    /// </summary>
    internal sealed class AbuseProbe : IDisposable
    {
        /// <summary>
        /// The abuse tests' collection: run alone, after the parallel tests, so the round trips in the
        /// report are the abuse's cost, not that of whatever other test class shares the cores.
        /// </summary>
        public const string Collection = "Abuse";

        /// <summary>How long a check waits before it calls the server frozen: a liveness bound, not a timing goal.</summary>
        public const int LivenessMs = 15000;

        private readonly string scenario;
        private readonly IrcTestClient speaker;
        private readonly IrcTestClient listener;
        private readonly string channel;
        private readonly List<double> roundTrips = new List<double>();
        private int sequence;

        private AbuseProbe(string scenario, IrcTestClient speaker, IrcTestClient listener, string channel)
        {
            this.scenario = scenario;
            this.speaker = speaker;
            this.listener = listener;
            this.channel = channel;
        }

        /// <summary>Registers the probe pair on <paramref name="fx"/> (a server that accepts IRC, with <paramref name="password"/> when it needs one) before the abuse starts.</summary>
        public static AbuseProbe Start(ServerFixture fx, string scenario, string? password = null)
        {
            string tag = Guid.NewGuid().ToString("N").Substring(0, 6);
            // A well-behaved client checks far less often than a probe does: the pair is exempt from flood
            // control (by its own end points, so the abuse is not), or each check would measure the probe's
            // own flood budget (two lines a second after a burst of ten) instead of the server.
            var speaker = IrcTestClient.Register(Exempt(fx), "probe" + tag, password: password);
            var listener = IrcTestClient.Register(Exempt(fx), "watch" + tag, password: password);
            string channel = "#probe" + tag;
            IrcTestClient.JoinAll(channel, speaker, listener);
            return new AbuseProbe(scenario, speaker, listener, channel);
        }

        private static IrcTestClient Exempt(ServerFixture fx) =>
            IrcTestClient.Wrap(TestClient.Connect(fx.EndPoint, bound => fx.Server.ExemptFromFloodControl(bound)));

        /// <summary>Round trips measured so far, in milliseconds.</summary>
        public IReadOnlyList<double> RoundTrips => roundTrips;

        /// <summary>
        /// One PING round trip and one delivery; throws when either does not happen within the liveness bound.
        /// Returns the round trip in milliseconds.
        /// </summary>
        public double Check()
        {
            string token = scenario + "-" + (++sequence);
            var watch = Stopwatch.StartNew();
            speaker.Send("PING :" + token);
            while (true)
            {
                var reply = speaker.Next(LivenessMs);
                if (reply.Command == "PONG" && reply.Parameters.Count > 1 && reply[1] == token) break;
            }

            double ms = watch.Elapsed.TotalMilliseconds;
            roundTrips.Add(ms);
            speaker.Send($"PRIVMSG {channel} :{token}");
            while (true)
            {
                var message = listener.Next(LivenessMs);
                if (message.Command == "PRIVMSG" && message[1] == token) break;
            }

            return ms;
        }

        /// <summary>Records the scenario's round trips in the abuse report and disconnects the pair.</summary>
        public void Dispose()
        {
            AbuseReport.Add(scenario, roundTrips);
            speaker.Dispose();
            listener.Dispose();
        }
    }

    /// <summary>
    /// The abuse suite's numbers: one tab-separated line per scenario (name, checks, median and worst PING
    /// round trip in ms) appended to the file named by PSCHAT_ABUSE_REPORT, which <c>build.ps1 Test</c> sets and
    /// summarises. Without the variable nothing is written.
    /// </summary>
    internal static class AbuseReport
    {
        private static readonly object Gate = new object();

        public static void Add(string scenario, IReadOnlyList<double> roundTrips)
        {
            string? path = Environment.GetEnvironmentVariable("PSCHAT_ABUSE_REPORT");
            if (string.IsNullOrEmpty(path) || roundTrips.Count == 0) return;
            var sorted = roundTrips.OrderBy(x => x).ToArray();
            string line = string.Join("\t",
                scenario,
                sorted.Length.ToString(System.Globalization.CultureInfo.InvariantCulture),
                sorted[sorted.Length / 2].ToString("F2", System.Globalization.CultureInfo.InvariantCulture),
                sorted[sorted.Length - 1].ToString("F2", System.Globalization.CultureInfo.InvariantCulture),
                Environment.GetEnvironmentVariable("PSCHAT_IO_LOOPS") ?? "default");
            lock (Gate) File.AppendAllText(path, line + Environment.NewLine);
        }
    }
}
