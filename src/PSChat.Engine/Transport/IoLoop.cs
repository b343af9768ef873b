using System;
using System.Collections.Generic;
using System.Globalization;
using System.Threading;
using PSChat.Engine.Timing;

namespace PSChat.Engine.Transport
{
    /// <summary>
    /// One thread that waits on an epoll set for the server connections given to it, reads each ready
    /// connection once per turn into one shared buffer, and at the end of the turn writes every peer
    /// that got messages: one system call per peer per turn, however many lines the turn carried, and
    /// no thread-pool hop per read. Writes held back by <see cref="LineConnectionOptions.WriteDelay"/>
    /// wait in the loop, not on a timer. Linux only (<see cref="Epoll.IsSupported"/>); elsewhere a
    /// connection runs on the thread pool.
    /// </summary>
    internal sealed class IoLoop : WriteTurn
    {
        /// <summary>Bytes read in one turn after which the writes they caused go out, before more is read.</summary>
        private const int FlushAfterBytes = 64 * 1024;

        private const ulong WakeData = ulong.MaxValue;

        private static readonly object SharedGate = new object();
        private static IoLoop[]? shared;
        private static int nextLoop;

        private readonly int epfd;
        private readonly int wakeFd;
        private readonly byte[] events = new byte[Epoll.EventSize * 256];
        private readonly byte[] wakeScratch = new byte[8];

        private readonly object postGate = new object();
        private List<KeyValuePair<Action<LoopDriver>, LoopDriver>> posted = new List<KeyValuePair<Action<LoopDriver>, LoopDriver>>();
        private List<KeyValuePair<Action<LoopDriver>, LoopDriver>> running = new List<KeyValuePair<Action<LoopDriver>, LoopDriver>>();
        private bool signalled;

        // Touched by the loop thread only (registration is posted to it, so the slots are too).
        private readonly Stack<int> freeSlots = new Stack<int>();
        private LoopDriver?[] slots = new LoopDriver?[64];
        private uint[] generations = new uint[64];
        private int slotCount;
        private List<LoopDriver> readAgain = new List<LoopDriver>();
        private List<LoopDriver> reading = new List<LoopDriver>();
        private readonly DueHeap delayed = new DueHeap();
        private List<LineConnection> deferred = new List<LineConnection>();
        private List<LineConnection> writing = new List<LineConnection>();
        private int bytesSinceFlush;

        private IoLoop(int index)
        {
            epfd = Epoll.Create();
            wakeFd = Epoll.CreateEventFd();
            Epoll.Add(epfd, wakeFd, Epoll.In, WakeData);
            var thread = new Thread(Run) { IsBackground = true, Name = "PSChat I/O " + index.ToString(CultureInfo.InvariantCulture) };
            thread.Start();
        }

        /// <summary>The buffer every read of this loop lands in (the framer copies what it keeps).</summary>
        public byte[] ReceiveBuffer { get; } = new byte[16 * 1024];

        /// <summary>
        /// The loop for a new connection (round robin over half the cores, at least one), or null when
        /// epoll is not available or PSCHAT_IO_LOOPS=0 turns the loops off.
        /// </summary>
        public static IoLoop? Next()
        {
            var loops = Volatile.Read(ref shared);
            if (loops == null)
            {
                lock (SharedGate)
                {
                    if (shared == null)
                    {
                        int count = ConfiguredCount();
                        var created = new List<IoLoop>(count);
                        try
                        {
                            for (int i = 0; i < count; i++) created.Add(new IoLoop(i));
                        }
                        catch (InvalidOperationException)
                        {
                            // No descriptors for epoll (EMFILE) or the like: serve with what was made,
                            // or on the thread pool.
                        }

                        Volatile.Write(ref shared, created.ToArray());
                    }

                    loops = shared!;
                }
            }

            if (loops.Length == 0) return null;
            return loops[(int)((uint)Interlocked.Increment(ref nextLoop) % (uint)loops.Length)];
        }

