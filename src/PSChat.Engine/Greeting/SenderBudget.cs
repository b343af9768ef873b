using System.Collections.Generic;
using System.Net;

namespace PSChat.Engine.Greeting
{
    /// <summary>
    /// How many datagrams each sender may have answered in the current one-second window. Only the
    /// UDP receive loop touches it, so it needs no lock. The table is emptied every window and holds
    /// at most <see cref="MaxSenders"/> entries; senders beyond that share one budget, so a flood from
    /// many (spoofed) addresses cannot grow memory either.
    /// </summary>
    internal sealed class SenderBudget
    {
        public const int MaxSenders = 65536;

        private const int WindowMs = 1000;

        private readonly Dictionary<IPEndPoint, int> spent = new Dictionary<IPEndPoint, int>();
        private readonly int perWindow;
        private int windowStart;
        private int overflowSpent;

        public SenderBudget(int perSecond, int now)
        {
            perWindow = perSecond;
            windowStart = now;
        }

        /// <summary>Senders seen in the current window.</summary>
        public int Senders => spent.Count;

        /// <summary>Charges one datagram to the sender.</summary>
        /// <param name="now">Milliseconds on the monotonic clock (wrapping is fine).</param>
        /// <param name="firstRefusal">True the first time in a window that this sender is refused.</param>
        /// <returns>True when the datagram is within the sender's budget.</returns>
        public bool TryCharge(IPEndPoint sender, int now, out bool firstRefusal)
        {
            if (unchecked(now - windowStart) >= WindowMs)
            {
                spent.Clear();
                overflowSpent = 0;
                windowStart = now;
            }

            int used;
            if (spent.TryGetValue(sender, out used) || spent.Count < MaxSenders)
            {
                spent[sender] = ++used;
            }
            else
            {
                used = ++overflowSpent;
            }

            firstRefusal = used == perWindow + 1;
            return used <= perWindow;
        }
    }
}
