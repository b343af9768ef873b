using System;

namespace PSChat
{
    /// <summary>What the server answered to a command a session sent and waited on.</summary>
    public sealed class ChatCommandResult
    {
        internal ChatCommandResult(ChatMessage[] replies, ChatCommandRefusedException[] refusals)
        {
            Replies = replies;
            Refusals = refusals;
        }

        /// <summary>The server's replies to a raw line (numerics, and its echo of what we did), in order.</summary>
        public ChatMessage[] Replies { get; }

        /// <summary>The error numerics the server answered a raw line with.</summary>
        public ChatCommandRefusedException[] Refusals { get; }
    }

    /// <summary>The server refused a command with an error numeric (e.g. 482: not a channel operator).</summary>
    public sealed class ChatCommandRefusedException : InvalidOperationException
    {
        public ChatCommandRefusedException(string command, string numeric, string? subject, string serverText)
            : base($"The server refused '{command}': {numeric} {(subject != null ? subject + ": " : string.Empty)}{serverText}")
        {
            Command = command;
            Numeric = numeric;
            Subject = subject;
            ServerText = serverText;
        }

        /// <summary>The command line that was refused.</summary>
        public string Command { get; }

        /// <summary>The three-digit error numeric, e.g. 403 (no such channel) or 482 (not a channel operator).</summary>
        public string Numeric { get; }

        /// <summary>What the numeric names (a room, a nick, a command), where it names one.</summary>
        public string? Subject { get; }

        /// <summary>The server's own words.</summary>
        public string ServerText { get; }
    }
}
