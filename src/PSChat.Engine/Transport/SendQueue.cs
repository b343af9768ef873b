using System;
using System.Collections.Generic;
using System.Threading;
using PSChat.Engine.Timing;

namespace PSChat.Engine.Transport
{
    /// <summary>What the caller of <see cref="SendQueue.Enqueue"/> must do next.</summary>
    internal enum SendAction
    {
        /// <summary>Nothing: the writer is already claimed and will take the message.</summary>
        None,

        /// <summary>The caller claimed the writer and must start it now.</summary>
        WriteNow,

        /// <summary>The caller claimed the writer and must start it at the returned due time.</summary>
        WriteAt,

        /// <summary>Refused: the connection is closing or closed.</summary>
        Closed,

        /// <summary>Refused: the queue is full; the peer is a slow consumer and must be dropped.</summary>
        Overflow,
    }

    /// <summary>When a writer claimed with <see cref="SendAction.WriteAt"/> is due, and which delay that is.</summary>
    internal readonly struct WriteDue
    {
        public WriteDue(long ticks, long delay)
        {
            Ticks = ticks;
            Delay = delay;
        }

        /// <summary>The due time on the queue's clock.</summary>
        public long Ticks { get; }

        /// <summary>
        /// The delay's number: a timer armed for it ends this delay only, never a later one (a flood
        /// or a close that started the writer early leaves its timer behind).
        /// </summary>
        public long Delay { get; }
    }

    /// <summary>
    /// The send side of a connection without the socket: whole messages in order, at most one writer at
    /// a time (the caller that gets <see cref="SendAction.WriteNow"/> or <see cref="SendAction.WriteAt"/>
    /// owns it until <see cref="TakeBatch"/> finds nothing), a bound on what the queue costs in memory
    /// (each message's bytes plus <see cref="EntryCostBytes"/>), and the write delay.
    /// The delay: a peer written to within the last <c>writeDelay</c> gets its next messages together
    /// when the delay since that write is up; a peer not written to that recently (idle, or never
    /// written to) is written at once, and so is a peer that spoke to us while nothing waited for it
    /// (<see cref="PeerSpoke"/>: it is in a conversation, waiting for an answer, and a request and its
    /// reply must not wait out the delay on each leg; this costs at most one write per read from that
    /// peer, while a peer that only listens, or gets messages faster than it speaks, keeps the
    /// batching). A burst past <see cref="WriteNowBytes"/> does not wait. All times come from the injected clock.
    /// </summary>
    internal sealed class SendQueue
    {
        /// <summary>Queued bytes past which a writer waiting out the delay is started at once.</summary>
        public const int WriteNowBytes = 8 * 1024;

        /// <summary>Entries a list may keep once the queue empties: none, so an idle connection holds no list storage.</summary>
        public const int KeepCapacity = 0;

        /// <summary>
        /// What a queued message costs besides its own bytes, charged against the bound: its list entry
        /// (16 bytes, up to twice that in a list that doubled) and the header of an array the queue may be
        /// the last to hold (24 bytes and padding). Without it, a flood of empty lines to a client that
        /// does not read queues millions of entries under a bound of a megabyte.
        /// </summary>
        public const int EntryCostBytes = 64;

        private readonly object gate = new object();
        private readonly MonotonicClock clock;
        private readonly long maxBytes;
        private readonly long delayTicks;
        private List<ArraySegment<byte>> pending = new List<ArraySegment<byte>>();
        private long queuedBytes;
        private long queuedEntries;
        private int batchEntries;
        private long sentBytes;
        private bool writerClaimed;
        private bool waitingForDelay;
        private bool paused;
        private bool closing;
        private bool everWritten;
        private long lastWriteTicks;
        private long delayNumber;
        private bool peerSpoke;

        /// <param name="writeDelay">Zero or less writes every message at once; clamped to a day.</param>
        public SendQueue(MonotonicClock clock, long maxBytes, TimeSpan writeDelay)
        {
            this.clock = clock ?? throw new ArgumentNullException(nameof(clock));
            this.maxBytes = maxBytes;
            delayTicks = Math.Max(0, Math.Min(writeDelay.Ticks, TimeSpan.TicksPerDay));
        }

        /// <summary>Messages accepted and not yet reported written.</summary>
        public long QueuedMessages
        {
            get { lock (gate) return queuedEntries; }
        }

        /// <summary>Bytes accepted and not yet reported written.</summary>
        /// <remarks>
        /// Read without the lock where a long is read whole (64-bit processes): a sender checks it before every
        /// chunk of an object while the writer holds the lock, and waiting for it cost more than the check.
        /// </remarks>
        public long QueuedBytes => Environment.Is64BitProcess ? Volatile.Read(ref queuedBytes) : Locked(ref queuedBytes);

        /// <summary>What counts against the bound now: queued bytes plus <see cref="EntryCostBytes"/> per queued message.</summary>
        public long QueuedCost
        {
            get { lock (gate) return queuedBytes + ((long)queuedEntries * EntryCostBytes); }
        }

        /// <summary>Bytes reported written.</summary>
        /// <remarks>Read as <see cref="QueuedBytes"/> is.</remarks>
        public long SentBytes => Environment.Is64BitProcess ? Volatile.Read(ref sentBytes) : Locked(ref sentBytes);

        private long Locked(ref long field)
        {
            lock (gate) return field;
        }

