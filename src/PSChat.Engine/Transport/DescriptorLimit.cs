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

        /// <summary>
        /// The most clients a server should take under a descriptor limit: the rest is kept for what
        /// the process itself holds open (assemblies, the I/O loops' epoll and event descriptors,
        /// listeners, the accept loop's reserve, PowerShell's own files): an eighth, and at least 128.
        /// </summary>
        public static int ClientCeiling(long limit) => (int)Math.Max(1, Math.Min(int.MaxValue, limit - Math.Max(128, limit / 8)));

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
