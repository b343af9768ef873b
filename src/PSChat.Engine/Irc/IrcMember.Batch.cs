using System.Collections.Generic;
using System.Globalization;
using System.Threading;
using PSChat.Engine.Rooms;

namespace PSChat.Engine.Irc
{
    /// <summary>
    /// IRCv3 <c>batch</c>: a group of lines the client takes as one (chathistory replays, labeled
    /// responses, netsplits). A client without the capability gets the same lines without the
    /// BATCH frame, so callers need not check it.
    /// </summary>
    internal sealed partial class IrcMember
    {
        private int batchCounter;

        /// <summary>
        /// Opens a batch of <paramref name="type"/> (e.g. <c>chathistory</c>) and returns its reference,
        /// or null when the client did not ask for batches. Pass the reference to <see cref="SendInBatch"/>,
        /// <see cref="DeliverInBatch"/> and <see cref="EndBatch"/>.
        /// </summary>
        internal string? BeginBatch(string type, params string[] parameters) =>
            BeginBatch(type, null, parameters);

        /// <summary>As <see cref="BeginBatch(string, string[])"/>, inside an outer batch (nested batches).</summary>
        internal string? BeginBatch(string type, string? outer, params string[] parameters)
        {
            if (!Has(Capability.Batch)) return null;
            string reference = NewBatchReference();
            var all = new string[parameters.Length + 2];
            all[0] = "+" + reference;
            all[1] = type;
            parameters.CopyTo(all, 2);
            Send(WithBatch(new IrcMessage(null, ServerName, "BATCH", all), outer));
            return reference;
        }

        /// <summary>Closes a batch opened by <see cref="BeginBatch(string, string[])"/>; null does nothing.</summary>
        internal void EndBatch(string? reference, string? outer = null)
        {
            if (reference == null) return;
            Send(WithBatch(new IrcMessage(null, ServerName, "BATCH", new[] { "-" + reference }), outer));
        }

        /// <summary>A server line (numeric, NOTICE...) to this client, inside a batch when one is open.</summary>
        internal void SendInBatch(string? reference, IrcMessage message) => Send(WithBatch(message, reference));

        /// <summary>
        /// A room event (a message from history, say) as this client would get it live, tagged with the
        /// batch. Encoded afresh, not from the shared per-variant cache: the batch tag is this client's.
        /// </summary>
        internal void DeliverInBatch(string? reference, RoomEvent roomEvent)
        {
            if (reference == null)
            {
                Deliver(roomEvent);
                return;
            }

            foreach (var message in IrcEventEncoder.ToMessages(roomEvent, Caps))
            {
                Send(WithBatch(message, reference));
            }
        }

        /// <summary>The message with a <c>batch</c> tag added (other tags kept), or unchanged for null.</summary>
        internal static IrcMessage WithBatch(IrcMessage message, string? reference)
        {
            if (reference == null) return message;
            var tags = new Dictionary<string, string?>();
            foreach (var tag in message.Tags) tags[tag.Key] = tag.Value;
            tags["batch"] = reference;
            return new IrcMessage(tags, message.Source, message.Command, message.Parameters);
        }

        /// <summary>Unique within this connection, short, and only [0-9a-z] (a valid tag value and middle parameter).</summary>
        private string NewBatchReference() =>
            "b" + Interlocked.Increment(ref batchCounter).ToString("x", CultureInfo.InvariantCulture);
    }
}
