using System;
using System.Runtime.InteropServices;

namespace PSChat.Engine.Transport
{
    /// <summary>
    /// The few Linux calls an <see cref="IoLoop"/> needs (epoll and an eventfd to wake it). Events are
    /// read from a plain byte array: <c>struct epoll_event</c> is packed (12 bytes) on x86 and x64 and
    /// naturally aligned (16 bytes) elsewhere.
    /// </summary>
    internal static class Epoll
    {
        private const string Libc = "libc.so.6";

        public const uint In = 0x001;
        public const uint Out = 0x004;
        public const uint Err = 0x008;
        public const uint Hup = 0x010;
        public const uint RdHup = 0x2000;
        public const uint EdgeTriggered = 1u << 31;

        private const int CtlAdd = 1;
        private const int CtlDel = 2;
        private const int CloExec = 0x80000;
        private const int NonBlock = 0x800;
        private const int Eintr = 4;

        public static readonly int EventSize = IsPacked ? 12 : 16;

        private static readonly int DataOffset = IsPacked ? 4 : 8;

        private static bool IsPacked =>
            RuntimeInformation.ProcessArchitecture == Architecture.X64 || RuntimeInformation.ProcessArchitecture == Architecture.X86;

        /// <summary>True on Linux when the calls resolve (glibc); elsewhere the thread pool does the I/O.</summary>
        public static bool IsSupported { get; } = Probe();

        private static bool Probe()
        {
            if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux)) return false;
            try
            {
                int fd = epoll_create1(CloExec);
                if (fd < 0) return false;
                close(fd);
                return true;
            }
            catch (Exception ex) when (ex is DllNotFoundException || ex is EntryPointNotFoundException)
            {
                return false;
            }
        }

        public static int Create()
        {
            int fd = epoll_create1(CloExec);
            if (fd < 0) throw new InvalidOperationException("epoll_create1 failed: errno " + Marshal.GetLastWin32Error());
            return fd;
        }

        public static int CreateEventFd()
        {
            int fd = eventfd(0, CloExec | NonBlock);
            if (fd < 0) throw new InvalidOperationException("eventfd failed: errno " + Marshal.GetLastWin32Error());
            return fd;
        }

        /// <returns>0, or the errno of a failed call.</returns>
        public static int Add(int epfd, int fd, uint events, ulong data)
        {
            var ev = new byte[16];
            WriteEvent(ev, 0, events, data);
            return epoll_ctl(epfd, CtlAdd, fd, ev) == 0 ? 0 : Marshal.GetLastWin32Error();
        }

        public static void Remove(int epfd, int fd) => epoll_ctl(epfd, CtlDel, fd, new byte[16]);

        /// <summary>Waits for events; 0 when interrupted or timed out.</summary>
        public static int Wait(int epfd, byte[] events, int timeoutMs)
        {
            int n = epoll_wait(epfd, events, events.Length / EventSize, timeoutMs);
            if (n >= 0) return n;
            int errno = Marshal.GetLastWin32Error();
            if (errno == Eintr) return 0;
            throw new InvalidOperationException("epoll_wait failed: errno " + errno);
        }

        public static uint EventsAt(byte[] events, int index) => BitConverter.ToUInt32(events, index * EventSize);

        public static ulong DataAt(byte[] events, int index) => BitConverter.ToUInt64(events, (index * EventSize) + DataOffset);

        private static readonly byte[] One = BitConverter.GetBytes(1L);

        public static void Signal(int eventFd) => write(eventFd, One, (IntPtr)8);

        public static void Drain(int eventFd, byte[] scratch) => read(eventFd, scratch, (IntPtr)8);

        private static void WriteEvent(byte[] buffer, int index, uint events, ulong data)
        {
            BitConverter.GetBytes(events).CopyTo(buffer, index * EventSize);
            BitConverter.GetBytes(data).CopyTo(buffer, (index * EventSize) + DataOffset);
        }

        [DllImport(Libc, SetLastError = true)]
        private static extern int epoll_create1(int flags);

        [DllImport(Libc, SetLastError = true)]
        private static extern int epoll_ctl(int epfd, int op, int fd, [In] byte[] ev);

        [DllImport(Libc, SetLastError = true)]
        private static extern int epoll_wait(int epfd, [Out] byte[] events, int maxevents, int timeout);

        [DllImport(Libc, SetLastError = true)]
        private static extern int eventfd(uint initval, int flags);

        [DllImport(Libc, SetLastError = true)]
        private static extern IntPtr read(int fd, [Out] byte[] buffer, IntPtr count);

        [DllImport(Libc, SetLastError = true)]
        private static extern IntPtr write(int fd, [In] byte[] buffer, IntPtr count);

        [DllImport(Libc, SetLastError = true)]
        private static extern int close(int fd);
    }
}
