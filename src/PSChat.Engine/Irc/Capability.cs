using System;
using System.Collections.Generic;
using PSChat.Engine.Server;

namespace PSChat.Engine.Irc
{
    /// <summary>
    /// The IRCv3 capabilities the server knows. A member's flag is reserved here; the capability is
    /// offered only once it has a row in <see cref="Capabilities.Offered"/>.
    /// </summary>
    [Flags]
    internal enum Capability
    {
        None = 0,
        ServerTime = 1 << 0,
        MessageTags = 1 << 1,
        EchoMessage = 1 << 2,
        MultiPrefix = 1 << 3,
        Sasl = 1 << 4,
        AccountTag = 1 << 5,
        AccountNotify = 1 << 6,
        ExtendedJoin = 1 << 7,
        Batch = 1 << 8,
        LabeledResponse = 1 << 9,
        AwayNotify = 1 << 10,
        InviteNotify = 1 << 11,
        SetName = 1 << 12,
        ChgHost = 1 << 13,
        CapNotify = 1 << 14,
        StandardReplies = 1 << 15,
        UserhostInNames = 1 << 16,
        ChatHistory = 1 << 17,
        Multiline = 1 << 18,
        Sts = 1 << 19,
        EventPlayback = 1 << 20,
        ExtendedMonitor = 1 << 21,
        AccountRegistration = 1 << 22,
        NoImplicitNames = 1 << 23,
        Metadata = 1 << 24,
        ReadMarker = 1 << 25,
        MessageRedaction = 1 << 26,

        // Vendor capabilities, from the top bit down (clear of the IRCv3 ones above).

        /// <summary>pschat.dev/payload: object chunks budgeted by bytes (IrcMember.Payloads.cs).</summary>
        Payload = 1 << 30,
    }

    /// <summary>One capability as CAP LS lists it.</summary>
    internal sealed class CapabilityOffer
    {
        public CapabilityOffer(string name, Capability flag, Func<ChatServerOptions, bool>? when = null, Func<ChatServerOptions, string?>? value = null)
        {
            Name = name;
            Flag = flag;
            When = when;
            Value = value;
        }

        public string Name { get; }

        public Capability Flag { get; }

        /// <summary>Whether this server offers it (null: always).</summary>
        public Func<ChatServerOptions, bool>? When { get; }

        /// <summary>The CAP 302 value (<c>sasl=PLAIN,EXTERNAL</c>), or null for none.</summary>
        public Func<ChatServerOptions, string?>? Value { get; }

        public bool IsOffered(ChatServerOptions options) => When == null || When(options);
    }

    internal static class Capabilities
    {
        /// <summary>In the order CAP LS lists them. A new capability is one row here.</summary>
        public static readonly CapabilityOffer[] Offered =
        {
            new CapabilityOffer("away-notify", Capability.AwayNotify),
            new CapabilityOffer("batch", Capability.Batch),
            // Offers never change while a server runs, so there is never a CAP NEW or DEL to send.
            new CapabilityOffer("cap-notify", Capability.CapNotify),
            new CapabilityOffer("draft/chathistory", Capability.ChatHistory, o => o.HistorySize > 0),
            new CapabilityOffer("draft/message-redaction", Capability.MessageRedaction, o => o.HistorySize > 0),
            new CapabilityOffer("draft/metadata-3", Capability.Metadata, o => o.MaxMetadataKeys > 0, IrcMember.MetadataCapabilityValue),
            new CapabilityOffer("draft/multiline", Capability.Multiline, o => o.MaxMultilineBytes > 0, IrcMember.MultilineCapabilityValue),
            new CapabilityOffer("draft/read-marker", Capability.ReadMarker, o => o.MaxReadMarkers > 0),
            new CapabilityOffer("echo-message", Capability.EchoMessage),
            new CapabilityOffer("extended-monitor", Capability.ExtendedMonitor),
            new CapabilityOffer("invite-notify", Capability.InviteNotify),
            new CapabilityOffer("labeled-response", Capability.LabeledResponse),
            new CapabilityOffer("message-tags", Capability.MessageTags),
            new CapabilityOffer("multi-prefix", Capability.MultiPrefix),
            new CapabilityOffer("server-time", Capability.ServerTime),
            new CapabilityOffer("setname", Capability.SetName),
            new CapabilityOffer("standard-replies", Capability.StandardReplies),
            new CapabilityOffer("userhost-in-names", Capability.UserhostInNames),
            new CapabilityOffer(PayloadCapability.Name, Capability.Payload, PayloadCapability.IsOffered, PayloadCapability.Value),
            new CapabilityOffer("sasl", Capability.Sasl, o => o.Accounts != null, o => "PLAIN,EXTERNAL"),
            new CapabilityOffer("account-tag", Capability.AccountTag, o => o.Accounts != null),
            new CapabilityOffer("account-notify", Capability.AccountNotify, o => o.Accounts != null),
            new CapabilityOffer("extended-join", Capability.ExtendedJoin, o => o.Accounts != null),
            new CapabilityOffer("sts", Capability.Sts, o => o.Certificate != null, o => Invariant($"port={o.Port},duration={(long)o.StsDuration.TotalSeconds}")),
        };

        private static string Invariant(FormattableString text) => FormattableString.Invariant(text);

        /// <summary>The capability this server offers under <paramref name="name"/>, or None.</summary>
        public static Capability Find(string name, ChatServerOptions options)
        {
            foreach (var offered in Offered)
            {
                if (offered.Name == name && offered.IsOffered(options)) return offered.Flag;
            }

            return Capability.None;
        }

        /// <summary>The names in <paramref name="set"/>, space separated, as CAP LIST/ACK shows them.</summary>
        public static string Names(Capability set)
        {
            var names = new List<string>();
            foreach (var offered in Offered)
            {
                if ((set & offered.Flag) != 0) names.Add(offered.Name);
            }

            return string.Join(" ", names);
        }

        /// <summary>What CAP LS lists: every offered name, with its value for CAP 302 clients.</summary>
        public static string Advertised(ChatServerOptions options, bool withValues)
        {
            var names = new List<string>();
            foreach (var offered in Offered)
            {
                if (!offered.IsOffered(options)) continue;
                string? value = withValues ? offered.Value?.Invoke(options) : null;
                names.Add(value == null ? offered.Name : offered.Name + "=" + value);
            }

            return string.Join(" ", names);
        }
    }
}