        private static int ConfiguredCount()
        {
            if (!Epoll.IsSupported) return 0;
            string? setting = Environment.GetEnvironmentVariable("PSCHAT_IO_LOOPS");
            if (int.TryParse(setting, NumberStyles.Integer, CultureInfo.InvariantCulture, out int configured) && configured >= 0)
            {
                return Math.Min(configured, 64);
            }

            return Math.Max(1, Environment.ProcessorCount / 2);
        }

        /// <summary>
        /// Adds a connection's socket to the epoll set (edge-triggered reads); false when the kernel
        /// refused. On the loop thread only, like <see cref="Unregister"/>.
        /// </summary>
        public bool Register(LoopDriver connection, int fd)
        {
            int index;
            if (freeSlots.Count > 0)
            {
                index = freeSlots.Pop();
            }
            else
            {
                index = slotCount++;
                if (index == slots.Length)
                {
                    Array.Resize(ref slots, slots.Length * 2);
                    Array.Resize(ref generations, generations.Length * 2);
                }
            }

            ulong data = ((ulong)generations[index] << 32) | (uint)index;
            connection.LoopData = data;
            slots[index] = connection;

            if (Epoll.Add(epfd, fd, Epoll.In | Epoll.RdHup | Epoll.EdgeTriggered, data) == 0) return true;
            Release(connection);
            return false;
        }

        /// <summary>Takes the socket out of the epoll set (before it is closed) and frees its slot.</summary>
        public void Unregister(LoopDriver connection, int fd)
        {
            Epoll.Remove(epfd, fd);
            Release(connection);
        }

        private void Release(LoopDriver connection)
        {
            int index = (int)(connection.LoopData & 0xFFFFFFFF);
            if (!ReferenceEquals(slots[index], connection)) return;
            slots[index] = null;
            generations[index]++;
            freeSlots.Push(index);
        }

        /// <summary>Runs an action for a connection on the loop thread, after the current turn's reads.</summary>
        public void Post(Action<LoopDriver> action, LoopDriver connection)
        {
            lock (postGate)
            {
                posted.Add(new KeyValuePair<Action<LoopDriver>, LoopDriver>(action, connection));
                if (signalled || Current == this) return;
                signalled = true;
            }

            Epoll.Signal(wakeFd);
        }

        /// <summary>Reads the connection again this turn or the next (its last read filled the buffer).</summary>
        public void ReadAgain(LoopDriver connection) => readAgain.Add(connection);

        /// <summary>Starts the connection's writer at the end of this turn (called on the loop thread).</summary>
        public override void WriteAtEnd(LineConnection connection) => deferred.Add(connection);

        /// <summary>Ends a writer's delay from the loop's wait timeout (called on the loop thread).</summary>
        public override void WriteAfter(LineConnection connection, TimeSpan wait, long delay) =>
            delayed.Push(MonotonicClock.System.NowTicks + wait.Ticks, connection, delay);

        /// <summary>Counts bytes handed to the framer; past the mark, the writes they caused go out now.</summary>
        public void Fed(int count)
        {
            bytesSinceFlush += count;
            if (bytesSinceFlush >= FlushAfterBytes) FlushWrites();
        }

        private void Run()
        {
            Enter();
            while (true)
            {
                int n;
                try
                {
                    n = Epoll.Wait(epfd, events, WaitTimeout());
                }
                catch (InvalidOperationException)
                {
                    // Nothing sensible to do but keep serving; a broken epoll set would spin, so pause.
                    Thread.Sleep(100);
                    continue;
                }

                for (int i = 0; i < n; i++)
                {
                    ulong data = Epoll.DataAt(events, i);
                    if (data == WakeData)
                    {
                        Epoll.Drain(wakeFd, wakeScratch);
                        continue;
                    }

                    var connection = Lookup(data);
                    if (connection != null) Serve(connection, Epoll.EventsAt(events, i));
                }

                if (readAgain.Count > 0)
                {
                    var swap = reading;
                    reading = readAgain;
                    readAgain = swap;
                    foreach (var connection in reading) Serve(connection, 0);
                    reading.Clear();
                }

                RunPosted();
                FlushWrites();
            }
        }

