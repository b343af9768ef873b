using System;
using System.Runtime.InteropServices;

namespace PSChat.Engine.Transport
{
    /// <summary>How many files (sockets included) the process may have open: RLIMIT_NOFILE's soft limit.</summary>
    internal static class DescriptorLimit
    {
        private const int RlimitNoFileLinux = 7;
        private const int RlimitNoFileMac = 8;

        /// <summary>The soft limit, or null where there is none to read (Windows) or it is unlimited.</summary>
        public static long? Read()
        {
            int resource;
            if (RuntimeInformation.IsOSPlatform(OSPlatform.Linux)) resource = RlimitNoFileLinux;
            else if (RuntimeInformation.IsOSPlatform(OSPlatform.OSX)) resource = RlimitNoFileMac;
            else return null;

            try
            {
                // rlim_t is a word: 32 bits on 32-bit systems, where infinity is 0xFFFFFFFF.
                if (getrlimit(resource, out var limit) != 0) return null;
                ulong current = limit.Current.ToUInt64();
                ulong infinity = UIntPtr.Size == 4 ? uint.MaxValue : ulong.MaxValue;
                return current == infinity || current > long.MaxValue ? (long?)null : (long)current;
            }
            catch (Exception ex) when (ex is DllNotFoundException || ex is EntryPointNotFoundException)
            {
                return null;
            }
        }

        /// <summary>Descriptors the process has open now (Linux: /proc/self/fd, macOS: /dev/fd), or null.</summary>
        public static int? OpenNow()
        {
            foreach (string directory in new[] { "/proc/self/fd", "/dev/fd" })
            {
                try
                {
                    if (System.IO.Directory.Exists(directory)) return System.IO.Directory.GetFileSystemEntries(directory).Length;
                }
                catch (Exception ex) when (ex is System.IO.IOException || ex is UnauthorizedAccessException)
                {
                }
            }

            return null;
        }

        /// <summary>
        /// The most clients a server should take under a descriptor limit, with <paramref name="open"/>
        /// descriptors in use already (a PowerShell process holds ~200: assemblies, pipes): the rest of
        /// the limit but a margin for what the process opens later (I/O loops, listeners, the accept
        /// loop's reserve, other servers' clients): a sixteenth of the limit, at least 64.
        /// </summary>
        public static int ClientCeiling(long limit, int open) => (int)Math.Max(1, Math.Min(int.MaxValue, limit - open - Math.Max(64, limit / 16)));

        [StructLayout(LayoutKind.Sequential)]
        private struct RLimit
        {
            public UIntPtr Current;
            public UIntPtr Maximum;
        }

        [DllImport("libc", SetLastError = true)]
        private static extern int getrlimit(int resource, out RLimit limit);
    }
}
