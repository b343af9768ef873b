using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Text;
using System.Threading.Tasks;

namespace PSChat.Bench
{
    /// <summary>
    /// Drives the same scenarios at each server and prints one Markdown table, the first target's
    /// ratio to each other target at the right.
    /// Usage: PSChat.Bench --target name,irc|text,port,pid[,tls|,fanout] [--target ...] [--ratio name/name ...] [--quick] [--scenarios burst,paced,idle,many] [--out file]
    /// A target marked fanout (or tls) runs the fan-out scenarios only. Each --ratio a/b adds a column
    /// a/b to a second table, of the rows both targets measured (history on against history off).
    /// </summary>
    public static class Program
    {
        public static async Task<int> Main(string[] args)
        {
            var targets = new List<Target>();
            var ratios = new List<(string Mine, string Theirs)>();
            var scenarios = Scenarios.Names.ToList();
            var settings = Settings.Full;
            string? outFile = null;
            for (int i = 0; i < args.Length; i++)
            {
                switch (args[i])
                {
                    case "--target":
                        targets.Add(ParseTarget(args[++i]));
                        break;
                    case "--ratio":
                        string[] pair = args[++i].Split('/');
                        if (pair.Length != 2) throw new ArgumentException($"--ratio '{args[i]}' is not name/name");
                        ratios.Add((pair[0], pair[1]));
                        break;
                    case "--quick":
                        settings = Settings.Quick;
                        break;
                    case "--scenarios":
                        scenarios = args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries).ToList();
                        break;
                    case "--out":
                        outFile = args[++i];
                        break;
                    default:
                        Console.Error.WriteLine($"Unknown argument '{args[i]}'.");
                        return 2;
                }
            }

            if (targets.Count == 0)
            {
                Console.Error.WriteLine("Give at least one --target name,irc|text,port,pid[,tls].");
                return 2;
            }

            var values = targets.ToDictionary(t => t.Name, _ => new Dictionary<string, double>());
            var notes = new List<string>();
            foreach (string scenario in scenarios)
            {
                foreach (var target in targets)
                {
                    if (target.FanOutOnly && !Scenarios.FanOut.Contains(scenario)) continue;
                    Console.Error.WriteLine($"{DateTime.UtcNow:HH:mm:ss} {scenario} on {target.Name} ({target.Protocol})");
                    try
                    {
                        foreach (var (row, value) in await Scenarios.RunAsync(scenario, target, settings).ConfigureAwait(false))
                        {
                            values[target.Name][row] = value;
                        }
                    }
                    catch (Exception ex)
                    {
                        notes.Add($"{target.Name} {scenario}: failed: {ex.GetBaseException().Message.ReplaceLineEndings(" ")}");
                        Console.Error.WriteLine(notes[^1]);
                    }

                    // Let the server tear the last scenario's connections down before the next one.
                    await Task.Delay(1000).ConfigureAwait(false);
                }
            }

            var rows = scenarios.SelectMany(s => Scenarios.RowsOf(s, settings)).ToList();
            string table = Format(targets, rows, values, notes) + FormatRatios(ratios, rows, values);
            Console.Out.Write(table);
            if (outFile != null) File.WriteAllText(outFile, table);
            return notes.Count == 0 ? 0 : 1;
        }

        private static Target ParseTarget(string text)
        {
            string[] parts = text.Split(',');
            if (parts.Length != 4 && !(parts.Length == 5 && (parts[4] == "tls" || parts[4] == "fanout"))) throw new ArgumentException($"--target '{text}' is not name,irc|text,port,pid[,tls|,fanout]");
            return new Target(
                parts[0],
                Enum.Parse<WireProtocol>(parts[1], ignoreCase: true),
                new IPEndPoint(IPAddress.Loopback, int.Parse(parts[2], CultureInfo.InvariantCulture)),
                int.Parse(parts[3], CultureInfo.InvariantCulture),
                Tls: parts.Length == 5 && parts[4] == "tls",
                FanOut: parts.Length == 5 && parts[4] == "fanout");
        }

        /// <summary>The --ratio columns: one row per figure both sides of every pair have; empty without pairs.</summary>
        public static string FormatRatios(List<(string Mine, string Theirs)> ratios, List<(string Row, bool LowerIsBetter)> rows, Dictionary<string, Dictionary<string, double>> values)
        {
            var pairs = ratios.Where(p => values.ContainsKey(p.Mine) && values.ContainsKey(p.Theirs)).ToList();
            if (pairs.Count == 0) return string.Empty;
            var text = new StringBuilder();
            text.AppendLine().Append("| Figure | ").Append(string.Join(" | ", pairs.Select(p => $"{p.Mine}/{p.Theirs}"))).AppendLine(" |");
            text.Append("|---|").AppendLine(string.Concat(pairs.Select(_ => "---:|")));
            foreach (var (row, lowerIsBetter) in rows)
            {
                var cells = pairs.Select(p => Ratio(values[p.Mine], values[p.Theirs], row)).ToList();
                if (cells.All(c => c == "n/a")) continue;
                text.Append("| ").Append(row).Append(lowerIsBetter ? " (lower is better)" : string.Empty);
                foreach (string cell in cells) text.Append(" | ").Append(cell);
                text.AppendLine(" |");
            }

            return text.ToString();
        }

        /// <summary>One row per figure; the ratio columns compare the first target with each other one.</summary>
        public static string Format(List<Target> targets, List<(string Row, bool LowerIsBetter)> rows, Dictionary<string, Dictionary<string, double>> values, List<string> notes)
        {
            var first = targets[0];
            var others = targets.Skip(1).ToList();
            var text = new StringBuilder();
            text.Append("| Figure | ").Append(string.Join(" | ", targets.Select(t => $"{t.Name} ({t.Protocol.ToString().ToLowerInvariant()})")));
            foreach (var o in others) text.Append($" | {first.Name}/{o.Name}");
            text.AppendLine(" |");
            text.Append("|---|").Append(string.Concat(targets.Select(_ => "---:|"))).AppendLine(string.Concat(others.Select(_ => "---:|")));
            foreach (var (row, lowerIsBetter) in rows)
            {
                text.Append("| ").Append(row).Append(lowerIsBetter ? " (lower is better)" : string.Empty);
                foreach (var t in targets) text.Append(" | ").Append(Cell(values[t.Name], row));
                foreach (var o in others) text.Append(" | ").Append(Ratio(values[first.Name], values[o.Name], row));
                text.AppendLine(" |");
            }

            foreach (string note in notes) text.AppendLine().Append("- ").AppendLine(note);
            return text.ToString();
        }

        private static string Cell(Dictionary<string, double> values, string row) =>
            values.TryGetValue(row, out double v) && !double.IsNaN(v) ? Number(v) : "n/a";

        private static string Ratio(Dictionary<string, double> mine, Dictionary<string, double> theirs, string row) =>
            !row.EndsWith("in flight", StringComparison.Ordinal) && mine.TryGetValue(row, out double a) && theirs.TryGetValue(row, out double b) && b != 0 && !double.IsNaN(a) && !double.IsNaN(b)
                ? (a / b).ToString("0.00", CultureInfo.InvariantCulture) + "x"
                : "n/a";

        private static string Number(double v) => Math.Abs(v) switch
        {
            _ when v == Math.Floor(v) => v.ToString("#,0", CultureInfo.InvariantCulture),
            >= 1000 => v.ToString("#,0", CultureInfo.InvariantCulture),
            >= 10 => v.ToString("0.0", CultureInfo.InvariantCulture),
            _ => v.ToString("0.000", CultureInfo.InvariantCulture),
        };
    }
}