        /// <summary>One connection's turn; nothing it throws may end the loop that serves the others.</summary>
        private static void Serve(LoopDriver connection, uint events)
        {
            try
            {
                connection.OnLoopEvent(events);
            }
            catch (Exception ex)
            {
                connection.Connection.Abort("internal error: " + ex.Message);
            }
        }

        private LoopDriver? Lookup(ulong data)
        {
            int index = (int)(data & 0xFFFFFFFF);
            if (index >= slots.Length) return null;
            var connection = slots[index];
            return connection != null && connection.LoopData == data ? connection : null;
        }

        private int WaitTimeout()
        {
            if (readAgain.Count > 0 || deferred.Count > 0) return 0;
            lock (postGate)
            {
                if (posted.Count > 0) return 0;
            }

            if (delayed.Count == 0) return -1;
            long wait = delayed.FirstDue - MonotonicClock.System.NowTicks;
            if (wait <= 0) return 0;
            return (int)Math.Min(int.MaxValue, (wait + TimeSpan.TicksPerMillisecond - 1) / TimeSpan.TicksPerMillisecond);
        }

        private void RunPosted()
        {
            lock (postGate)
            {
                if (posted.Count == 0) return;
                var swap = running;
                running = posted;
                posted = swap;
                signalled = false;
            }

            foreach (var item in running)
            {
                try
                {
                    item.Key(item.Value);
                }
                catch (Exception ex)
                {
                    item.Value.Connection.Abort("internal error: " + ex.Message);
                }
            }

            running.Clear();
        }

        private void FlushWrites()
        {
            bytesSinceFlush = 0;
            if (delayed.Count > 0)
            {
                long now = MonotonicClock.System.NowTicks;
                while (delayed.Count > 0 && delayed.FirstDue <= now)
                {
                    var connection = delayed.Pop(out long delay);
                    connection.EndDelay(delay);
                }
            }

            while (deferred.Count > 0)
            {
                var swap = writing;
                writing = deferred;
                deferred = swap;
                foreach (var connection in writing) connection.RunWriter();
                writing.Clear();
            }
        }
    }

    /// <summary>
    /// Connections by the time their writer is due, earliest first (a binary heap): servers with
    /// different write delays share the loops, so the order of arrival is not the order of due times.
    /// </summary>
    internal sealed class DueHeap
    {
        private long[] due = new long[64];
        private LineConnection[] items = new LineConnection[64];
        private long[] delays = new long[64];

        public int Count { get; private set; }

        public long FirstDue => due[0];

        public void Push(long at, LineConnection connection, long delay)
        {
            if (Count == due.Length)
            {
                Array.Resize(ref due, Count * 2);
                Array.Resize(ref items, Count * 2);
                Array.Resize(ref delays, Count * 2);
            }

            int i = Count++;
            while (i > 0)
            {
                int parent = (i - 1) / 2;
                if (due[parent] <= at) break;
                Move(parent, i);
                i = parent;
            }

            Set(i, at, connection, delay);
        }

        /// <summary>Takes the earliest; <paramref name="delay"/> is the delay number it was pushed with.</summary>
        public LineConnection Pop(out long delay)
        {
            var first = items[0];
            delay = delays[0];
            int last = --Count;
            long at = due[last];
            var moved = items[last];
            long movedDelay = delays[last];
            items[last] = null!;
            int i = 0;
            while (true)
            {
                int child = (2 * i) + 1;
                if (child >= last) break;
                if (child + 1 < last && due[child + 1] < due[child]) child++;
                if (due[child] >= at) break;
                Move(child, i);
                i = child;
            }

            if (last > 0) Set(i, at, moved, movedDelay);
            return first;
        }

        private void Move(int from, int to) => Set(to, due[from], items[from], delays[from]);

        private void Set(int i, long at, LineConnection connection, long delay)
        {
            due[i] = at;
            items[i] = connection;
            delays[i] = delay;
        }
    }
}
