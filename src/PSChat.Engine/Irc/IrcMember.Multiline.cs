using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Threading;
using PSChat.Engine.Rooms;

namespace PSChat.Engine.Irc
{
    /// <summary>
    /// IRCv3 <c>draft/multiline</c>, server side: <c>BATCH +ref draft/multiline target</c>, PRIVMSG or
    /// NOTICE lines tagged <c>batch=ref</c> (<c>draft/multiline-concat</c> joins a line to the one before),
    /// <c>BATCH -ref</c>. The message goes out as one batch (one msgid and time on its BATCH line) to
    /// clients that asked for multiline, and as its lines, blank ones left out, to the others. A batch
    /// holds at most <see cref="ChatServerOptions.MaxMultilineBytes"/> bytes of text and
    /// <see cref="MaxMultilineLines"/> lines.
    /// </summary>
    internal sealed partial class IrcMember
    {
        public const string MultilineBatchType = "draft/multiline";
        public const string MultilineConcatTag = "draft/multiline-concat";

        /// <summary>The most lines one multiline batch holds (max-lines).</summary>
        public const int MaxMultilineLines = 100;

        /// <summary>The batch this client is sending; only its own lines touch it.</summary>
        private MultilineBatch? multiline;

        private sealed class MultilineBatch
        {
            public MultilineBatch(string reference, string target, string? label, string? clientTags)
            {
                Reference = reference;
                Target = target;
                Label = label;
                ClientTags = clientTags;
            }

            public string Reference { get; }

            public string Target { get; }

            public string? Label { get; }

            public string? ClientTags { get; }

            public RoomEventKind Kind { get; set; } = RoomEventKind.Message;

            public List<(string Text, bool Concat)> Lines { get; } = new List<(string, bool)>();

            public int Bytes { get; set; }

            /// <summary>Refused already (the client was told): the rest of it is dropped.</summary>
            public bool Failed { get; set; }
        }

        internal static string MultilineCapabilityValue(ChatServerOptions options) =>
            "max-bytes=" + options.MaxMultilineBytes.ToString(CultureInfo.InvariantCulture) +
            ",max-lines=" + MaxMultilineLines.ToString(CultureInfo.InvariantCulture);

        /// <summary>
        /// Takes the line when it belongs to multiline: a BATCH command, or a line tagged with a batch. Runs
        /// before labeled-response catches replies: a labeled batch is answered when it ends.
        /// </summary>
        private bool TakeMultilineLine(IrcMessage message)
        {
            if (message.Command == "BATCH")
            {
                if (IsRegistered) OnClientBatch(message);
                else Reply(Numerics.ERR_NOTREGISTERED, "You have not registered");
                return true;
            }

            if (!message.Tags.TryGetValue("batch", out string? reference) || !IsRegistered) return false;
            var open = multiline;
            if (open == null || reference != open.Reference)
            {
                MultilineFail("MULTILINE_INVALID", "No multiline batch open with that reference");
                return true;
            }

            if (open.Failed) return true;
            bool concat = message.Tags.ContainsKey(MultilineConcatTag);
            var kind = message.Command == "NOTICE" ? RoomEventKind.Notice : RoomEventKind.Message;
            string? text = message[1];
            if ((message.Command != "PRIVMSG" && message.Command != "NOTICE") || text == null ||
                !CaseMapping.Equals(message.Parameters[0], open.Target) || (open.Lines.Count > 0 && kind != open.Kind) || (concat && text.Length == 0))
            {
                open.Failed = true;
                MultilineFail("MULTILINE_INVALID", "Invalid multiline batch: PRIVMSG or NOTICE lines to its target, no blank line joined");
                return true;
            }

            int max = server.Options.MaxMultilineBytes;
            open.Bytes += Encoding.UTF8.GetByteCount(text);
            if (open.Bytes > max || open.Lines.Count >= MaxMultilineLines)
            {
                open.Failed = true;
                bool bytes = open.Bytes > max;
                MultilineFail(bytes ? "MULTILINE_MAX_BYTES" : "MULTILINE_MAX_LINES", (bytes ? max : MaxMultilineLines).ToString(CultureInfo.InvariantCulture),
                    bytes ? $"Multiline batch over {max} bytes" : $"Multiline batch over {MaxMultilineLines} lines");
                ReportLimit(nameof(ChatServerOptions.MaxMultilineBytes), "multiline batch over its limit");
                return true;
            }

            open.Kind = kind;
            open.Lines.Add((text, concat));
            return true;
        }

        /// <summary>BATCH +ref draft/multiline target opens a batch; BATCH -ref sends it.</summary>
        private void OnClientBatch(IrcMessage message)
        {
            string first = message[0] ?? string.Empty;
            if (first.Length > 1 && first[0] == '+')
            {
                if (!Has(Capability.Multiline) || message[1] != MultilineBatchType || message[2] == null || multiline != null)
                {
                    MultilineFail("MULTILINE_INVALID", "Open one draft/multiline batch at a time, with a target, after CAP REQ draft/multiline");
                    return;
                }

                message.Tags.TryGetValue("label", out string? label);
                multiline = new MultilineBatch(first.Substring(1), message[2]!, Has(Capability.LabeledResponse) ? label : null, WithBotTag(ClientTagsOf(message)));
                return;
            }

            var open = multiline;
            if (first.Length < 2 || first[0] != '-' || open == null || first.Substring(1) != open.Reference)
            {
                MultilineFail("MULTILINE_INVALID", "No multiline batch open with that reference");
                return;
            }

            multiline = null;
            if (open.Failed) return;
            if (open.Lines.Count == 0 || open.Lines.All(l => l.Text.Length == 0))
            {
                MultilineFail("MULTILINE_INVALID", "A multiline batch needs a line that is not blank");
                return;
            }

            SendMultiline(open);
        }

