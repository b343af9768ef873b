namespace PSChat.Engine.Irc
{
    internal sealed partial class IrcChannel
    {
        /// <summary>IRCv3 metadata on the channel (METADATA #channel SET, by its operators).</summary>
        public MetadataStore Metadata { get; } = new MetadataStore();
    }
}
