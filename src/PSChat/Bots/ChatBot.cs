using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Threading;
using System.Threading.Tasks;

namespace PSChat.Commands.Bots
{
    public enum ChatBotState
    {
        Running,
        Stopped,
    }

    /// <summary>
    /// A bot on a chat session: command lines that start with its prefix run PowerShell commands in the
    /// bot's runspace pool, and their output is the reply. The session's I/O thread only queues a line;
    /// one dispatcher thread parses, checks and answers built-ins; commands run asynchronously in the pool,
    /// so a slow command holds neither the dispatcher nor the session (which answers PINGs itself).
    /// </summary>
    public sealed partial class ChatBot : IDisposable
    {
        private static int lastId;
        private readonly ChatBotOptions options;
        private readonly Dictionary<string, ChatBotCommand> commands;
        private readonly RunspacePool pool;
        private readonly BlockingCollection<ChatMessage> inbox = new BlockingCollection<ChatMessage>(ChatBotOptions.InboxCapacity);
        private readonly CancellationTokenSource stopping = new CancellationTokenSource();
        private readonly TaskCompletionSource<bool> stopped = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly SemaphoreSlim slots;
        private readonly Thread dispatcher;
        private readonly string? initScript;
        private int lastRequest;
        private int pending;
        private int state;
        private long received;
        private long finished;
        private long denied;
        private long failed;
        private long timedOut;
        private long linesDropped;

        internal ChatBot(IReadOnlyList<ChatSession> sessions, ChatBotOptions options, IEnumerable<ChatBotCommand> commands, RunspacePool pool)
        {
            Id = Interlocked.Increment(ref lastId);
            Sessions = sessions.ToArray();
            this.options = options;
            this.commands = commands.ToDictionary(c => c.Name, StringComparer.OrdinalIgnoreCase);
            this.pool = pool;
            slots = new SemaphoreSlim(options.ThrottleLimit, options.ThrottleLimit);
            initScript = options.InitializationScript == null ? null :
                "if (-not $global:__PSChatBotReady) { $global:__PSChatBotReady = $true; $null = . {\n" + options.InitializationScript + "\n} }";
            dispatcher = new Thread(Dispatch) { IsBackground = true, Name = $"PSChat bot {Id}" };
        }

        public int Id { get; }

        /// <summary>The bot's nick: its (first) session's name.</summary>
        public string? Name => Session.Name;

        /// <summary>The session the bot listens and answers on; its first, when it has several.</summary>
        public ChatSession Session => Sessions[0];

        /// <summary>Every session the bot serves (one per server: a PSChat room and an ngircd channel, say).</summary>
        public ChatSession[] Sessions { get; }

        public string Prefix => options.Prefix;

        public ChatBotCommand[] Commands => commands.Values.OrderBy(c => c.Name, StringComparer.OrdinalIgnoreCase).ToArray();

        public ChatBotState State => (ChatBotState)Volatile.Read(ref state);

        public DateTime StartTime { get; } = DateTime.Now;

        public string? StopReason { get; private set; }

        public int ThrottleLimit => options.ThrottleLimit;

        public int TimeoutSec => (int)options.Timeout.TotalSeconds;

        public int CommandsPerMinute => options.CommandsPerMinute;

        /// <summary>Command lines heard.</summary>
        public long Received => Interlocked.Read(ref received);

        public long Finished => Interlocked.Read(ref finished);

        public long Denied => Interlocked.Read(ref denied);

        public long Failed => Interlocked.Read(ref failed);

        public long TimedOut => Interlocked.Read(ref timedOut);

        /// <summary>Command lines dropped unread because more than the bot's queue (256) arrived at once.</summary>
        public long LinesDropped => Interlocked.Read(ref linesDropped);

        /// <summary>Commands queued or running now.</summary>
        public int Running => Volatile.Read(ref pending);

