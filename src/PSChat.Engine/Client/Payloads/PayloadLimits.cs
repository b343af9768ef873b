using System;

namespace PSChat.Engine.Client.Payloads
{
    /// <summary>The bounds of payload reassembly, from <see cref="PSChat.ChatSessionOptions"/>.</summary>
    internal sealed class PayloadLimits
    {
        public int MaxPayloadBytes { get; set; } = PSChat.ChatSessionOptions.DefaultMaxPayloadBytes;

        public int MaxIncompletePayloads { get; set; } = 4;

        /// <summary>Payloads in progress from all senders together: many senders cannot add up to much memory either.</summary>
        public int MaxIncompletePayloadsInAll { get; set; } = 32;

        public TimeSpan IncompletePayloadTimeout { get; set; } = TimeSpan.FromSeconds(60);
    }
}
