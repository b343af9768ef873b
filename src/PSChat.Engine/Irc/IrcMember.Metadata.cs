using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using PSChat.Engine.Rooms;

namespace PSChat.Engine.Irc
{
    /// <summary>
    /// IRCv3 metadata (<c>draft/metadata-3</c>): keys and values on users and channels (METADATA GET,
    /// LIST, SET, CLEAR, SUB, UNSUB, SUBS, SYNC). A change reaches the members that share a channel with
    /// its target, or are in the channel, and subscribed to its key, as 761 (set) or 766 (unset). A
    /// client may set its own keys before it registers (<c>before-connect</c>). Keys per target and
    /// subscriptions per client are at most <see cref="ChatServerOptions.MaxMetadataKeys"/>.
    /// </summary>
    internal sealed partial class IrcMember
    {
        /// <summary>The keys WHOIS shows (760): the ones a person reads, as the spec asks for an explicit subset.</summary>
        private static readonly string[] WhoisMetadataKeys = { "display-name", "pronouns", "homepage", "url", "status" };

        /// <summary>How many seconds ERR_METADATASYNCLATER asks a client to wait before it syncs again.</summary>
        private const string SyncRetrySeconds = "5";

        /// <summary>Keys per 770/771/772 line: each its own parameter, within 15 parameters and (at 64 bytes a key) 512 bytes.</summary>
        private const int KeysPerLine = 5;

        private readonly MetadataStore metadata = new MetadataStore();

        /// <summary>The keys (folded) this client is told about; its lock guards it.</summary>
        private readonly HashSet<string> metadataSubscriptions = new HashSet<string>(StringComparer.Ordinal);

        private static void AddMetadataCommands(Dictionary<string, Command> table)
        {
            // Registration is checked per subcommand: a client may set its own keys before it registers.
            table["METADATA"] = new Command((m, msg) => m.OnMetadata(msg), 2, needsRegistration: false);
        }

        /// <summary>What a METADATA command names: this client, another member, or a channel.</summary>
        private sealed class MetadataTarget
        {
            public MetadataTarget(string name, MetadataStore? store, ChatMember? member, ChatRoom? room)
            {
                Name = name;
                Store = store;
                Member = member;
                Room = room;
            }

            public string Name { get; }

            /// <summary>Null for a member that keeps none (a plain text client).</summary>
            public MetadataStore? Store { get; }

            public ChatMember? Member { get; }

            public ChatRoom? Room { get; }
        }

        private void OnMetadata(IrcMessage message)
        {
            if (server.Options.MaxMetadataKeys <= 0)
            {
                if (IsRegistered) Reply(Numerics.ERR_UNKNOWNCOMMAND, message.Command, "Unknown command");
                else Reply(Numerics.ERR_NOTREGISTERED, "You have not registered");
                return;
            }

            string sub = message.Parameters[1].ToUpperInvariant();
            // Before registration only this client's own keys and subscriptions.
            if (!IsRegistered && (message.Parameters[0] != "*" || sub == "SYNC"))
            {
                Reply(Numerics.ERR_NOTREGISTERED, "You have not registered");
                return;
            }

            var keys = message.Parameters.Skip(2).ToArray();
            switch (sub)
            {
                case "SUB":
                    MetadataSubscribe(keys);
                    return;
                case "UNSUB":
                    MetadataUnsubscribe(keys);
                    return;
                case "SUBS":
                    string[] subscribed;
                    lock (metadataSubscriptions) subscribed = metadataSubscriptions.OrderBy(k => k, StringComparer.Ordinal).ToArray();
                    ReplyKeys(Numerics.RPL_METADATASUBS, subscribed);
                    return;
                case "GET":
                case "LIST":
                case "SET":
                case "CLEAR":
                case "SYNC":
                    break;
                default:
                    MetadataFail("INVALID_SUBCOMMAND", message.Parameters[1], "invalid subcommand");
                    return;
            }

            var target = FindMetadataTarget(message.Parameters[0]);
            if (target == null) return;
            switch (sub)
            {
                case "GET":
                    if (keys.Length == 0) Reply(Numerics.ERR_NEEDMOREPARAMS, "METADATA", "Not enough parameters");
                    else if (MayReadMetadata(target, keys[0])) MetadataGet(target, keys);
                    break;
                case "LIST":
                    if (MayReadMetadata(target, "*")) MetadataList(target);
                    break;
                case "SET":
                    if (keys.Length == 0) Reply(Numerics.ERR_NEEDMOREPARAMS, "METADATA", "Not enough parameters");
                    else MetadataSet(target, keys[0], keys.Length > 1 ? keys[1] : string.Empty);
                    break;
                case "CLEAR":
                    MetadataClear(target);
                    break;
                default:
                    if (MayReadMetadata(target, "*")) MetadataSync(target);
                    break;
            }
        }

