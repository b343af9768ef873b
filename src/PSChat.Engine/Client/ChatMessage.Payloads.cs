using System;
using System.Threading;

namespace PSChat
{
    /// <summary>
    /// Turns objects into payload bytes and back. The engine carries payloads as opaque bytes; the module
    /// that knows an object format (PowerShell's CliXml) sets <see cref="ChatMessage.Codec"/>.
    /// </summary>
    internal interface IChatObjectCodec
    {
        byte[] Serialize(object value, int depth);

        /// <summary>One short line a person reads instead of the payload: a type name and its text.</summary>
        string Summarize(object value);

        /// <summary>The object back, as inert data; throws <see cref="ChatPayloadException"/> for a payload it refuses.</summary>
        object? Deserialize(byte[] data);
    }

    /// <summary>Objects carried by messages (payloads), and requests and their replies.</summary>
    public sealed partial class ChatMessage
    {
        private object? decoded;
        private int decodeState;

        /// <summary>The object format of the module (set once when it loads).</summary>
        internal static IChatObjectCodec? Codec { get; set; }

        /// <summary>The serialized object the message carried, when it carried one.</summary>
        internal byte[]? Payload { get; set; }

        /// <summary>The id of the payload envelope the message came in (also the request id of a request).</summary>
        internal string? PayloadId { get; set; }

        /// <summary>The session the message came through: where a reply goes out.</summary>
        internal ChatSession? Session { get; set; }

        /// <summary>Whether the message carried an object (<see cref="Object"/>).</summary>
        public bool HasObject => Payload != null;

        /// <summary>The object the message carried, as data (deserialized property bags); null when it carried none or was refused (see <see cref="ObjectError"/>).</summary>
        public object? Object
        {
            get
            {
                DecodeOnce();
                return decoded;
            }
        }

        /// <summary>Why the carried object was refused, when it was.</summary>
        public string? ObjectError { get; private set; }

        /// <summary>Set when the message is a request (Invoke-ChatRequest): a reply carries this id back to the waiting requester.</summary>
        public string? RequestId { get; internal set; }

        /// <summary>Set when the message is a reply: the <see cref="RequestId"/> of the request it answers.</summary>
        public string? InReplyTo { get; internal set; }

        /// <summary>
        /// Set when the message is a reply that reports a failure (a bot command that threw, a responder's
        /// <see cref="ReplyError"/>): the name of its PowerShell error category; <see cref="ChatMessage.Text"/> is its message.
        /// </summary>
        public string? ErrorCategory { get; internal set; }

        /// <summary>Whether the message is a reply that reports a failure (<see cref="ErrorCategory"/>).</summary>
        public bool IsError => ErrorCategory != null;

        /// <summary>Answers this request (or message) with text, where it was asked: its room, or privately to its sender.</summary>
        public void Reply(string text) => ReplyWith(text ?? throw new ArgumentNullException(nameof(text)), null, 0);

        /// <summary>Answers this request (or message) with an object, serialized to <paramref name="depth"/>.</summary>
        public void Reply(object value, int depth) => ReplyWith(null, value ?? throw new ArgumentNullException(nameof(value)), depth);

        /// <summary>
        /// Answers this request with a failure: the requester's Invoke-ChatRequest writes an error with
        /// <paramref name="text"/> as its message, of <paramref name="errorCategory"/> (the name of a PowerShell
        /// error category; NotSpecified by default). People in the room read the text.
        /// </summary>
        public void ReplyError(string text, string errorCategory = "NotSpecified")
        {
            var session = Session ?? throw new InvalidOperationException("The message did not come through a session, so there is nowhere to reply.");
            if (Sender == null) throw new InvalidOperationException("The message has no sender to reply to.");
            string answers = RequestId ?? throw new InvalidOperationException("The message is not a request (it carries no request id), so there is no one waiting for an error.");
            session.SendErrorReply(text ?? throw new ArgumentNullException(nameof(text)), errorCategory, ReplyRoom, ReplyTarget, answers);
        }

        /// <summary>Answers with text when <paramref name="value"/> is a string, an object otherwise (depth 2).</summary>
        public void Reply(object value)
        {
            if (value is string text) Reply(text);
            else Reply(value, 2);
        }

        /// <summary>Where a reply goes: the room a message came to, or the person who sent it privately.</summary>
        internal string? ReplyRoom => Kind == ChatMessageKind.Private || Room == null ? null : Room;

        internal string? ReplyTarget => Kind == ChatMessageKind.Private || Room == null ? Sender : null;

        private void ReplyWith(string? text, object? value, int depth)
        {
            var session = Session ?? throw new InvalidOperationException("The message did not come through a session, so there is nowhere to reply.");
            if (Sender == null) throw new InvalidOperationException("The message has no sender to reply to.");
            byte[]? data = null;
            if (value != null)
            {
                var codec = Codec ?? throw new InvalidOperationException("No object format is loaded (import the PSChat module).");
                data = codec.Serialize(value, depth);
                text = codec.Summarize(value);
            }

            string? answers = RequestId ?? PayloadId;
            if (data == null && answers == null) session.Send(text!, ReplyRoom, ReplyTarget);
            else session.SendEnvelope(text!, data, ReplyRoom, ReplyTarget, request: false, inReplyTo: answers);
        }

        private void DecodeOnce()
        {
            if (Payload == null || Interlocked.CompareExchange(ref decodeState, 1, 0) != 0)
            {
                // Another thread may be decoding: wait for it (decoding is bounded by the payload limit).
                while (Payload != null && Volatile.Read(ref decodeState) == 1) Thread.Yield();
                return;
            }

            try
            {
                var codec = Codec ?? throw new ChatPayloadException("No object format is loaded (import the PSChat module).");
                decoded = codec.Deserialize(Payload);
            }
            catch (ChatPayloadException ex)
            {
                ObjectError = ex.Message;
                Session?.CountRefusal($"The object from {Sender} was refused: {ex.Message}");
            }
            finally
            {
                Volatile.Write(ref decodeState, 2);
            }
        }
    }

    /// <summary>A payload (an object) that cannot be sent or was refused on arrival.</summary>
    public sealed class ChatPayloadException : Exception
    {
        public ChatPayloadException(string message)
            : base(message)
        {
        }

        public ChatPayloadException(string message, Exception inner)
            : base(message, inner)
        {
        }
    }
}
