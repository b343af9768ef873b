using System;
using System.Threading;
using PSChat.Engine.Transport;

namespace PSChat.Engine.Irc
{
    /// <summary>
    /// The vendor capability pschat.dev/payload: a client that negotiates it may send object chunks (TAGMSG
    /// carrying the +pschat client tag) at PayloadRate bytes a second, budgeted apart from its lines of
    /// FloodRate; its value tells the client both budgets (<c>rate=BYTES,burst=BYTES,lines=N,line-burst=N</c>),
    /// so a PSChat session paces itself under them and is never held back or dropped. Only TAGMSG qualifies:
    /// no one reads it but clients that asked for message-tags, so a byte budget cannot become a flood of
    /// lines people see (a PRIVMSG, the closing line of an object included, is a line). A connection exempt
    /// from flood control is offered it without a value: it has no budget to keep to.
    /// </summary>
    internal static class PayloadCapability
    {
        public const string Name = "pschat.dev/payload";

        /// <summary>Offered where there is a budget to advertise: with flood control and a rate.</summary>
        public static bool IsOffered(ChatServerOptions options) => options.FloodControl && options.PayloadRate > 0;

        /// <summary>The CAP 302 value: the payload budget in bytes, then the line budget (FloodRate, FloodBurst).</summary>
        public static string Value(ChatServerOptions options) => FormattableString.Invariant(
            $"rate={options.PayloadRate},burst={FloodLimits.PayloadBurstOf(options.PayloadRate)},lines={options.FloodRate:R},line-burst={options.FloodBurst}");

        private static readonly byte[] TagKey = { (byte)'+', (byte)'p', (byte)'s', (byte)'c', (byte)'h', (byte)'a', (byte)'t' };

        private static readonly byte[] TagMessage = { (byte)'T', (byte)'A', (byte)'G', (byte)'M', (byte)'S', (byte)'G' };

        /// <summary>
        /// Whether a raw line is "@...+pschat=...[;...] [:source] TAGMSG target": one pass over at most the
        /// line's tags and its first words, before the line is parsed.
        /// </summary>
        public static bool IsChunk(byte[] buffer, int offset, int count)
        {
            int end = offset + count;
            if (count == 0 || buffer[offset] != (byte)'@') return false;
            int tagsEnd = Array.IndexOf(buffer, (byte)' ', offset, count);
            if (tagsEnd < 0 || !HasTag(buffer, offset + 1, tagsEnd)) return false;
            int at = SkipSpaces(buffer, tagsEnd, end);
            if (at < end && buffer[at] == (byte)':')
            {
                int sourceEnd = Array.IndexOf(buffer, (byte)' ', at, end - at);
                if (sourceEnd < 0) return false;
                at = SkipSpaces(buffer, sourceEnd, end);
            }

            if (end - at <= TagMessage.Length || buffer[at + TagMessage.Length] != (byte)' ') return false;
            for (int i = 0; i < TagMessage.Length; i++)
            {
                if ((buffer[at + i] & 0xDF) != TagMessage[i]) return false;
            }

            return true;
        }

        private static bool HasTag(byte[] buffer, int start, int end)
        {
            int tag = start;
            while (tag < end)
            {
                int keyEnd = tag + TagKey.Length;
                if (keyEnd <= end && (keyEnd == end || buffer[keyEnd] == (byte)'=' || buffer[keyEnd] == (byte)';') && Matches(buffer, tag))
                {
                    return true;
                }

                int next = Array.IndexOf(buffer, (byte)';', tag, end - tag);
                if (next < 0) return false;
                tag = next + 1;
            }

            return false;
        }

        private static bool Matches(byte[] buffer, int at)
        {
            for (int i = 0; i < TagKey.Length; i++)
            {
                if (buffer[at + i] != TagKey[i]) return false;
            }

            return true;
        }

        private static int SkipSpaces(byte[] buffer, int at, int end)
        {
            while (at < end && buffer[at] == (byte)' ') at++;
            return at;
        }
    }

    /// <summary>Object chunks: their byte budget (with pschat.dev/payload) and the bound on relaying TAGMSG to a member that reads slowly.</summary>
    internal sealed partial class IrcMember
    {
        /// <summary>1 while TAGMSGs to this member are being dropped (its send queue is deep): one event per episode, not per message.</summary>
        private int droppingTagMessages;

        /// <summary>What CAP LS lists to this client: a connection without flood control gets pschat.dev/payload without its budget.</summary>
        private string AdvertisedCapabilities(bool withValues)
        {
            string advertised = Capabilities.Advertised(server.Options, withValues);
            if (!withValues || Connection.IsFloodControlled || !PayloadCapability.IsOffered(server.Options)) return advertised;
            return advertised.Replace(PayloadCapability.Name + "=" + PayloadCapability.Value(server.Options), PayloadCapability.Name);
        }

        public bool IsPayloadLine(byte[] buffer, int offset, int count) =>
            Has(Capability.Payload) && PayloadCapability.IsChunk(buffer, offset, count);

        public void OnPayloadHeld(bool first)
        {
            server.Limits.Add(LimitCounter.PayloadDelayedChunks);
            if (!first) return;
            int rate = server.Options.PayloadRate;
            RaiseLimited(nameof(ChatServerOptions.PayloadRate), $"object chunks over {rate} bytes a second are held back");
            Send(new IrcMessage(null, ServerName, "NOTICE", new[] { Nick, $"*** Object chunks held back: you sent more than {rate} bytes a second (PayloadRate); past {server.Options.MaxReceiveQueue} bytes held you are disconnected" }));
        }

        /// <summary>
        /// Whether a TAGMSG may still be queued to this member. A TAGMSG (an object chunk, a typing notice) is
        /// the one thing a member can miss without harm to others: while its send queue is over half of
        /// MaxSendQueue, TAGMSGs to it are dropped (counted, said once), so a fast object sender in its room can
        /// never get it dropped as a slow consumer. Its session then refuses the incomplete object, and says so.
        /// </summary>
        private bool HasRoomForTagMessage()
        {
            if (Connection.QueuedCost <= server.Options.MaxSendQueue / 2)
            {
                if (Volatile.Read(ref droppingTagMessages) != 0) Interlocked.Exchange(ref droppingTagMessages, 0);
                return true;
            }

            server.Limits.Add(LimitCounter.TagMessagesDropped);
            if (Interlocked.Exchange(ref droppingTagMessages, 1) == 0)
            {
                RaiseLimited(nameof(ChatServerOptions.MaxSendQueue), "TAGMSGs (object chunks) to this client are dropped: its send queue is over half of MaxSendQueue");
                Send(new IrcMessage(null, ServerName, "NOTICE", new[] { Nick, "*** TAGMSGs to you (object chunks) are being dropped: you read more slowly than they come" }));
            }

            return false;
        }
    }
}
