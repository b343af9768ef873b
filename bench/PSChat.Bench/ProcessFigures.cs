using System;
using System.IO;
using System.Runtime.InteropServices;

namespace PSChat.Bench
{
    /// <summary>CPU time and resident memory of the server process, read from /proc.</summary>
    public static class ProcessFigures
    {
        private const int ScClkTck = 2;

        private static readonly long TicksPerSecond = Math.Max(1, sysconf(ScClkTck));

        /// <summary>utime + stime in seconds.</summary>
        public static double CpuSeconds(int pid)
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            // The command name (field 2) may hold spaces; the fields after its ')' are fixed.
            string[] fields = stat.Substring(stat.LastIndexOf(')') + 2).Split(' ');
            long utime = long.Parse(fields[11]);
            long stime = long.Parse(fields[12]);
            return (utime + stime) / (double)TicksPerSecond;
        }

        /// <summary>VmRSS in kilobytes.</summary>
        public static long ResidentKilobytes(int pid)
        {
            foreach (string line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    return long.Parse(line.Substring(6).Trim().Split(' ')[0]);
                }
            }

            throw new InvalidOperationException($"/proc/{pid}/status has no VmRSS");
        }

        [DllImport("libc", EntryPoint = "sysconf")]
        private static extern long sysconf(int name);
    }
}
