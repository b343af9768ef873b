using System;
using System.Collections.Generic;
using System.Text.RegularExpressions;
using PSChat.Engine.Client.Payloads;
using PSChat.Engine.Irc;
using PSChat.Engine.Text;

namespace PSChat.Engine.Client
{
    /// <summary>
    /// Payload envelopes over IRC. An envelope is chunk records (<see cref="PayloadRecord"/>) and then one
    /// line a person reads, which closes it. Where the server relays message tags the records ride in a
    /// client-only tag on TAGMSG (no client shows those) and the last one on the closing PRIVMSG; elsewhere
    /// (ngircd, RFC servers) each record is a CTCP PSCHAT line and the closing line ends " [pschat#id]".
    /// A sender's lines reach us in order, so the closing line finds its chunks complete or the payload is refused.
    /// </summary>
    internal sealed partial class IrcClientProtocol
    {
        /// <summary>Most of a client tag's 4094 bytes: room for the tag name and a later version's extra tags.</summary>
        private const int TaggedRecordBytes = 3800;

        /// <summary>The closing line's summary is cut to this many bytes: one short line.</summary>
        private const int MaxSummaryBytes = 300;

        private const string CtcpStart = "\u0001" + PayloadRecord.CtcpVerb + " ";

        private static readonly Regex ClosingMarker = new Regex(@" \[pschat#([0-9a-z]{1,16})\]$", RegexOptions.CultureInvariant);

        /// <summary>The vendor capability of PSChat's server: object chunks budgeted by bytes, the budget in its value.</summary>
        private const string PayloadCapabilityName = "pschat.dev/payload";

        private PayloadAssembler? assembler;

        /// <summary>The pace under the server's pschat.dev/payload value from CAP LS; null when it offered none.</summary>
        private PayloadPace? offeredPayloadPace;

        /// <summary>Senders told about a refusal in this period: a sender's refusals are all counted, but said once per period, not per line.</summary>
        private readonly HashSet<string> reportedSenders = new HashSet<string>(StringComparer.Ordinal);
        private long reportPeriodStart = long.MinValue;

        public override void SendEnvelope(string id, string summary, byte[]? payload, string? room, string? to, bool request, string? inReplyTo, string? errorCategory)
        {
            string target = to ?? NormaliseRoom(room ?? Session.DefaultRoom);
            if (target.Length == 0) throw new ArgumentException("There is no room to send to: join one, or give -Room or -To.");
            if (to == null) EnsureMember(target);
            bool tagged;
            lock (gate) tagged = EnabledCapabilities.Contains("message-tags");
            int recordBytes = tagged ? TaggedRecordBytes : Support.LineLength - 2 - RelayPrefixLength("PRIVMSG", target) - CtcpStart.Length - 1;
            var meta = new PayloadMeta { IsObject = payload != null, IsRequest = request, InReplyTo = inReplyTo, ErrorCategory = errorCategory, Length = payload?.Length ?? 0 };
            bool deflated = false;
            string encoded = payload == null ? string.Empty : PayloadCodec.Encode(payload, FirstRecordChars(recordBytes, meta.Format(), payload.Length), out deflated);
            meta.Deflated = deflated;
            string metaText = meta.Format();
            string text = OneLine(summary);
            if (tagged)
            {
                var records = Records(id, meta, metaText, encoded, recordBytes);
                for (int i = 0; i < records.Count; i++)
                {
                    var tags = new Dictionary<string, string?> { [PayloadRecord.TagName] = records[i] };
                    Session.WaitForSendRoom();
                    if (i == records.Count - 1) Send(new IrcMessage(tags, null, "PRIVMSG", new[] { target, Utf8Splitter.Prefix(text, MaxSummaryBytes) }));
                    else Session.SendPayloadLine(new IrcMessage(tags, null, "TAGMSG", new[] { target }).ToBytes());
                }
            }
            else
            {
                foreach (string record in Records(id, meta, metaText, encoded, recordBytes))
                {
                    Session.WaitForSendRoom();
                    Send(new IrcMessage("PRIVMSG", target, CtcpStart + record + "\u0001"));
                }

                string marker = " [pschat#" + id + "]";
                int room4Summary = Math.Min(MaxSummaryBytes, Support.LineLength - 2 - RelayPrefixLength("PRIVMSG", target) - marker.Length);
                Send(new IrcMessage("PRIVMSG", target, Utf8Splitter.Prefix(text, room4Summary) + marker));
            }
        }

        /// <summary>
        /// The pace of object chunks the server asked for with pschat.dev/payload, once it is enabled; null
        /// otherwise (chunks are then lines, paced as the session paces lines).
        /// </summary>
        public PayloadPace? PayloadPace
        {
            get
            {
                lock (EnabledCapabilities) return EnabledCapabilities.Contains(PayloadCapabilityName) ? offeredPayloadPace : null;
            }
        }

        /// <summary>Keeps the pace a CAP LS line's pschat.dev/payload value asks for (CAP 302 gives values).</summary>
        private void NotePayloadOffer(string[] offered)
        {
            foreach (string name in offered)
            {
                if (name.StartsWith(PayloadCapabilityName + "=", StringComparison.OrdinalIgnoreCase)) offeredPayloadPace = PayloadPace.Under(name.Substring(PayloadCapabilityName.Length + 1));
            }
        }

        /// <summary>Bytes of ":nick!user@host COMMAND target :" as the server will relay it; before the server told us our host, the longest it could be.</summary>
        private int RelayPrefixLength(string command, string target) =>
            TextRules.StrictUtf8.GetByteCount(":" + (ownSource ?? Session.Name + "!" + new string('u', 10) + "@" + new string('h', 63)) + " " + command + " " + target + " :");

