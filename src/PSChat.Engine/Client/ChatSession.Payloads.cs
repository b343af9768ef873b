using System;
using System.Collections.Concurrent;
using System.Threading;
using PSChat.Engine.Client;

namespace PSChat
{
    /// <summary>Payloads (objects) and requests: sending envelopes, counting refusals, routing replies to their requesters.</summary>
    public sealed partial class ChatSession
    {
        private readonly ConcurrentDictionary<string, ReplyWaiter> replyWaiters = new ConcurrentDictionary<string, ReplyWaiter>(StringComparer.Ordinal);
        private long payloadsRefused;

        /// <summary>Payloads refused: too large, incomplete, out of order, timed out, or not data (each also reported as a System message).</summary>
        public long PayloadsRefused => Interlocked.Read(ref payloadsRefused);

        /// <summary>
        /// Sends <paramref name="summary"/> (the one line a person sees) with <paramref name="payload"/> (a serialized
        /// object, or null for text alone) as one envelope; returns its id, which is also the request id when
        /// <paramref name="request"/> is set. <paramref name="inReplyTo"/> makes it the answer to that request.
        /// </summary>
        /// <remarks>An empty <paramref name="to"/> or <paramref name="inReplyTo"/> counts as none (PowerShell passes $null to a string as "").</remarks>
        public string SendEnvelope(string summary, byte[]? payload, string? room, string? to, bool request, string? inReplyTo) =>
            SendEnvelope(Engine.Client.Payloads.PayloadRecord.NewId(), summary, payload, room, NullIfEmpty(to), request, NullIfEmpty(inReplyTo), errorCategory: null);

        /// <summary>
        /// Answers request <paramref name="inReplyTo"/> with a failure: <paramref name="text"/> is its message (and the line
        /// people read), <paramref name="errorCategory"/> the name of a PowerShell error category (the requester's
        /// Invoke-ChatRequest writes an error of that category). Returns the envelope's id.
        /// </summary>
        public string SendErrorReply(string text, string errorCategory, string? room, string? to, string inReplyTo)
        {
            if (!Engine.Client.Payloads.PayloadMeta.IsCategoryName(errorCategory)) throw new ArgumentException($"'{errorCategory}' is not an error category name (1 to 40 letters).", nameof(errorCategory));
            if (string.IsNullOrEmpty(inReplyTo)) throw new ArgumentException("An error answers a request: give the request's id.", nameof(inReplyTo));
            return SendEnvelope(Engine.Client.Payloads.PayloadRecord.NewId(), text, null, room, NullIfEmpty(to), request: false, inReplyTo, errorCategory);
        }

        /// <summary>
        /// Sends a request and returns where its replies arrive (dispose it to stop waiting); the waiter is in
        /// place before the request leaves, so no reply can slip past it into the buffer.
        /// </summary>
        internal ReplyWaiter SendRequest(string summary, byte[]? payload, string? room, string? to)
        {
            string id = Engine.Client.Payloads.PayloadRecord.NewId();
            var waiter = ExpectReplies(id);
            try
            {
                SendEnvelope(id, summary, payload, room, to, request: true, inReplyTo: null, errorCategory: null);
                return waiter;
            }
            catch
            {
                waiter.Dispose();
                throw;
            }
        }

        private string SendEnvelope(string id, string summary, byte[]? payload, string? room, string? to, bool request, string? inReplyTo, string? errorCategory)
        {
            if (summary == null) throw new ArgumentNullException(nameof(summary));
            if (!string.IsNullOrEmpty(room)) ClientNames.CheckRoom(room!, nameof(room));
            if (to != null) ClientNames.CheckNick(to, nameof(to));
            if (inReplyTo != null && !Engine.Client.Payloads.PayloadRecord.IsId(inReplyTo)) throw new ArgumentException($"'{inReplyTo}' is not a request id.", nameof(inReplyTo));
            if (payload != null && payload.Length > Options.MaxPayloadBytes)
            {
                throw new ChatPayloadException($"The object is {payload.Length} bytes serialized, more than MaxPayloadBytes ({Options.MaxPayloadBytes}): send less (Select-Object, a smaller -Depth) or connect with a larger -MaxPayloadBytes.");
            }

            EnsureOpen();
            Interlocked.Increment(ref envelopesSending);
            try
            {
                protocol.SendEnvelope(id, summary, payload, room, to, request, inReplyTo, errorCategory);
            }
            finally
            {
                Interlocked.Decrement(ref envelopesSending);
            }

            Interlocked.Increment(ref sent);
            return id;
        }

