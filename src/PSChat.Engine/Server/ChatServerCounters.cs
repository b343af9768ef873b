using System.Threading;

namespace PSChat
{
    /// <summary>The server's limits at work: how often each one tripped since the server started.</summary>
    internal enum LimitCounter
    {
        FloodDelayedLines,
        FloodDisconnects,
        SendQueueDisconnects,
        TruncatedReplies,
        RefusedServerFull,
        RefusedPerAddress,
        RefusedConnectRate,
        RefusedDenied,
        RefusedDescriptors,
        FailedLogins,
        ThrottledLogins,
        RegistrationTimeouts,
        RejectedLines,
        DroppedEvents,
        TlsHandshakeFailures,
        RefusedPlain,
        HistoryEvicted,
        HistoryWritesDropped,
        PayloadDelayedChunks,
        TagMessagesDropped,
        Count,
    }

    /// <summary>
    /// What the limits did on one chat server (<c>Get-ChatServer | Select-Object -ExpandProperty Limits</c>):
    /// every counter only grows, and each matches the <see cref="ServerEventKind.Limited"/>,
    /// <see cref="ServerEventKind.Rejected"/> or <see cref="ServerEventKind.Disconnected"/> events it caused.
    /// </summary>
    public sealed class ChatServerCounters
    {
        private readonly long[] counts = new long[(int)LimitCounter.Count];

        /// <summary>Lines a client's flood control held back before running them.</summary>
        public long FloodDelayedLines => Read(LimitCounter.FloodDelayedLines);

        /// <summary>Clients dropped for excess flood (their held-back input passed its bound).</summary>
        public long FloodDisconnects => Read(LimitCounter.FloodDisconnects);

        /// <summary>Clients dropped because their send queue was full (slow consumers).</summary>
        public long SendQueueDisconnects => Read(LimitCounter.SendQueueDisconnects);

        /// <summary>Replies (LIST, WHO, NAMES, WHOIS, ...) cut short because the requester's send queue was full.</summary>
        public long TruncatedReplies => Read(LimitCounter.TruncatedReplies);

        /// <summary>Connections refused because the server had MaxClients clients.</summary>
        public long RefusedServerFull => Read(LimitCounter.RefusedServerFull);

        /// <summary>Connections refused because their address had its limit of connections.</summary>
        public long RefusedPerAddress => Read(LimitCounter.RefusedPerAddress);

        /// <summary>Connections refused because their address connected too often.</summary>
        public long RefusedConnectRate => Read(LimitCounter.RefusedConnectRate);

        /// <summary>Connections refused by the allow/deny lists.</summary>
        public long RefusedDenied => Read(LimitCounter.RefusedDenied);

        /// <summary>Connections refused (or accepts deferred) because the process ran out of file descriptors.</summary>
        public long RefusedDescriptors => Read(LimitCounter.RefusedDescriptors);

        /// <summary>Failed password or account logins.</summary>
        public long FailedLogins => Read(LimitCounter.FailedLogins);

        /// <summary>Logins refused unchecked: their address was waiting out a failed login's delay, or locked out.</summary>
        public long ThrottledLogins => Read(LimitCounter.ThrottledLogins);

        /// <summary>Clients dropped for not registering (or authenticating) in time.</summary>
        public long RegistrationTimeouts => Read(LimitCounter.RegistrationTimeouts);

        /// <summary>Input lines refused (invalid UTF-8, control bytes, too long, bad names).</summary>
        public long RejectedLines => Read(LimitCounter.RejectedLines);

        /// <summary>Server events a listener could not keep up with (Start-ChatServer -Wait drops past its queue bound).</summary>
        public long DroppedEvents => Read(LimitCounter.DroppedEvents);

        /// <summary>TLS handshakes that failed or did not finish within TlsHandshakeTimeout (and ClientHellos on a port without TLS).</summary>
        public long TlsHandshakeFailures => Read(LimitCounter.TlsHandshakeFailures);

        /// <summary>Plain connections refused because the server requires TLS.</summary>
        public long RefusedPlain => Read(LimitCounter.RefusedPlain);

        /// <summary>History messages dropped early because all rooms' history reached HistoryMaxBytes.</summary>
        public long HistoryEvicted => Read(LimitCounter.HistoryEvicted);

        /// <summary>History messages not written to -DataPath because MaxPendingWrites were waiting (kept in memory).</summary>
        public long HistoryWritesDropped => Read(LimitCounter.HistoryWritesDropped);

        /// <summary>Object chunks (pschat.dev/payload) held back because their sender passed PayloadRate.</summary>
        public long PayloadDelayedChunks => Read(LimitCounter.PayloadDelayedChunks);

        /// <summary>TAGMSGs (object chunks, typing notices) not relayed to a member whose send queue was over half of MaxSendQueue.</summary>
        public long TagMessagesDropped => Read(LimitCounter.TagMessagesDropped);

        internal void Add(LimitCounter counter, long amount = 1) => Interlocked.Add(ref counts[(int)counter], amount);

        private long Read(LimitCounter counter) => Volatile.Read(ref counts[(int)counter]);
    }
}
