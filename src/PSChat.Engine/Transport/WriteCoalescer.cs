using System;
using System.Collections.Generic;
using System.Threading.Tasks;

namespace PSChat.Engine.Transport
{
    /// <summary>
    /// Holds the delayed writers of many connections off the loop threads (the stream driver, client
    /// sessions) and ends their delay together, so messages that arrive a little apart reach each peer
    /// in one system call instead of one each. One pending timer at a time, none while nothing waits.
    /// A writer waits the full delay, not what was left of it: at most one delay late, and one timer
    /// for all instead of one per connection.
    /// </summary>
    internal sealed class WriteCoalescer
    {
        private readonly object gate = new object();
        private readonly TimeSpan delay;
        private List<KeyValuePair<LineConnection, long>> due = new List<KeyValuePair<LineConnection, long>>();

        public WriteCoalescer(TimeSpan delay)
        {
            // At most a day, like the send queue's delay.
            this.delay = delay < TimeSpan.FromDays(1) ? delay : TimeSpan.FromDays(1);
        }

        /// <summary>Ends the connection's write delay number <paramref name="delay"/> after the delay.</summary>
        public void Add(LineConnection connection, long delay)
        {
            lock (gate)
            {
                due.Add(new KeyValuePair<LineConnection, long>(connection, delay));
                if (due.Count > 1) return;
            }

            _ = FlushLaterAsync();
        }

        private async Task FlushLaterAsync()
        {
            await Task.Delay(delay).ConfigureAwait(false);
            List<KeyValuePair<LineConnection, long>> batch;
            lock (gate)
            {
                batch = due;
                due = new List<KeyValuePair<LineConnection, long>>();
            }

            foreach (var entry in batch) entry.Key.EndDelay(entry.Value);
        }
    }
}