        /// <summary>
        /// From now until disposed, replies to <paramref name="requestId"/> go to the returned waiter instead of
        /// the session's buffer (so another reader of the session never takes them). Register before sending.
        /// </summary>
        internal ReplyWaiter ExpectReplies(string requestId)
        {
            var waiter = new ReplyWaiter(this, requestId);
            if (!replyWaiters.TryAdd(requestId, waiter)) throw new InvalidOperationException($"Replies to {requestId} are awaited already.");
            return waiter;
        }

        internal void StopExpecting(ReplyWaiter waiter) => replyWaiters.TryRemove(waiter.RequestId, out _);

        /// <summary>Bytes queued to the server above which an envelope's next line waits: a large object must not overflow the send queue.</summary>
        internal const long EnvelopeQueueBytes = 256 * 1024;

        /// <summary>
        /// Waits while the connection's send queue and the pacer hold more than <see cref="EnvelopeQueueBytes"/>:
        /// the server reads at its own pace (ngircd reads slowly), and a queue that overflows closes the session.
        /// A server that takes nothing for <see cref="ChatSessionOptions.Timeout"/> ends the wait with an error.
        /// </summary>
        internal void WaitForSendRoom()
        {
            var link = connection;
            if (link == null || Unsent(link) < EnvelopeQueueBytes) return;
            var clock = Engine.Timing.MonotonicClock.System;
            long sentBefore = link.BytesSent;
            long progressAt = clock.NowTicks;
            while (Unsent(link) >= EnvelopeQueueBytes && !link.IsClosing)
            {
                Thread.Sleep(2);
                long sentNow = link.BytesSent;
                if (sentNow != sentBefore)
                {
                    sentBefore = sentNow;
                    progressAt = clock.NowTicks;
                }
                else if (clock.Since(progressAt) > Options.Timeout)
                {
                    throw new TimeoutException($"The server took nothing from session {Id} for {Options.Timeout.TotalSeconds:0.#} s while an object was being sent.");
                }
            }
        }

        /// <summary>Bytes on their way out: queued on the connection, or waiting in the pacer for their turn.</summary>
        private long Unsent(Engine.Transport.LineConnection link) => link.QueuedBytes + (pacer?.WaitingBytes ?? 0);

        /// <summary>
        /// An object chunk: paced by the server's payload budget when it offered one (pschat.dev/payload), else a
        /// line like any other. Errors as <see cref="SendBytes"/>.
        /// </summary>
        internal void SendPayloadLine(byte[] bytes)
        {
            var paced = pacer;
            if (paced == null || !paced.BudgetsPayload || State != SessionState.Connected)
            {
                SendPaced(bytes);
                return;
            }

            if (connection == null || connection.IsClosing) SendBytes(bytes); // throws the closed-session error
            paced.EnqueuePayload(bytes);
        }

        /// <summary>
        /// The pacer of this session's lines: its own pace (PaceLinesPerSecond, PaceBurst), and under a server
        /// that advertised its budgets (pschat.dev/payload) never faster than they allow, object chunks included.
        /// </summary>
        private OutgoingPacer NewPacer(Engine.Client.Payloads.PayloadPace? serverPace, Action<byte[]> write)
        {
            double lines = Options.PaceLinesPerSecond > 0 ? Options.PaceLinesPerSecond : 0;
            int burst = Math.Max(1, Options.PaceBurst);
            if (serverPace != null && serverPace.LinesPerSecond > 0)
            {
                lines = lines > 0 ? Math.Min(lines, serverPace.LinesPerSecond) : serverPace.LinesPerSecond;
                burst = Math.Min(burst, serverPace.LineBurst);
            }

            return new OutgoingPacer(
                burst, lines, Options.Clock, write,
                payloadBytesPerSecond: serverPace?.BytesPerSecond ?? 0, payloadBurstBytes: serverPace?.BurstBytes ?? 0);
        }

        private long keepAliveSentBytes;
        private long keepAliveLooks;

        /// <summary>The slowest a live server is assumed to read a backlog: ngircd lets a flooding client through at about 1 KB a second.</summary>
        private const double SlowestReadBytesPerSecond = 512;