        private void SendMultiline(MultilineBatch batch)
        {
            bool errors = batch.Kind != RoomEventKind.Notice;
            ChatRoom? room = null;
            ChatMember? target = null;
            if (IrcNames.IsChannel(batch.Target))
            {
                room = FindRoomToSpeakIn(batch.Target, errors);
                if (room == null) return;
            }
            else
            {
                target = FindVisibleMember(batch.Target);
                if (target == null)
                {
                    if (errors) Reply(Numerics.ERR_NOSUCHNICK, batch.Target, "No such nick/channel");
                    return;
                }
            }

            Interlocked.Exchange(ref lastSpokeTicks, Interlocked.Read(ref lastHeardTicks));
            var lines = new List<RoomEvent>();
            var time = DateTime.UtcNow;
            string? messageId = null;
            foreach (var (text, _) in batch.Lines)
            {
                // Every line carries the batch's time and client tags; the first keeps its msgid for those without multiline.
                var line = messageId == null
                    ? new RoomEvent(batch.Kind, room, Identity, text) { Origin = IrcOrigin.WithTags(batch.ClientTags), Target = target?.Nick }
                    : new RoomEvent(batch.Kind, room, Identity, text, time, messageId) { Origin = IrcOrigin.WithTags(batch.ClientTags), Target = target?.Nick };
                if (messageId == null)
                {
                    time = line.Time;
                    messageId = line.MessageId;
                }

                lines.Add(line);
            }

            string name = room?.Name ?? target!.Nick;
            var recipients = room != null ? room.Members.Where(m => !ReferenceEquals(m, this)) : new[] { target! };
            foreach (var member in recipients)
            {
                if (member is IrcMember irc) irc.ReceiveMultiline(this, batch, lines, name, null);
                else foreach (var line in lines.Where(l => l.Text.Length > 0)) member.Deliver(line);
            }

            if (Has(Capability.EchoMessage)) ReceiveMultiline(this, batch, lines, name, batch.Label);
            else if (batch.Label != null) Send(new IrcMessage(new Dictionary<string, string?> { ["label"] = batch.Label }, ServerName, "ACK", Array.Empty<string>()));
            if (room != null)
            {
                // Kept line by line (the first under the batch's msgid), as a client without multiline saw it.
                bool first = true;
                foreach (var line in lines.Where(l => l.Text.Length > 0))
                {
                    server.History.Record(first ? line : Fresh(line));
                    first = false;
                }

                server.Raise(PSChat.ServerEventKind.Message, e =>
                {
                    Describe(e, room);
                    e.Text = string.Join("\n", batch.Lines.Select(l => l.Text));
                });
            }
        }

        /// <summary>A line with a msgid of its own (history keys entries by msgid).</summary>
        private RoomEvent Fresh(RoomEvent line) =>
            new RoomEvent(line.Kind, line.Room, line.Source, line.Text) { Origin = line.Origin, Target = line.Target };

        /// <summary>A multiline message to this client: one batch if it asked for multiline, else its non-blank lines.</summary>
        private void ReceiveMultiline(IrcMember sender, MultilineBatch batch, List<RoomEvent> lines, string name, string? label)
        {
            var caps = Caps;
            var messages = new List<IrcMessage>();
            if ((caps & Capability.Multiline) != 0 && (caps & Capability.Batch) != 0)
            {
                string reference = NewBatchReference();
                // The batch line carries what a single message would (msgid, time, client tags); its lines only the batch.
                var head = IrcEventEncoder.ToMessages(lines[0], caps)[0];
                var tags = new Dictionary<string, string?>();
                foreach (var tag in head.Tags) tags[tag.Key] = tag.Value;
                if (label != null) tags["label"] = label;
                messages.Add(new IrcMessage(tags, sender.Identity.Prefix, "BATCH", new[] { "+" + reference, MultilineBatchType, name }));
                for (int i = 0; i < lines.Count; i++)
                {
                    var inner = new Dictionary<string, string?> { ["batch"] = reference };
                    if (batch.Lines[i].Concat) inner[MultilineConcatTag] = null;
                    var plain = IrcEventEncoder.ToMessages(lines[i], caps & ~(Capability.MessageTags | Capability.ServerTime | Capability.AccountTag))[0];
                    messages.Add(new IrcMessage(inner, plain.Source, plain.Command, plain.Parameters));
                }

                messages.Add(new IrcMessage(null, sender.Identity.Prefix, "BATCH", new[] { "-" + reference }));
            }
            else
            {
                bool first = true;
                foreach (var line in lines.Where(l => l.Text.Length > 0))
                {
                    foreach (var message in IrcEventEncoder.ToMessages(line, caps))
                    {
                        messages.Add(first ? message : WithoutTag(message, "msgid"));
                        first = false;
                    }
                }

                if (label != null && messages.Count > 0) messages[0] = WithTag(messages[0], "label", label);
            }

            foreach (var message in messages)
            {
                if (ReferenceEquals(this, sender)) Send(message);
                else Connection.Send(message.ToBoundedBytes());
            }
        }

        private static IrcMessage WithoutTag(IrcMessage message, string key)
        {
            if (!message.Tags.ContainsKey(key)) return message;
            var tags = new Dictionary<string, string?>();
            foreach (var tag in message.Tags)
            {
                if (tag.Key != key) tags[tag.Key] = tag.Value;
            }

            return new IrcMessage(tags, message.Source, message.Command, message.Parameters);
        }

        private void MultilineFail(string code, params string[] rest)
        {
            var all = new string[rest.Length + 1];
            all[0] = code;
            rest.CopyTo(all, 1);
            Send(FailLine("BATCH", all));
        }
    }
}