        /// <summary>Every step of every request, raised on the bot's threads (Register-ObjectEvent -EventName Activity).</summary>
        public event EventHandler<ChatBotActivity>? Activity;

        /// <summary>Completes when the bot has stopped.</summary>
        public Task Completion => stopped.Task;

        internal CancellationToken Stopping => stopping.Token;

        internal void Start()
        {
            foreach (var session in Sessions)
            {
                session.MessageReceived += OnMessage;
                session.Closed += OnSessionClosed;
            }

            dispatcher.Start();
            OnSessionClosed(null, EventArgs.Empty);
        }

        /// <summary>Stops listening, stops running commands and closes the runspaces; the session stays open.</summary>
        public void Stop() => Stop("stopped");

        public void Dispose() => Stop("disposed");

        public override string ToString() => $"bot #{Id} {Name} ({State}, {commands.Count} commands)";

        internal void Stop(string reason)
        {
            if (Interlocked.Exchange(ref state, (int)ChatBotState.Stopped) == (int)ChatBotState.Stopped) return;
            StopReason = reason;
            foreach (var session in Sessions)
            {
                session.MessageReceived -= OnMessage;
                session.Closed -= OnSessionClosed;
            }

            stopping.Cancel();
            inbox.CompleteAdding();
            try
            {
                pool.Dispose();
            }
            catch (Exception)
            {
                // A runspace that fails to close must not keep the bot from stopping.
            }

            stopped.TrySetResult(true);
        }

        /// <summary>The bot stops when it has no open session left to serve.</summary>
        private void OnSessionClosed(object? sender, EventArgs e)
        {
            if (Sessions.All(s => s.State == SessionState.Closed)) Stop(Sessions.Length == 1 ? "its session closed" : "its sessions closed");
        }

        /// <summary>Where a reply to <paramref name="message"/> goes out: the session it came through.</summary>
        private ChatSession SessionOf(ChatMessage message) => message.Session ?? Session;

        /// <summary>On the session's I/O thread: a cheap look, and a queue.</summary>
        private void OnMessage(object? sender, ChatMessageEventArgs e)
        {
            var message = e.Message;
            if (message.Kind != ChatMessageKind.Message && message.Kind != ChatMessageKind.Private) return;
            if (string.IsNullOrEmpty(message.Sender) || string.Equals(message.Sender, SessionOf(message).Name, StringComparison.OrdinalIgnoreCase)) return;
            if (!message.Text.StartsWith(options.Prefix, StringComparison.Ordinal)) return;
            try
            {
                if (!inbox.TryAdd(message)) Interlocked.Increment(ref linesDropped);
            }
            catch (InvalidOperationException)
            {
                // Stopped.
            }
        }

        private void Dispatch()
        {
            try
            {
                foreach (var message in inbox.GetConsumingEnumerable(stopping.Token))
                {
                    try
                    {
                        Handle(message);
                    }
                    catch (Exception e) when (!(e is OperationCanceledException))
                    {
                        // One bad line must not end the bot: it is reported and the next one read.
                        Raise(new ChatBotActivity(ChatBotActivityKind.Failed, Id, 0, message, null) { Reason = e.Message });
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
        }

        private void Raise(ChatBotActivity activity)
        {
            activity.BotId = Id;
            switch (activity.Kind)
            {
                case ChatBotActivityKind.Received: Interlocked.Increment(ref received); break;
                case ChatBotActivityKind.Denied: Interlocked.Increment(ref denied); break;
                case ChatBotActivityKind.Finished: Interlocked.Increment(ref finished); break;
                case ChatBotActivityKind.Failed: Interlocked.Increment(ref failed); break;
                case ChatBotActivityKind.TimedOut: Interlocked.Increment(ref timedOut); break;
            }

            try
            {
                Activity?.Invoke(this, activity);
            }
            catch (Exception)
            {
                // A subscriber's failure must never stop the bot.
            }
        }
    }
}
