using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;

namespace PSChat.Fuzz
{
    /// <summary>
    /// The fallback fuzzer: byte flips, insertions of interesting bytes, splices and truncations of the seed
    /// corpus, from a fixed seed, for a time budget. No coverage feedback, so it finds less than AFL++; it needs
    /// nothing but .NET. A finding is written to out/fuzz/random-findings and the run fails.
    /// </summary>
    internal static class RandomMutation
    {
        private static readonly byte[] Interesting = { 0, (byte)'\r', (byte)'\n', (byte)' ', (byte)':', (byte)'@', (byte)';', (byte)'=', (byte)'\\', (byte)'+', (byte)'/', 0x1B, 0x7F, 0xC2, 0x9B, 0xE2, 0x80, 0xAE, 0xF0, 0x9F, 0xFF };

        public static int Run(Action<byte[]> target, TimeSpan budget, int seed, byte[][] corpus)
        {
            var random = new Random(seed);
            var pool = new List<byte[]>(corpus.Length == 0 ? new[] { Array.Empty<byte>() } : corpus);
            var clock = Stopwatch.StartNew();
            long runs = 0;
            while (clock.Elapsed < budget)
            {
                byte[] input = Mutate(pool[random.Next(pool.Count)], pool[random.Next(pool.Count)], random);
                runs++;
                try
                {
                    target(input);
                }
                catch (Exception ex)
                {
                    string folder = Path.Combine("out", "fuzz", "random-findings");
                    Directory.CreateDirectory(folder);
                    string file = Path.Combine(folder, $"finding-{seed}-{runs}");
                    File.WriteAllBytes(file, input);
                    Console.WriteLine($"finding after {runs} runs, saved as {file}: {ex.GetType().Name}: {ex.Message}");
                    return 1;
                }

                if (pool.Count < 4096 && random.Next(64) == 0) pool.Add(input);
            }

            Console.WriteLine($"{runs} runs in {clock.Elapsed.TotalSeconds:F0} s, no findings");
            return 0;
        }

        private static byte[] Mutate(byte[] a, byte[] b, Random random)
        {
            var bytes = new List<byte>(a);
            int edits = 1 + random.Next(8);
            for (int e = 0; e < edits; e++)
            {
                int at = bytes.Count == 0 ? 0 : random.Next(bytes.Count + 1);
                switch (random.Next(5))
                {
                    case 0 when bytes.Count > 0:
                        bytes[Math.Min(at, bytes.Count - 1)] ^= (byte)(1 << random.Next(8));
                        break;
                    case 1:
                        bytes.Insert(at, Interesting[random.Next(Interesting.Length)]);
                        break;
                    case 2 when bytes.Count > 0:
                        bytes.RemoveRange(Math.Min(at, bytes.Count - 1), Math.Min(1 + random.Next(8), bytes.Count - Math.Min(at, bytes.Count - 1)));
                        break;
                    case 3 when b.Length > 0:
                        int from = random.Next(b.Length);
                        bytes.InsertRange(at, new ArraySegment<byte>(b, from, Math.Min(1 + random.Next(16), b.Length - from)));
                        break;
                    default:
                        bytes.Insert(at, (byte)random.Next(256));
                        break;
                }
            }

            return bytes.Count > 4096 ? bytes.GetRange(0, 4096).ToArray() : bytes.ToArray();
        }
    }
}