        /// <summary>The target named, or null after FAIL METADATA INVALID_TARGET (a secret channel one is not in does not exist).</summary>
        private MetadataTarget? FindMetadataTarget(string name)
        {
            if (name == "*" || (IsRegistered && CaseMapping.Fold(name) == CaseMapping.Fold(Nick)))
            {
                return new MetadataTarget(Nick, metadata, this, null);
            }

            if (IrcNames.IsValidChannel(name))
            {
                var room = server.FindRoom(name);
                if (room != null && CanSee(room)) return new MetadataTarget(room.Name, protocol.ChannelOf(room).Metadata, null, room);
            }
            else if (FindVisibleMember(name) is ChatMember member)
            {
                return new MetadataTarget(member.Nick, (member as IrcMember)?.metadata, member, null);
            }

            MetadataFail("INVALID_TARGET", name, "invalid metadata target");
            return null;
        }

        /// <summary>A channel's metadata is for its members (and IRC operators); a user's for everyone.</summary>
        private bool MayReadMetadata(MetadataTarget target, string key)
        {
            if (target.Room == null || target.Room.Contains(this) || IsOperator) return true;
            MetadataFail("KEY_NO_PERMISSION", target.Name, key, "permission denied: you are not on that channel");
            return false;
        }

        /// <summary>One's own keys, a channel's for its operators, and anyone's for IRC operators.</summary>
        private bool MayEditMetadata(MetadataTarget target) =>
            ReferenceEquals(target.Member, this) || IsOperator ||
            (target.Room != null && (target.Room.GetStatus(this) & MemberStatus.Operator) != 0);

        private void MetadataGet(MetadataTarget target, string[] keys)
        {
            string? batch = BeginMetadataBatch(target.Name);
            foreach (string key in keys)
            {
                if (!MetadataStore.IsValidKey(key))
                {
                    SendInBatch(batch, MetadataFailLine("INVALID_KEY", key, "invalid key"));
                    continue;
                }

                string folded = MetadataStore.Fold(key);
                string? value = target.Store?.Get(folded);
                SendInBatch(batch, value == null ? KeyNotSetLine(Nick, target.Name, folded) : KeyValueLine(Nick, target.Name, folded, value));
            }

            EndBatch(batch);
        }

        private void MetadataList(MetadataTarget target)
        {
            BeginLongReply();
            string? batch = BeginMetadataBatch(target.Name);
            foreach (var entry in target.Store?.Snapshot() ?? Array.Empty<KeyValuePair<string, string>>())
            {
                if (!SendPart(WithBatch(KeyValueLine(Nick, target.Name, entry.Key, entry.Value), batch))) break;
            }

            EndBatch(batch);
            EndMetadataReply(target.Name);
        }

        private void MetadataSet(MetadataTarget target, string key, string value)
        {
            if (!MetadataStore.IsValidKey(key))
            {
                MetadataFail("INVALID_KEY", key, "invalid key");
                return;
            }

            string folded = MetadataStore.Fold(key);
            if (target.Store == null || !MayEditMetadata(target))
            {
                MetadataFail("KEY_NO_PERMISSION", target.Name, folded, "permission denied");
                return;
            }

            if (value.Length == 0)
            {
                bool removed = target.Store.Remove(folded);
                Send(KeyNotSetLine(Nick, target.Name, folded));
                if (removed) NotifyMetadata(target, folded, null);
                return;
            }

            if (!MetadataStore.IsValidValue(value))
            {
                MetadataFail("INVALID_VALUE", folded, $"value too long (at most {MetadataStore.MaxValueBytes} bytes)");
                return;
            }

            int max = server.Options.MaxMetadataKeys;
            if (target.Store.Set(folded, value, max) == MetadataStore.SetResult.LimitReached)
            {
                MetadataFail("LIMIT_REACHED", target.Name, $"metadata limit reached (at most {max} keys)");
                ReportLimit(nameof(ChatServerOptions.MaxMetadataKeys), $"METADATA SET past {max} keys on {target.Name}");
                return;
            }

            Send(KeyValueLine(Nick, target.Name, folded, value));
            NotifyMetadata(target, folded, value);
        }