        /// <summary>Most extra time a backlog buys a silent server.</summary>
        private static readonly TimeSpan MaxBacklogGrace = TimeSpan.FromHours(1);

        // What the kernels' buffers may still hold of what we wrote (they hold megabytes), drained at the
        // slowest pace a live server reads; touched by the keepalive timer only.
        private double backlogBytes;
        private long backlogSent;
        private long backlogTicks;

        /// <summary>The extra time the server had to answer the outstanding PING: what was ahead of it, at the slowest pace.</summary>
        private TimeSpan PingGrace { get; set; }

        /// <summary>
        /// How long what may still sit in the kernels' buffers ahead of a PING sent now takes to reach the server
        /// at the slowest pace a live server reads (beyond 64 KB, up to an hour): a server reading an object we
        /// wrote minutes ago (ngircd's penalty time) answers our PING only after it.
        /// </summary>
        private TimeSpan BacklogGrace(Engine.Transport.LineConnection link)
        {
            long now = Options.Clock.NowTicks;
            long sent = link.BytesSent;
            long written = sent - backlogSent;
            if (written < 0) written = sent; // a new connection
            double seconds = backlogTicks == 0 ? 0 : Math.Max(0, now - backlogTicks) / (double)TimeSpan.TicksPerSecond;
            backlogSent = sent;
            backlogTicks = now;
            backlogBytes = Math.Max(0, backlogBytes + written - (seconds * SlowestReadBytesPerSecond));
            double beyond = backlogBytes - (64 * 1024);
            return beyond <= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(Math.Min(MaxBacklogGrace.TotalSeconds, beyond / SlowestReadBytesPerSecond));
        }

        /// <summary>The server took more of an object: silence so far is our backlog's, not the server's (the PING is not asked again).</summary>
        private void NoteSendProgress()
        {
            Volatile.Write(ref lastHeardTicks, Options.Clock.NowTicks);
            Volatile.Write(ref keepAliveAsked, 0);
        }

        /// <summary>Envelopes being chunked and queued now (by any thread).</summary>
        private int envelopesSending;

        /// <summary>How often the keepalive looked at the send progress (tests wait for a look).</summary>
        internal long KeepAliveLooks => Interlocked.Read(ref keepAliveLooks);

        /// <summary>Bytes written to the server on the current connection.</summary>
        internal long BytesSentToServer => connection?.BytesSent ?? 0;

        /// <summary>
        /// Whether the server took bytes of an object from us since the last look (one is being queued, or
        /// bytes wait): a server that reads slowly (ngircd's penalty time) is alive, though our PING may wait
        /// behind an object, and the kernel's buffers, for minutes. A session that only chats is not helped:
        /// a dead server's kernel takes a few lines without a word, and the PING must tell.
        /// </summary>
        private bool SendingProgressed(Engine.Transport.LineConnection link)
        {
            long sent = link.BytesSent;
            bool progressed = sent != Interlocked.Exchange(ref keepAliveSentBytes, sent) && (Volatile.Read(ref envelopesSending) > 0 || Unsent(link) > 0);
            Interlocked.Increment(ref keepAliveLooks);
            return progressed;
        }

        /// <summary>A refused payload: counted, and said to the reader as a System message.</summary>
        internal void CountRefusal(string text, bool report = true)
        {
            Interlocked.Increment(ref payloadsRefused);
            if (report) System(text);
        }

        private static string? NullIfEmpty(string? text) => string.IsNullOrEmpty(text) ? null : text;

        private bool RouteReply(ChatMessage message)
        {
            if (message.InReplyTo == null || !replyWaiters.TryGetValue(message.InReplyTo, out var waiter)) return false;
            waiter.Replies.Add(message);
            return true;
        }
    }

    /// <summary>Where the replies to one request wait for the requester.</summary>
    internal sealed class ReplyWaiter : IDisposable
    {
        private readonly ChatSession session;

        public ReplyWaiter(ChatSession session, string requestId)
        {
            this.session = session;
            RequestId = requestId;
        }

        public string RequestId { get; }

        public MessageBuffer<ChatMessage> Replies { get; } = new MessageBuffer<ChatMessage>(1000);

        public void Dispose() => session.StopExpecting(this);
    }
}
