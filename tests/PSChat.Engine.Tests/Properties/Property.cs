using System;
using CsCheck;

namespace PSChat.Engine.Tests.Properties
{
    /// <summary>
    /// How the property tests run: a fixed seed and a fixed number of cases, so every run on every machine
    /// checks the same inputs (CsCheck's seed drives the first iteration; one iteration of a batch of cases
    /// keeps it the only one). A failure is shrunk by CsCheck and reported with the case that failed.
    /// </summary>
    internal static class Property
    {
        /// <summary>Cases per property: enough to hit the corners of the small alphabets, quick on a loaded 2-core machine.</summary>
        public const int Cases = 2000;

        private static readonly string Seed = new PCG(11, 20261103).ToString();

        public static void Check<T>(Gen<T> gen, Action<T> assert, Func<T, string> describe, int cases = Cases)
        {
            gen.Array[cases].Sample(
                batch =>
                {
                    foreach (var item in batch)
                    {
                        try
                        {
                            assert(item);
                        }
                        catch (Exception ex)
                        {
                            throw new InvalidOperationException("failed for " + describe(item) + ": " + ex.Message, ex);
                        }
                    }
                },
                seed: Seed,
                iter: 1,
                threads: 1);
        }

        /// <summary>A string shown with every character outside printable ASCII as \uXXXX.</summary>
        public static string Show(string s)
        {
            var sb = new System.Text.StringBuilder("\"");
            foreach (char c in s)
            {
                if (c >= 0x20 && c < 0x7F && c != '"' && c != '\\') sb.Append(c);
                else sb.Append("\\u").Append(((int)c).ToString("X4"));
            }

            return sb.Append('"').ToString();
        }

        public static string Show(byte[] bytes) => BitConverter.ToString(bytes);
    }
}
