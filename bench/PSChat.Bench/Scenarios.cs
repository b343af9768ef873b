using System;
using System.Buffers.Text;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Net;
using System.Threading;
using System.Threading.Tasks;

namespace PSChat.Bench
{
    /// <summary>A server under test: its name in the table, the protocol to speak, where it listens, its process.</summary>
    /// <param name="Tls">The clients speak TLS; such a target runs the fan-out scenarios only (TLS against plain, same load).</param>
    /// <param name="FanOut">The target runs the fan-out scenarios only (a variant measured against another on the same load).</param>
    public sealed record Target(string Name, WireProtocol Protocol, IPEndPoint EndPoint, int Pid, bool Tls = false, bool FanOut = false)
    {
        public bool FanOutOnly => Tls || FanOut;
    }

    /// <summary>The sizes of the scenarios; <see cref="Quick"/> is the smoke run CI can afford.</summary>
    public sealed record Settings(int FanOutClients, int Senders, int BurstMessages, int PacedRate, TimeSpan PacedDuration, int IdleClients, int ManyClients)
    {
        public static readonly Settings Full = new(100, 10, 2000, 200, TimeSpan.FromSeconds(5), 10000, 10000);

        public static readonly Settings Quick = new(20, 2, 200, 200, TimeSpan.FromSeconds(1), 100, 200);
    }

    /// <summary>
    /// The four scenarios of issue 6; each returns its figures by row name. One file (past 400 lines)
    /// because the scenarios share their connect, barrier and measuring helpers, which read best beside them.
    /// </summary>
    public static class Scenarios
    {
        public const int MessageBodyBytes = 90;
        private const string Room = "#bench";
        private const string IdleRoom = "#idle";
        private const int ConnectsInFlight = 64;

        /// <summary>Connects in flight in the idle scenario (see <see cref="IdleAsync"/>).</summary>
        private const int IdleConnectsInFlight = 8;
        private static readonly TimeSpan ReplyTimeout = TimeSpan.FromSeconds(30);
        private static readonly TimeSpan ManyConnectBudget = TimeSpan.FromSeconds(120);
        private static readonly TimeSpan IdleConnectBudget = TimeSpan.FromMinutes(6);
        private static readonly TimeSpan StallTimeout = TimeSpan.FromSeconds(3);

        public static readonly string[] Names = { "burst", "paced", "idle", "many" };

        /// <summary>The scenarios a TLS target runs: the others measure connection counts, not the cost of encryption.</summary>
        public static readonly string[] FanOut = { "burst", "paced" };

        public static Task<List<(string Row, double Value)>> RunAsync(string scenario, Target target, Settings settings) => scenario switch
        {
            "burst" => FanOutAsync(target, settings, paced: false),
            "paced" => FanOutAsync(target, settings, paced: true),
            "idle" => IdleAsync(target, settings),
            "many" => ManyAsync(target, settings),
            _ => throw new ArgumentException($"unknown scenario '{scenario}'", nameof(scenario)),
        };

        /// <summary>The rows each scenario reports, in table order, and whether a lower value is better.</summary>
        public static IEnumerable<(string Row, bool LowerIsBetter)> RowsOf(string scenario, Settings s) => scenario switch
        {
            "burst" or "paced" => FanOutRows(FanOutTitle(scenario == "paced", s)),
            "idle" => new[]
            {
                ($"{IdleTitle(s)}: joined", false),
                ($"{IdleTitle(s)}: KB per connection at the last join", true),
                ($"{IdleTitle(s)}: KB per connection once drained", true),
                ($"{IdleTitle(s)}: connects/s", false),
                ($"{IdleTitle(s)}: connects in flight", false),
            },
            "many" => new[]
            {
                ($"{s.ManyClients} connected: held", false),
                ($"{s.ManyClients} connected: served", false),
                ($"{s.ManyClients} connected: KB per connection", true),
                ($"{s.ManyClients} connected: connects/s", false),
            },
            _ => throw new ArgumentException($"unknown scenario '{scenario}'", nameof(scenario)),
        };

        private static string FanOutTitle(bool paced, Settings s) => paced
            ? $"paced {s.FanOutClients} clients, {s.Senders}x{s.PacedRate}/s for {s.PacedDuration.TotalSeconds:0} s"
            : $"burst {s.FanOutClients} clients, {s.Senders}x{s.BurstMessages} msgs";

        private static IEnumerable<(string, bool)> FanOutRows(string title) => new[]
        {
            ($"{title}: deliveries/s", false),
            ($"{title}: lost", true),
            ($"{title}: p50 ms", true),
            ($"{title}: p99 ms", true),
            ($"{title}: max ms", true),
            ($"{title}: server CPU us/delivery", true),
        };