        /// <summary>Queues a whole message and says whether the caller must start the writer, and when.</summary>
        /// <param name="due">With <see cref="SendAction.WriteAt"/>: when, on the clock, and which delay.</param>
        public SendAction Enqueue(ArraySegment<byte> message, out WriteDue due)
        {
            due = default;
            lock (gate)
            {
                if (closing) return SendAction.Closed;
                // Nothing to write: queued, it would make a batch of 0 bytes, which the writer takes for
                // "nothing queued" while it still holds the writer.
                if (message.Count == 0) return SendAction.None;
                if (queuedBytes + message.Count + ((queuedEntries + 1) * EntryCostBytes) > maxBytes) return SendAction.Overflow;
                pending.Add(message);
                queuedBytes += message.Count;
                queuedEntries++;
                if (!writerClaimed && !paused)
                {
                    writerClaimed = true;
                    if (delayTicks > 0 && everWritten && !peerSpoke)
                    {
                        long dueTicks = lastWriteTicks + delayTicks;
                        if (dueTicks > clock.NowTicks)
                        {
                            waitingForDelay = true;
                            due = new WriteDue(dueTicks, ++delayNumber);
                            return SendAction.WriteAt;
                        }
                    }

                    return SendAction.WriteNow;
                }

                if (waitingForDelay && queuedBytes >= WriteNowBytes)
                {
                    // A flood does not wait for the delay: the thread that queues pays for the write,
                    // which keeps readers from outrunning the writers.
                    waitingForDelay = false;
                    return SendAction.WriteNow;
                }

                return SendAction.None;
            }
        }

        /// <summary>
        /// The peer sent bytes. When nothing waits for it here (it has everything we had for it), it is in a
        /// conversation: the next message to it, the answer, goes out at once instead of waiting out the
        /// delay; the write that takes the batch uses this up. A peer with messages waiting is a busy
        /// listener that also talks (a flood's senders): its messages keep their batching.
        /// </summary>
        public void PeerSpoke()
        {
            lock (gate)
            {
                if (pending.Count == 0) peerSpoke = true;
            }
        }

        /// <summary>
        /// The due time of delay <paramref name="delay"/> (from <see cref="WriteDue.Delay"/>) has come:
        /// true when the caller must start the writer, false when something else already did (a flood, a
        /// close) or the delay now running is a later one.
        /// </summary>
        public bool TryEndDelay(long delay)
        {
            lock (gate)
            {
                if (!waitingForDelay || delay != delayNumber) return false;
                waitingForDelay = false;
                return true;
            }
        }

        /// <summary>
        /// For the writer: moves everything queued into <paramref name="batch"/> (which must be empty) and
        /// returns its byte count, or returns 0 and gives up the writer when there is nothing to write
        /// (or sending is paused). <paramref name="drained"/> tells a closing queue that all went out.
        /// </summary>
        public long TakeBatch(ref List<ArraySegment<byte>> batch, out bool drained)
        {
            lock (gate)
            {
                drained = false;
                if (pending.Count == 0 || (paused && !closing))
                {
                    writerClaimed = false;
                    waitingForDelay = false;
                    drained = closing && pending.Count == 0;
                    // The lists grew with the last burst (a join storm leaves thousands of entries);
                    // an idle connection keeps small ones only. Here, under the lock, before the next
                    // writer can take the batch list.
                    if (batch.Capacity > KeepCapacity) batch = new List<ArraySegment<byte>>();
                    if (pending.Count == 0 && pending.Capacity > KeepCapacity) pending = new List<ArraySegment<byte>>();
                    return 0;
                }

                peerSpoke = false;
                var swap = batch;
                batch = pending;
                pending = swap;
                batchEntries = batch.Count;
                long total = 0;
                foreach (var segment in batch) total += segment.Count;
                return total;
            }
        }

        /// <summary>For the writer: a batch of <paramref name="bytes"/> went out in full.</summary>
        public void Written(long bytes)
        {
            lock (gate)
            {
                queuedBytes -= bytes;
                queuedEntries -= batchEntries;
                batchEntries = 0;
                sentBytes += bytes;
                lastWriteTicks = clock.NowTicks;
                everWritten = true;
            }
        }

        /// <summary>For a writer that failed: gives the writer up (the connection is being dropped).</summary>
        public void ReleaseWriter()
        {
            lock (gate)
            {
                writerClaimed = false;
                waitingForDelay = false;
            }
        }

        /// <summary>Holds queued messages back until <see cref="Resume"/> (while the protocol is unknown).</summary>
        public void Pause()
        {
            lock (gate) paused = true;
        }

        /// <returns>True when the caller claimed the writer and must start it now.</returns>
        public bool Resume(bool discardQueued)
        {
            lock (gate)
            {
                paused = false;
                if (discardQueued) DropPending();

                return ClaimIfPending();
            }
        }

        /// <summary>
        /// Accepts nothing more and lets what is queued go out at once (a goodbye does not wait out the
        /// write delay). <paramref name="drained"/>: nothing is queued or being written; otherwise the
        /// return value says whether the caller claimed the writer and must start it.
        /// </summary>
        public bool BeginClose(out bool drained)
        {
            lock (gate)
            {
                closing = true;
                paused = false;
                drained = !writerClaimed && pending.Count == 0;
                if (drained) return false;
                if (waitingForDelay)
                {
                    waitingForDelay = false;
                    return true;
                }

                return ClaimIfPending();
            }
        }

        /// <summary>Accepts nothing more and drops what is queued (an abort).</summary>
        public void Discard()
        {
            lock (gate)
            {
                closing = true;
                DropPending();
            }
        }

        private void DropPending()
        {
            foreach (var segment in pending) queuedBytes -= segment.Count;
            queuedEntries -= pending.Count;
            pending.Clear();
        }

        private bool ClaimIfPending()
        {
            if (writerClaimed || pending.Count == 0) return false;
            writerClaimed = true;
            return true;
        }
    }
}
