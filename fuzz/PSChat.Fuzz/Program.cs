using System;
using System.IO;
using System.Linq;

namespace PSChat.Fuzz
{
    /// <summary>
    /// <c>PSChat.Fuzz &lt;target&gt;</c>: run one target under AFL++ (afl-fuzz starts it; SharpFuzz speaks the fork
    /// server protocol). <c>PSChat.Fuzz &lt;target&gt; --replay &lt;file or folder&gt;</c>: run inputs once each (a
    /// crash file, the seed corpus). <c>PSChat.Fuzz &lt;target&gt; --random &lt;seconds&gt; &lt;seed&gt; &lt;corpus folder&gt;</c>:
    /// the fallback where no AFL++ can be had, mutating the corpus at random without coverage feedback.
    /// </summary>
    internal static class Program
    {
        public static int Main(string[] args)
        {
            if (args.Length < 1 || !Targets.All.TryGetValue(args[0], out var target))
            {
                Console.Error.WriteLine($"usage: PSChat.Fuzz <{string.Join("|", Targets.All.Keys)}> [--replay <path> | --random <seconds> <seed> <corpus>]");
                return 2;
            }

            if (args.Length == 1)
            {
                SharpFuzz.Fuzzer.OutOfProcess.Run(stream =>
                {
                    using var copy = new MemoryStream();
                    stream.CopyTo(copy);
                    target(copy.ToArray());
                });
                return 0;
            }

            switch (args[1])
            {
                case "--replay" when args.Length == 3:
                    return Replay(target, args[2]);
                case "--random" when args.Length == 5:
                    return RandomMutation.Run(target, TimeSpan.FromSeconds(int.Parse(args[2])), int.Parse(args[3]), Inputs(args[4]).Select(File.ReadAllBytes).ToArray());
                default:
                    Console.Error.WriteLine("unknown mode " + string.Join(" ", args.Skip(1)));
                    return 2;
            }
        }

        private static int Replay(Action<byte[]> target, string path)
        {
            int failures = 0;
            foreach (string file in Inputs(path))
            {
                try
                {
                    target(File.ReadAllBytes(file));
                }
                catch (Exception ex)
                {
                    failures++;
                    Console.WriteLine($"{file}: {ex.GetType().Name}: {ex.Message}");
                }
            }

            Console.WriteLine($"{Inputs(path).Length} inputs, {failures} findings");
            return failures == 0 ? 0 : 1;
        }

        private static string[] Inputs(string path) =>
            Directory.Exists(path) ? Directory.GetFiles(path).Where(f => !Path.GetFileName(f).StartsWith(".", StringComparison.Ordinal)).OrderBy(f => f, StringComparer.Ordinal).ToArray() : new[] { path };
    }
}