        private static async Task<List<(string, double)>> FanOutAsync(Target target, Settings s, bool paced)
        {
            var clients = await ConnectAsync(target, s.FanOutClients, Room, 64 * 1024, "f").ConfigureAwait(false);
            try
            {
                await BarrierAsync(clients).ConfigureAwait(false);
                await WarmUpAsync(clients, s).ConfigureAwait(false);
                int perSender = paced ? (int)(s.PacedRate * s.PacedDuration.TotalSeconds) : s.BurstMessages;
                long expected = (long)s.Senders * perSender * (clients.Count - 1);
                foreach (var c in clients) c.StartRecording(s.Senders * perSender);

                double cpuBefore = ProcessFigures.CpuSeconds(target.Pid);
                long start = Stopwatch.GetTimestamp();
                var sending = clients.Take(s.Senders)
                    .Select((c, i) => paced ? SendPacedAsync(c, i, perSender, s.PacedRate) : SendBurstAsync(c, i, perSender))
                    .ToArray();
                await Task.WhenAll(sending).ConfigureAwait(false);
                long delivered = await WaitForDeliveriesAsync(clients, expected).ConfigureAwait(false);
                double cpu = ProcessFigures.CpuSeconds(target.Pid) - cpuBefore;

                long end = clients.Max(c => c.LastReceiveTicks);
                double seconds = Math.Max(end - start, 1) / (double)Stopwatch.Frequency;
                var latencies = clients.SelectMany(c => c.Latencies!).ToArray();
                Array.Sort(latencies);
                string title = FanOutTitle(paced, s);
                return new List<(string, double)>
                {
                    ($"{title}: deliveries/s", delivered / seconds),
                    ($"{title}: lost", expected - delivered),
                    ($"{title}: p50 ms", Percentile(latencies, 0.50) / 1000.0),
                    ($"{title}: p99 ms", Percentile(latencies, 0.99) / 1000.0),
                    ($"{title}: max ms", (latencies.Length > 0 ? latencies[^1] : double.NaN) / 1000.0),
                    ($"{title}: server CPU us/delivery", delivered > 0 ? cpu * 1e6 / delivered : double.NaN),
                };
            }
            finally
            {
                Dispose(clients);
            }
        }

        /// <summary>
        /// 10,000 IRC clients join one room, 8 connecting at a time: ngircd listens with a backlog of 10,
        /// and with more in flight its registrations wait in SYN retries past the reply timeout. Each
        /// join goes to everyone already in the room, so the storm is quadratic; clients not in within
        /// the budget are left out (the joined row says how many made it). Memory is the server's RSS
        /// as a user sees it: once at the last client's end of NAMES, and once the joins have drained
        /// (every client has read a room message sent after the last join).
        /// </summary>
        private static async Task<List<(string, double)>> IdleAsync(Target target, Settings s)
        {
            long rssBefore = ProcessFigures.ResidentKilobytes(target.Pid);
            long start = Stopwatch.GetTimestamp();
            var clients = await ConnectAsync(target, s.IdleClients, IdleRoom, 4096, "i", IdleConnectBudget, IdleConnectsInFlight).ConfigureAwait(false);
            try
            {
                long rssJoined = ProcessFigures.ResidentKilobytes(target.Pid);
                double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
                await BarrierAsync(clients, IdleRoom).ConfigureAwait(false);
                long rssDrained = await SettledResidentKilobytesAsync(target).ConfigureAwait(false);
                string title = IdleTitle(s);
                return new List<(string, double)>
                {
                    ($"{title}: joined", clients.Count),
                    ($"{title}: KB per connection at the last join", (rssJoined - rssBefore) / (double)clients.Count),
                    ($"{title}: KB per connection once drained", (rssDrained - rssBefore) / (double)clients.Count),
                    ($"{title}: connects/s", clients.Count / seconds),
                    ($"{title}: connects in flight", IdleConnectsInFlight),
                };
            }
            finally
            {
                Dispose(clients);
            }
        }

        private static string IdleTitle(Settings s) => $"idle {s.IdleClients} IRC clients in one room";

        private static async Task<List<(string, double)>> ManyAsync(Target target, Settings s)
        {
            long rssBefore = ProcessFigures.ResidentKilobytes(target.Pid);
            long start = Stopwatch.GetTimestamp();
            var clients = await ConnectAsync(target, s.ManyClients, room: null, 2048, "m", ManyConnectBudget, ConnectsInFlight * 4).ConfigureAwait(false);
            try
            {
                double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
                int served = await ServeEachAsync(target, clients).ConfigureAwait(false);
                long rssAfter = await SettledResidentKilobytesAsync(target).ConfigureAwait(false);
                return new List<(string, double)>
                {
                    ($"{s.ManyClients} connected: held", clients.Count(c => c.ClosedBy == null)),
                    ($"{s.ManyClients} connected: served", served),
                    ($"{s.ManyClients} connected: KB per connection", (rssAfter - rssBefore) / (double)clients.Count),
                    ($"{s.ManyClients} connected: connects/s", clients.Count / seconds),
                };
            }
            finally
            {
                Dispose(clients);
            }
        }