        private void MetadataClear(MetadataTarget target)
        {
            if (target.Store == null || !MayEditMetadata(target))
            {
                MetadataFail("KEY_NO_PERMISSION", target.Name, "*", "permission denied");
                return;
            }

            string? batch = BeginMetadataBatch(target.Name);
            foreach (var entry in target.Store.Clear())
            {
                SendInBatch(batch, KeyNotSetLine(Nick, target.Name, entry.Key));
                NotifyMetadata(target, entry.Key, null);
            }

            EndBatch(batch);
        }

        /// <summary>SYNC: the subscribed keys of the target and, for a channel, of its members.</summary>
        private void MetadataSync(MetadataTarget target)
        {
            BeginLongReply();
            string? batch = BeginMetadataBatch(target.Name);
            if (target.Room != null) SendChannelMetadata(target.Room, batch);
            else SendSubscribedMetadata(target.Name, target.Store, batch);
            EndBatch(batch);
            EndMetadataReply(target.Name);
        }

        /// <summary>A cut sync (the send queue was nearly full) asks the client to SYNC again later (774).</summary>
        private void EndMetadataReply(string target)
        {
            if (ReportCut("METADATA")) Reply(Numerics.ERR_METADATASYNCLATER, target, SyncRetrySeconds);
            Connection.ChargeFlood(replyLines / ReplyLinesPerPenalty);
        }

        /// <summary>The channel's subscribed keys, then each other member's; false once the reply was cut.</summary>
        private bool SendChannelMetadata(ChatRoom room, string? batch)
        {
            if (!SendSubscribedMetadata(room.Name, protocol.ChannelOf(room).Metadata, batch)) return false;
            foreach (var member in room.Members)
            {
                if (ReferenceEquals(member, this) || !(member is IrcMember irc) || !IsVisible(irc)) continue;
                if (!SendSubscribedMetadata(irc.Nick, irc.metadata, batch)) return false;
            }

            return true;
        }

        private bool SendSubscribedMetadata(string targetName, MetadataStore? store, string? batch)
        {
            if (store == null) return true;
            foreach (var entry in store.Snapshot())
            {
                if (IsSubscribed(entry.Key) && !SendPart(WithBatch(KeyValueLine(Nick, targetName, entry.Key, entry.Value), batch))) return false;
            }

            return true;
        }

        /// <summary>
        /// After JOIN: the joiner gets the channel's and its members' subscribed keys (in a batch, only
        /// when there is any), and the members subscribed to the joiner's keys get those.
        /// </summary>
        private void SyncMetadataOnJoin(ChatRoom room)
        {
            if (server.Options.MaxMetadataKeys <= 0) return;
            if (Has(Capability.Metadata) && HasSubscriptions())
            {
                BeginLongReply();
                string? batch = HasChannelMetadataFor(room) ? BeginMetadataBatch(room.Name) : null;
                if (batch != null || !Has(Capability.Batch)) SendChannelMetadata(room, batch);
                EndBatch(batch);
                EndMetadataReply(room.Name);
            }

            var mine = metadata.Snapshot();
            if (mine.Length == 0) return;
            foreach (var member in room.Members)
            {
                if (ReferenceEquals(member, this) || !(member is IrcMember irc) || !irc.IsRegistered || !irc.Has(Capability.Metadata)) continue;
                foreach (var entry in mine)
                {
                    if (irc.IsSubscribed(entry.Key)) irc.Connection.Send(KeyValueLine(irc.Nick, Nick, entry.Key, entry.Value).ToBoundedBytes());
                }
            }
        }

        /// <summary>Whether the join sync would send anything: so no empty batch goes out on every JOIN.</summary>
        private bool HasChannelMetadataFor(ChatRoom room)
        {
            if (protocol.ChannelOf(room).Metadata.Snapshot().Any(e => IsSubscribed(e.Key))) return true;
            return room.Members.Any(m => !ReferenceEquals(m, this) && m is IrcMember irc && irc.metadata.Snapshot().Any(e => IsSubscribed(e.Key)));
        }

        /// <summary>
        /// Tells the members that see <paramref name="target"/> (its channel's members, or those sharing a
        /// channel with the user) and subscribed to <paramref name="key"/>: 761 with the value, 766 when unset.
        /// Not this client, which had its own reply.
        /// </summary>
        private void NotifyMetadata(MetadataTarget target, string key, string? value)
        {
            IEnumerable<ChatRoom> rooms = target.Room != null ? new[] { target.Room } : target.Member?.Rooms ?? Enumerable.Empty<ChatRoom>();
            var seen = new HashSet<ChatMember> { this };
            foreach (var room in rooms)
            {
                foreach (var member in room.Members)
                {
                    if (!seen.Add(member) || !(member is IrcMember irc) || !irc.IsRegistered || !irc.Has(Capability.Metadata) || !irc.IsSubscribed(key)) continue;
                    var line = value == null ? KeyNotSetLine(irc.Nick, target.Name, key) : KeyValueLine(irc.Nick, target.Name, key, value);
                    irc.Connection.Send(line.ToBoundedBytes());
                }
            }
        }

