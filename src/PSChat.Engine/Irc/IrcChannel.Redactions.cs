using System;
using System.Collections.Generic;

namespace PSChat.Engine.Irc
{
    /// <summary>
    /// The msgids REDACT took back in this channel, so CHATHISTORY no longer replays them: at most as
    /// many as the channel's history holds (HistorySize), the oldest forgotten first.
    /// </summary>
    internal sealed partial class IrcChannel
    {
        private readonly HashSet<string> redacted = new HashSet<string>(StringComparer.Ordinal);
        private readonly Queue<string> redactedOrder = new Queue<string>();

        public void Redact(string messageId, int keep)
        {
            lock (redacted)
            {
                if (!redacted.Add(messageId)) return;
                redactedOrder.Enqueue(messageId);
                while (redactedOrder.Count > Math.Max(1, keep)) redacted.Remove(redactedOrder.Dequeue());
            }
        }

        public bool IsRedacted(string messageId)
        {
            lock (redacted) return redacted.Count > 0 && redacted.Contains(messageId);
        }
    }
}