        /// <summary>IRC: every client gets a PONG for its PING. Text: every client gets one room message.</summary>
        private static async Task<int> ServeEachAsync(Target target, List<BenchClient> clients)
        {
            if (target.Protocol == WireProtocol.Text)
            {
                await BarrierAsync(clients).ConfigureAwait(false);
                return clients.Count;
            }

            int served = 0;
            using var gate = new SemaphoreSlim(ConnectsInFlight * 4);
            await Task.WhenAll(clients.Select(async c =>
            {
                await gate.WaitAsync().ConfigureAwait(false);
                try
                {
                    await c.RequestAsync("PING :bench\r\n", static l => l.IndexOf("PONG"u8) >= 0, ReplyTimeout).ConfigureAwait(false);
                    Interlocked.Increment(ref served);
                }
                finally
                {
                    gate.Release();
                }
            })).ConfigureAwait(false);
            return served;
        }

        /// <summary>
        /// Connects and registers all but the last client concurrently, then the last one: a server
        /// accepts in order, so once the last client's line reaches everyone, everyone is in the room.
        /// With a budget, clients that are not in by then are left out instead of failing the scenario.
        /// </summary>
        private static async Task<List<BenchClient>> ConnectAsync(Target target, int count, string? room, int bufferBytes, string tag, TimeSpan? budget = null, int inFlight = ConnectsInFlight)
        {
            var clients = new BenchClient?[count];
            var deadline = budget is TimeSpan b ? Stopwatch.GetTimestamp() + (long)(b.TotalSeconds * Stopwatch.Frequency) : long.MaxValue;
            try
            {
                using var gate = new SemaphoreSlim(inFlight);
                await Task.WhenAll(Enumerable.Range(0, count - 1).Select(async i =>
                {
                    await gate.WaitAsync().ConfigureAwait(false);
                    try
                    {
                        if (Stopwatch.GetTimestamp() < deadline) clients[i] = await ConnectOneAsync(target, room, bufferBytes, tag + i).ConfigureAwait(false);
                    }
                    catch (Exception) when (budget != null)
                    {
                        // Counted as not held.
                    }
                    finally
                    {
                        gate.Release();
                    }
                })).ConfigureAwait(false);
                clients[count - 1] = await ConnectOneAsync(target, room, bufferBytes, tag + (count - 1)).ConfigureAwait(false);
                return clients.Where(c => c != null).Select(c => c!).ToList();
            }
            catch
            {
                Dispose(clients.Where(c => c != null).Select(c => c!));
                throw;
            }
        }

        private static async Task<BenchClient> ConnectOneAsync(Target target, string? room, int bufferBytes, string nick)
        {
            using var cancel = new CancellationTokenSource(ReplyTimeout);
            var client = await BenchClient.ConnectAsync(target.EndPoint, target.Protocol, nick, bufferBytes, target.Tls, cancel.Token).ConfigureAwait(false);
            try
            {
                await client.RegisterAsync(room, ReplyTimeout).ConfigureAwait(false);
                return client;
            }
            catch
            {
                client.Dispose();
                throw;
            }
        }

        /// <summary>The last client says SYNC in the room and every other client waits to see it.</summary>
        private static async Task BarrierAsync(List<BenchClient> clients, string room = Room)
        {
            var last = clients[^1];
            var seen = clients.Take(clients.Count - 1).Select(c => c.ExpectAsync(static l => l.IndexOf("SYNC"u8) >= 0)).ToArray();
            await last.SendAsync(Line(last, room, "SYNC")).ConfigureAwait(false);
            await BenchClient.WithTimeout(Task.WhenAll(seen), ReplyTimeout, "SYNC").ConfigureAwait(false);
        }

        private static byte[] Line(BenchClient client, string room, string text) =>
            client.MessagePrefix(room).Concat(System.Text.Encoding.ASCII.GetBytes(text)).Concat(client.LineEnd).ToArray();

