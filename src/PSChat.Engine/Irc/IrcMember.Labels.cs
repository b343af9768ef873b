using System;
using System.Collections.Generic;
using System.Text;

namespace PSChat.Engine.Irc
{
    /// <summary>
    /// IRCv3 <c>labeled-response</c>: what a command with a <c>label</c> tag makes the server send this
    /// client comes back tagged with the label: one line carries it, several come in a
    /// <c>labeled-response</c> batch that carries it, none is an ACK that carries it. Lines are caught
    /// while the command runs on this client's own thread; what other clients cause meanwhile is not.
    /// </summary>
    internal sealed partial class IrcMember
    {
        /// <summary>The longest label taken (the spec's limit); a longer one is ignored, the command still runs.</summary>
        public const int MaxLabelLength = 64;

        private List<byte[]>? labelCapture;
        private int labelThread;

        /// <summary>What is held for the labeled response being built (each line with the send queue's cost per entry).</summary>
        private long LabeledBytes { get; set; }

        /// <summary>Runs a command, catching what it sends this client when it is labeled and the client asked for labels.</summary>
        private void DispatchLabeled(IrcMessage message)
        {
            if (!Has(Capability.LabeledResponse) || !message.Tags.TryGetValue("label", out string? label) ||
                string.IsNullOrEmpty(label) || label!.Length > MaxLabelLength)
            {
                Dispatch(message);
                return;
            }

            var captured = new List<byte[]>();
            labelCapture = captured;
            labelThread = Environment.CurrentManagedThreadId;
            try
            {
                Dispatch(message);
            }
            finally
            {
                labelCapture = null;
                LabeledBytes = 0;
            }

            SendLabeled(label, captured);
        }

        /// <summary>True when <paramref name="bytes"/> were caught for a labeled response (and must not be sent now).</summary>
        private bool CaptureForLabel(byte[] bytes)
        {
            var capture = labelCapture;
            if (capture == null || Environment.CurrentManagedThreadId != labelThread) return false;
            capture.Add(bytes);
            LabeledBytes += bytes.Length + Transport.SendQueue.EntryCostBytes;
            return true;
        }

        /// <summary>
        /// A message to a nick. One to this client itself arrives as any message would, not as part of the
        /// labeled response: with echo-message, only the echo carries the label.
        /// </summary>
        private void DeliverToTarget(Rooms.ChatMember target, Rooms.RoomEvent roomEvent)
        {
            if (!ReferenceEquals(target, this) || labelCapture == null)
            {
                target.Deliver(roomEvent);
                return;
            }

            var capture = labelCapture;
            labelCapture = null;
            try
            {
                Deliver(roomEvent);
            }
            finally
            {
                labelCapture = capture;
            }
        }

        private void SendLabeled(string label, List<byte[]> captured)
        {
            var lines = new List<IrcMessage>();
            foreach (byte[] bytes in captured)
            {
                foreach (string line in Encoding.UTF8.GetString(bytes).Split(new[] { "\r\n" }, StringSplitOptions.RemoveEmptyEntries))
                {
                    if (IrcMessage.Parse(line) is IrcMessage parsed) lines.Add(parsed);
                }
            }

            var labelTag = new Dictionary<string, string?> { ["label"] = label };
            if (lines.Count == 0)
            {
                Send(new IrcMessage(labelTag, ServerName, "ACK", Array.Empty<string>()));
                return;
            }

            if (lines.Count == 1 || !Has(Capability.Batch))
            {
                Send(WithTag(lines[0], "label", label));
                for (int i = 1; i < lines.Count; i++) Send(lines[i]);
                return;
            }

            string reference = NewBatchReference();
            Send(new IrcMessage(labelTag, ServerName, "BATCH", new[] { "+" + reference, "labeled-response" }));
            foreach (var line in lines)
            {
                // A line already in a batch (a nested one the command opened) stays in it.
                Send(line.Tags.ContainsKey("batch") ? line : WithBatch(line, reference));
            }

            Send(new IrcMessage(null, ServerName, "BATCH", new[] { "-" + reference }));
        }

        private static IrcMessage WithTag(IrcMessage message, string key, string value)
        {
            var tags = new Dictionary<string, string?>();
            foreach (var tag in message.Tags) tags[tag.Key] = tag.Value;
            tags[key] = value;
            return new IrcMessage(tags, message.Source, message.Command, message.Parameters);
        }
    }
}
