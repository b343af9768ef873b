namespace PSChat.Engine.Irc
{
    /// <summary>
    /// The <see cref="Rooms.RoomEvent.Origin"/> of a message an IRC client sent: its client-only
    /// message tags, relayed to members that negotiated message-tags.
    /// </summary>
    internal sealed class IrcOrigin
    {
        /// <summary>Shared by every message without tags, the most common kind: nothing to allocate.</summary>
        public static readonly IrcOrigin Untagged = new IrcOrigin(null);

        private IrcOrigin(string? clientTags) => ClientTags = clientTags;

        /// <summary>Raw, without the leading '@'; null when the message had none.</summary>
        public string? ClientTags { get; }

        public static IrcOrigin WithTags(string? clientTags) => clientTags == null ? Untagged : new IrcOrigin(clientTags);
    }
}