        /// <summary>
        /// Two unmeasured seconds of paced traffic before a fan-out scenario: a fresh .NET server
        /// compiles its hot paths (tiered JIT, in the background) during its first second or so of
        /// traffic, which a C server never pays again. Every target gets the same rounds, so the
        /// figures are steady-state ones.
        /// </summary>
        private static async Task WarmUpAsync(List<BenchClient> clients, Settings s)
        {
            // Paced, not a burst: a server that drops slow receivers in a burst must not lose clients here.
            const int Rounds = 2;
            int perSender = s.PacedRate;
            for (int round = 0; round < Rounds; round++)
            {
                foreach (var c in clients) c.StartRecording(0);
                await Task.WhenAll(clients.Take(s.Senders).Select((c, i) => SendPacedAsync(c, i, perSender, s.PacedRate))).ConfigureAwait(false);
                await WaitForDeliveriesAsync(clients, (long)s.Senders * perSender * (clients.Count - 1)).ConfigureAwait(false);
                await Task.Delay(300).ConfigureAwait(false);
            }
        }

        private static async Task SendBurstAsync(BenchClient client, int sender, int count)
        {
            const int perWrite = 20;
            var encoder = new MessageEncoder(client, sender, perWrite);
            for (int seq = 0; seq < count; seq += perWrite)
            {
                await client.SendAsync(encoder.Encode(seq, Math.Min(perWrite, count - seq))).ConfigureAwait(false);
            }
        }

        private static async Task SendPacedAsync(BenchClient client, int sender, int count, int perSecond)
        {
            var encoder = new MessageEncoder(client, sender, perSecond);
            long start = Stopwatch.GetTimestamp();
            int sent = 0;
            while (sent < count)
            {
                int due = (int)Math.Min(count, Stopwatch.GetElapsedTime(start).TotalSeconds * perSecond);
                if (due > sent)
                {
                    await client.SendAsync(encoder.Encode(sent, due - sent)).ConfigureAwait(false);
                    sent = due;
                }

                await Task.Delay(1).ConfigureAwait(false);
            }
        }

        /// <summary>Waits until every expected message arrived or none arrived for a while; returns the count.</summary>
        private static async Task<long> WaitForDeliveriesAsync(List<BenchClient> clients, long expected)
        {
            long last = -1;
            long lastChange = Stopwatch.GetTimestamp();
            while (true)
            {
                long now = clients.Sum(c => c.Received);
                if (now >= expected) return now;
                if (now != last)
                {
                    last = now;
                    lastChange = Stopwatch.GetTimestamp();
                }
                else if (Stopwatch.GetElapsedTime(lastChange) > StallTimeout)
                {
                    return now;
                }

                await Task.Delay(10).ConfigureAwait(false);
            }
        }

        /// <summary>RSS once the server has had a moment to settle after the last connection.</summary>
        private static async Task<long> SettledResidentKilobytesAsync(Target target)
        {
            await Task.Delay(500).ConfigureAwait(false);
            return ProcessFigures.ResidentKilobytes(target.Pid);
        }

        private static double Percentile(int[] sorted, double p) =>
            sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];

        private static void Dispose(IEnumerable<BenchClient> clients)
        {
            foreach (var c in clients) c.Dispose();
        }

        /// <summary>Writes bench messages of a fixed body size, each stamped when it is encoded.</summary>
        private sealed class MessageEncoder
        {
            private readonly byte[] prefix;
            private readonly byte[] lineEnd;
            private readonly int sender;
            private readonly byte[] buffer;

            public MessageEncoder(BenchClient client, int sender, int maxMessages)
            {
                prefix = client.MessagePrefix(Room);
                lineEnd = client.LineEnd;
                this.sender = sender;
                buffer = new byte[maxMessages * (prefix.Length + MessageBodyBytes + lineEnd.Length)];
            }

            public ReadOnlyMemory<byte> Encode(int firstSeq, int count)
            {
                int n = 0;
                for (int i = 0; i < count; i++)
                {
                    var span = buffer.AsSpan(n);
                    prefix.CopyTo(span);
                    int body = prefix.Length;
                    int at = body;
                    BenchClient.Marker.CopyTo(span.Slice(at));
                    at += BenchClient.Marker.Length;
                    Utf8Formatter.TryFormat(Stopwatch.GetTimestamp(), span.Slice(at), out int w);
                    at += w;
                    span[at++] = (byte)' ';
                    Utf8Formatter.TryFormat(sender, span.Slice(at), out w);
                    at += w;
                    span[at++] = (byte)' ';
                    Utf8Formatter.TryFormat(firstSeq + i, span.Slice(at), out w);
                    at += w;
                    span[at++] = (byte)' ';
                    span.Slice(at, body + MessageBodyBytes - at).Fill((byte)'x');
                    at = body + MessageBodyBytes;
                    lineEnd.CopyTo(span.Slice(at));
                    n += at + lineEnd.Length;
                }

                return buffer.AsMemory(0, n);
            }
        }
    }
}
