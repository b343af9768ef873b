using System;

namespace PSChat
{
    /// <summary>What kind of thing a received message is.</summary>
    public enum ChatMessageKind
    {
        Message,
        Notice,
        Private,
        Join,
        Part,
        Quit,
        Nick,
        Topic,
        Kick,
        System,
    }

    /// <summary>One message received by a session, as Receive-ChatMessage writes it.</summary>
    public sealed class ChatMessage
    {
        public ChatMessage(ChatMessageKind kind, string? room, string? sender, string text, DateTime time, int sessionId)
        {
            Kind = kind;
            Room = room;
            Sender = sender;
            Text = text;
            Time = time;
            SessionId = sessionId;
        }

        /// <summary>Local time the message was sent (server-time) or received.</summary>
        public DateTime Time { get; }

        public string? Room { get; }

        public string? Sender { get; }

        public string Text { get; }

        public ChatMessageKind Kind { get; }

        /// <summary>Binds the message back to its session in a pipeline (Send-ChatMessage -Session).</summary>
        public int SessionId { get; }

        /// <summary>For kick: who was kicked; for private: the nick it was sent to.</summary>
        public string? Target { get; set; }

        /// <summary>The raw protocol line, for debugging and IRC specifics.</summary>
        public string? Raw { get; set; }

        /// <summary>The sender's account (IRCv3 account-tag) when the server says who they are logged in as; null otherwise.</summary>
        public string? Account { get; set; }

        /// <summary>The message as a person reads it, control characters shown by <see cref="SafeText"/> (Text keeps them).</summary>
        public override string ToString() => SafeText.Render(Sender == null ? Text : Sender + ": " + Text);
    }

    public sealed class ChatMessageEventArgs : EventArgs
    {
        public ChatMessageEventArgs(ChatMessage message) => Message = message;

        public ChatMessage Message { get; }
    }
}