        private void MetadataSubscribe(string[] keys)
        {
            int max = server.Options.MaxMetadataKeys;
            var accepted = new List<string>();
            foreach (string key in keys)
            {
                if (!MetadataStore.IsValidKey(key))
                {
                    MetadataFail("INVALID_KEY", key, "invalid key");
                    continue;
                }

                string folded = MetadataStore.Fold(key);
                bool full;
                lock (metadataSubscriptions)
                {
                    full = !metadataSubscriptions.Contains(folded) && metadataSubscriptions.Count >= max;
                    if (!full) metadataSubscriptions.Add(folded);
                }

                if (full)
                {
                    MetadataFail("TOO_MANY_SUBS", folded, $"too many subscriptions (at most {max})");
                    ReportLimit(nameof(ChatServerOptions.MaxMetadataKeys), $"METADATA SUB past {max} keys");
                    break;
                }

                accepted.Add(folded);
            }

            ReplyKeys(Numerics.RPL_METADATASUBOK, accepted);
        }

        private void MetadataUnsubscribe(string[] keys)
        {
            var removed = new List<string>();
            foreach (string key in keys)
            {
                if (!MetadataStore.IsValidKey(key))
                {
                    MetadataFail("INVALID_KEY", key, "invalid key");
                    continue;
                }

                string folded = MetadataStore.Fold(key);
                lock (metadataSubscriptions) metadataSubscriptions.Remove(folded);
                removed.Add(folded);
            }

            ReplyKeys(Numerics.RPL_METADATAUNSUBOK, removed);
        }

        private bool IsSubscribed(string key)
        {
            lock (metadataSubscriptions) return metadataSubscriptions.Contains(key);
        }

        private bool HasSubscriptions()
        {
            lock (metadataSubscriptions) return metadataSubscriptions.Count > 0;
        }

        /// <summary>770, 771 or 772 with each key its own parameter, a few keys a line; none sends nothing.</summary>
        private void ReplyKeys(string numeric, IReadOnlyList<string> keys)
        {
            for (int i = 0; i < keys.Count; i += KeysPerLine)
            {
                Reply(numeric, keys.Skip(i).Take(KeysPerLine).ToArray());
            }
        }

        /// <summary>After the welcome: this client's own keys (those it set before registering), in a metadata batch when there are any.</summary>
        private void SendOwnMetadata()
        {
            var mine = metadata.Snapshot();
            if (!Has(Capability.Metadata) || mine.Length == 0) return;
            string? batch = BeginMetadataBatch(Nick);
            foreach (var entry in mine) SendInBatch(batch, KeyValueLine(Nick, Nick, entry.Key, entry.Value));
            EndBatch(batch);
        }

        /// <summary>WHOIS: 760 for the keys a person reads.</summary>
        private void ReplyWhoisMetadata(ChatMember member)
        {
            if (!(member is IrcMember irc)) return;
            foreach (string key in WhoisMetadataKeys)
            {
                if (irc.metadata.Get(key) is string value) Reply(Numerics.RPL_WHOISKEYVALUE, member.Nick, key, "*", value);
            }
        }

        /// <summary>The CAP 302 value: before-connect, and the limits.</summary>
        internal static string MetadataCapabilityValue(ChatServerOptions options)
        {
            string max = options.MaxMetadataKeys.ToString(CultureInfo.InvariantCulture);
            return "before-connect,maxsub=" + max + ",maxkey=" + max;
        }

        /// <summary>A metadata batch about <paramref name="target"/> (the array keeps the name from binding as an outer batch).</summary>
        private string? BeginMetadataBatch(string target) => BeginBatch("metadata", new[] { target });

        private IrcMessage KeyValueLine(string to, string target, string key, string value) =>
            new IrcMessage(null, ServerName, Numerics.RPL_KEYVALUE, new[] { to, target, key, "*", value });

        private IrcMessage KeyNotSetLine(string to, string target, string key) =>
            new IrcMessage(null, ServerName, Numerics.RPL_KEYNOTSET, new[] { to, target, key, "key not set" });

        private IrcMessage MetadataFailLine(params string[] codeAndParameters) => FailLine("METADATA", codeAndParameters);

        private void MetadataFail(params string[] codeAndParameters) => Send(MetadataFailLine(codeAndParameters));
    }
}
