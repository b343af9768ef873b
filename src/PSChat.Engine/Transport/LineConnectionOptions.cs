using System;
using PSChat.Engine.Framing;
using PSChat.Engine.Timing;

namespace PSChat.Engine.Transport
{
    /// <summary>What a <see cref="LineConnection"/> tells its owner.</summary>
    internal interface ILineConnectionHandler : ILineSink
    {
        /// <summary>Called once, when the connection has closed for any reason.</summary>
        void OnClosed(LineConnection connection, string reason);
    }

    /// <summary>A handler that hears what flood control does to its connection (the server's clients do).</summary>
    internal interface IFloodListener
    {
        /// <summary>A line was held back; <paramref name="first"/> when nothing was held before it (a new episode).</summary>
        void OnLineHeld(bool first);

        /// <summary>Held input passed <paramref name="maxHeldBytes"/> (its lines are dropped): tell the client, then close.</summary>
        void OnExcessFlood(int maxHeldBytes);
    }

    /// <summary>Limits and timings of one connection.</summary>
    internal sealed class LineConnectionOptions
    {
        public int MaxLineBytes { get; set; } = 8192;

        /// <summary>Most bytes waiting to be sent before the peer counts as a slow consumer and is dropped.</summary>
        public int MaxSendQueueBytes { get; set; } = 1024 * 1024;

        /// <summary>The buffer each read of the stream driver rents (the loop driver reads into its loop's).</summary>
        public int ReceiveBufferBytes { get; set; } = 4096;

        /// <summary>
        /// Write on a thread-pool thread instead of inline on the sending thread. A client that sends
        /// from a pipeline then pays for a queue entry, not a system call, per message, and messages
        /// queued while a write runs go out together.
        /// </summary>
        public bool WriteOnThreadPool { get; set; }

        /// <summary>
        /// How long a message may wait for more to the same peer before it is written (zero: at once).
        /// A few milliseconds turn one system call per message into one per burst under steady load.
        /// </summary>
        public TimeSpan WriteDelay
        {
            get => writeDelay;
            set
            {
                writeDelay = value;
                Coalescer = value > TimeSpan.Zero ? new WriteCoalescer(value) : null;
            }
        }

        private TimeSpan writeDelay;

        /// <summary>Holds delayed writers off the loop threads (one per options, so per server).</summary>
        internal WriteCoalescer? Coalescer { get; private set; }

        /// <summary>
        /// Serve the connection from an epoll loop thread (<see cref="IoLoop"/>) where the platform has
        /// one, instead of from the thread pool. Servers set it; client sessions do not.
        /// </summary>
        public bool UseIoLoop { get; set; }

        /// <summary>How long to wait when tearing down gracefully for queued bytes to go out.</summary>
        public TimeSpan CloseFlushTimeout { get; set; } = TimeSpan.FromSeconds(2);

        /// <summary>What the other end is called in close reasons ("client closed the connection"): a client session says "server".</summary>
        public string PeerName { get; set; } = "client";

        /// <summary>Flood control for every connection (but those from exempt addresses); null for none (client sessions).</summary>
        public FloodLimits? Flood { get; set; }

        /// <summary>The clock the write delay and flood control are measured on.</summary>
        public MonotonicClock Clock { get; set; } = MonotonicClock.System;
    }
}