        /// <summary>Base64 characters the first record of a payload of <paramref name="length"/> bytes carries (what <see cref="Records"/> leaves it).</summary>
        private static int FirstRecordChars(int recordBytes, string metaText, int length) =>
            recordBytes - PayloadRecord.HeaderLength(PayloadCodec.Base64Length(length) + 1) - metaText.Length - 1;

        /// <summary>The records of an envelope, each at most <paramref name="recordBytes"/> long; the first also carries the meta.</summary>
        private static List<string> Records(string id, PayloadMeta meta, string metaText, string encoded, int recordBytes)
        {
            // The total is not known before the split; a header sized for the most chunks there could be is safe.
            int header = PayloadRecord.HeaderLength(encoded.Length + 1);
            int first = Math.Max(1, recordBytes - header - metaText.Length - 1);
            int rest = Math.Max(1, recordBytes - header);
            var pieces = new List<string> { encoded.Substring(0, Math.Min(first, encoded.Length)) };
            if (encoded.Length > first) pieces.AddRange(PayloadCodec.Split(encoded.Substring(first), rest));
            var records = new List<string>(pieces.Count);
            for (int i = 0; i < pieces.Count; i++) records.Add(PayloadRecord.Format(id, i + 1, pieces.Count, meta, pieces[i]));
            return records;
        }

        private static string OneLine(string summary)
        {
            string text = TextRules.StripControls(string.Join(" ", TextRules.SplitLines(summary))).Trim();
            return text.Length == 0 ? "(object)" : text;
        }

        public override void ExpirePayloads()
        {
            lock (gate)
            {
                if (assembler == null || assembler.Count == 0) return;
                foreach (string expired in assembler.Expire()) Session.CountRefusal(expired);
            }
        }

        /// <summary>A TAGMSG carries a record or nothing PSChat shows.</summary>
        private void OnTagMessage(IrcMessage message)
        {
            string? sender = message.SourceNick;
            if (sender != null && message.Tags.TryGetValue(PayloadRecord.TagName, out string? record) && record != null) TakeRecord(sender, record);
        }

        /// <summary>
        /// Takes a PRIVMSG or NOTICE that is part of an envelope: a record (tag or CTCP), or the closing line.
        /// True when the line was taken (nothing more to deliver for it).
        /// </summary>
        private bool TryTakeEnvelopeLine(IrcMessage message, string line, string text)
        {
            string? sender = message.SourceNick;
            if (sender == null) return false;
            string? id = null;
            string summary = text;
            if (message.Tags.TryGetValue(PayloadRecord.TagName, out string? record) && record != null)
            {
                id = TakeRecord(sender, record);
                if (id == null) return false;
            }
            else if (text.StartsWith(CtcpStart, StringComparison.Ordinal))
            {
                TakeRecord(sender, text.Substring(CtcpStart.Length).TrimEnd('\u0001'));
                return true;
            }
            else
            {
                var marker = text.EndsWith("]", StringComparison.Ordinal) ? ClosingMarker.Match(text) : null;
                if (marker == null || !marker.Success) return false;
                id = marker.Groups[1].Value;
                summary = text.Substring(0, marker.Index);
            }

            var payload = Assembler.Complete(Support.Fold(sender), id, out string? refusal);
            if (refusal != null) Refused(Support.Fold(sender), refusal);
            if (payload == null) return false; // a person typing the marker, or a refused payload: the line is shown as it came
            Deliver(message, line, KindOf(message), summary, m =>
            {
                m.PayloadId = payload.Id;
                if (payload.Meta.IsObject) m.Payload = payload.Data;
                if (payload.Meta.IsRequest) m.RequestId = payload.Id;
                m.InReplyTo = payload.Meta.InReplyTo;
                m.ErrorCategory = payload.Meta.ErrorCategory;
            });
            return true;
        }

        private PayloadAssembler Assembler => assembler ??= new PayloadAssembler(
            new PayloadLimits
            {
                MaxPayloadBytes = Session.Options.MaxPayloadBytes,
                MaxIncompletePayloads = Session.Options.MaxIncompletePayloads,
                IncompletePayloadTimeout = Session.Options.IncompletePayloadTimeout,
            },
            Session.Options.Clock);

        /// <summary>Feeds one record to the assembler; its payload id, or null when it was malformed.</summary>
        private string? TakeRecord(string sender, string text)
        {
            string key = Support.Fold(sender);
            foreach (string expired in Assembler.Expire()) Session.CountRefusal(expired, report: true);
            var record = PayloadRecord.Parse(text, out string? error);
            if (record == null)
            {
                Refused(key, $"A payload from {sender} was refused: {error}.");
                return null;
            }

            string? refusal = Assembler.Add(key, record);
            if (refusal != null) Refused(key, refusal);
            return record.Id;
        }

        /// <summary>Counts a refusal; says it unless this sender was told of one within the last IncompletePayloadTimeout.</summary>
        private void Refused(string sender, string refusal)
        {
            long now = Session.Options.Clock.NowTicks;
            if (reportPeriodStart == long.MinValue || now - reportPeriodStart >= Session.Options.IncompletePayloadTimeout.Ticks || reportedSenders.Count >= 64)
            {
                reportedSenders.Clear();
                reportPeriodStart = now;
            }

            Session.CountRefusal(refusal, report: reportedSenders.Add(sender));
        }

        private ChatMessageKind KindOf(IrcMessage message)
        {
            if (message.Command == "NOTICE") return ChatMessageKind.Notice;
            return Support.IsChannel(message[0] ?? string.Empty) ? ChatMessageKind.Message : ChatMessageKind.Private;
        }
    }
}
