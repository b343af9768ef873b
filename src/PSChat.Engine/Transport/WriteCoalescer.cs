using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading.Tasks;

namespace PSChat.Engine.Transport
{
    /// <summary>
    /// Holds the writes of many connections back for a short delay and then starts them together, so
    /// messages that arrive a little apart (paced senders in a busy room) reach each peer in one system
    /// call instead of one each. One pending timer at a time, none while nothing waits.
    /// </summary>
    internal sealed class WriteCoalescer
    {
        private static readonly TimeSpan OneDay = TimeSpan.FromDays(1);
        private readonly object gate = new object();
        private readonly TimeSpan delay;
        private List<LineConnection> due = new List<LineConnection>();

        public WriteCoalescer(TimeSpan delay)
        {
            // At most a day, so that a due time (a timestamp plus the delay) cannot overflow.
            this.delay = delay < OneDay ? delay : OneDay;
            DelayTimestampTicks = (long)(this.delay.TotalSeconds * Stopwatch.Frequency);
        }

        /// <summary>The delay in <see cref="Stopwatch"/> timestamp units.</summary>
        public long DelayTimestampTicks { get; }

        /// <summary>Writes the connection's queue after the delay; a connection is added at most once per write.</summary>
        public void Add(LineConnection connection)
        {
            lock (gate)
            {
                due.Add(connection);
                if (due.Count > 1) return;
            }

            _ = FlushLaterAsync();
        }

        private async Task FlushLaterAsync()
        {
            await Task.Delay(delay).ConfigureAwait(false);
            List<LineConnection> batch;
            lock (gate)
            {
                batch = due;
                due = new List<LineConnection>();
            }

            foreach (var connection in batch) connection.WriteQueued();
        }
    }
}
