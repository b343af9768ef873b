using System;

namespace PSChat.Commands.Bots
{
    /// <summary>What happened to a command line the bot heard.</summary>
    public enum ChatBotActivityKind
    {
        /// <summary>A command line arrived.</summary>
        Received,

        /// <summary>Refused: permission, room, throttling, a busy bot, or a line that is not literal.</summary>
        Denied,

        /// <summary>Waiting for !confirm.</summary>
        Confirming,

        Started,

        /// <summary>Ran to the end (it may still have written errors).</summary>
        Finished,

        /// <summary>Did not bind, threw, or its reply could not be sent.</summary>
        Failed,

        /// <summary>Stopped after -TimeoutSec.</summary>
        TimedOut,
    }

    /// <summary>One step of one request to a bot: on Start-ChatBot -Wait's pipeline and as the bot's Activity event.</summary>
    public sealed class ChatBotActivity : EventArgs
    {
        internal ChatBotActivity(ChatBotActivityKind kind, int botId, int request, ChatMessage message, string? command)
        {
            Kind = kind;
            BotId = botId;
            Request = request;
            Sender = message.Sender ?? string.Empty;
            Account = message.Account;
            Room = message.Kind == ChatMessageKind.Private ? null : message.Room;
            Line = message.Text;
            Command = command;
        }

        public DateTime Time { get; } = DateTime.Now;

        public ChatBotActivityKind Kind { get; }

        public int BotId { get; internal set; }

        /// <summary>The request's number, the same on all its steps (and the id !confirm takes).</summary>
        public int Request { get; }

        public string Sender { get; }

        public string? Account { get; }

        /// <summary>Null for a private message.</summary>
        public string? Room { get; }

        public string? Command { get; }

        public string Line { get; }

        /// <summary>Finished, Failed, TimedOut: how long it ran.</summary>
        public TimeSpan? Duration { get; internal set; }

        /// <summary>Why it was denied or failed.</summary>
        public string? Reason { get; internal set; }

        public override string ToString() => $"{Kind} #{Request} {Sender}: {Line}" + (Reason == null ? string.Empty : " (" + Reason + ")");
    }
}
