using System;
using System.Collections.Generic;

namespace PSChat.Commands.Bots
{
    /// <summary>Start-ChatBot's settings, fixed for the bot's life.</summary>
    internal sealed class ChatBotOptions
    {
        public string Prefix { get; set; } = "!";

        public int ThrottleLimit { get; set; } = 4;

        public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

        public int Width { get; set; } = 100;

        public int MaxReplyLines { get; set; } = 10;

        /// <summary>Per sender (account, else nick); 0: no limit.</summary>
        public int CommandsPerMinute { get; set; } = 20;

        public bool Warnings { get; set; } = true;

        public bool Information { get; set; } = true;

        public bool Verbose { get; set; }

        /// <summary>How deep an answer to Invoke-ChatRequest serializes its objects.</summary>
        public int Depth { get; set; } = 2;

        /// <summary>Run once in each of the bot's runspaces before its first command.</summary>
        public string? InitializationScript { get; set; }

        /// <summary>How long a request waits for !confirm.</summary>
        public TimeSpan ConfirmTimeout { get; set; } = TimeSpan.FromMinutes(2);

        /// <summary>Permissions by command name or wildcard pattern; the first matching pattern wins after an exact name.</summary>
        public IDictionary<string, ChatBotPermission> Permissions { get; set; } = new Dictionary<string, ChatBotPermission>(StringComparer.OrdinalIgnoreCase);

        /// <summary>
        /// Commands one sender may have queued or running at once: half the runspaces, so no one sender holds them
        /// all; no cap with CommandsPerMinute 0 (no per-sender limits: a bot for trusted scripts).
        /// </summary>
        public int MaxPerSender => CommandsPerMinute == 0 ? int.MaxValue : Math.Max(1, ThrottleLimit / 2);

        /// <summary>Command lines that may wait for the bot at once (queued and running); more are answered "busy".</summary>
        public int MaxPending => ThrottleLimit * 8;

        /// <summary>Lines heard but not yet looked at; the bot's own queue, so a flood costs the I/O thread nothing.</summary>
        public const int InboxCapacity = 256;

        /// <summary>Requests waiting for !confirm at once.</summary>
        public const int MaxConfirmations = 32;
    }
}
