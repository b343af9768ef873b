using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;

namespace PSChat.Commands.Bots
{
    /// <summary>The pool's side: running a command with a deadline, and turning what it wrote into chat lines.</summary>
    public sealed partial class ChatBot
    {
        private readonly object replyGate = new object();

        // Lines beyond -MaxReplyLines, per sender, for !more; replaced by the sender's next long reply.
        private readonly Dictionary<string, Queue<string>> moreLines = new Dictionary<string, Queue<string>>(StringComparer.OrdinalIgnoreCase);

        private void Launch(BotRequest request)
        {
            if (Interlocked.Increment(ref pending) > options.MaxPending)
            {
                Interlocked.Decrement(ref pending);
                request.PowerShell!.Dispose();
                Deny(request, $"I am busy ({options.MaxPending} commands waiting or running); try again in a moment.");
                return;
            }

            _ = RunAsync(request);
        }

        private async Task RunAsync(BotRequest request)
        {
            var powershell = request.PowerShell!;
            var clock = Stopwatch.StartNew();
            try
            {
                await slots.WaitAsync(stopping.Token).ConfigureAwait(false);
                try
                {
                    Raise(request.Activity(ChatBotActivityKind.Started));
                    clock.Restart();
                    await RunCommandAsync(request, powershell, clock).ConfigureAwait(false);
                }
                finally
                {
                    slots.Release();
                }
            }
            catch (OperationCanceledException)
            {
                // The bot stopped while the command waited for a runspace.
            }
            catch (Exception e)
            {
                // Whatever went wrong (a closed pool, a failed reply) is reported, never thrown into the thread pool.
                var activity = request.Activity(ChatBotActivityKind.Failed);
                activity.Reason = e.Message;
                activity.Duration = clock.Elapsed;
                Raise(activity);
            }
            finally
            {
                Interlocked.Decrement(ref pending);
                powershell.Dispose();
            }
        }

        private async Task RunCommandAsync(BotRequest request, PowerShell powershell, Stopwatch clock)
        {
            var command = request.Command!;
            var output = new PSDataCollection<PSObject>();
            int expired = 0;
            Exception? failure = null;
            using (new Timer(_ => { if (Interlocked.Exchange(ref expired, 1) == 0) StopQuietly(powershell); }, null, options.Timeout, Timeout.InfiniteTimeSpan))
            using (stopping.Token.Register(() => StopQuietly(powershell)))
            {
                try
                {
                    // A thread of its own for the run: PowerShell's BeginInvoke never completes a pool invocation
                    // of two statements (the -InitializationScript guard, then the command).
                    await Task.Factory.StartNew(() => powershell.Invoke<PSObject, PSObject>(null, output, null), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).ConfigureAwait(false);
                }
                catch (Exception e)
                {
                    failure = e;
                }
            }

            if (stopping.IsCancellationRequested) return;
            var lines = await FormatAsync(output).ConfigureAwait(false);
            lines.AddRange(StreamLines(powershell.Streams));
            var duration = clock.Elapsed;
            ChatBotActivity activity;
            if (Volatile.Read(ref expired) == 1)
            {
                lines.Add($"{command.Name} did not finish within {TimeoutSec} s and was stopped.");
                activity = request.Activity(ChatBotActivityKind.TimedOut);
            }
            else if (failure is ParameterBindingException binding)
            {
                Fail(request, OneLine(binding.Message) + " " + Usage(command), duration);
                return;
            }
            else if (failure != null)
            {
                string error = OneLine(failure is RuntimeException runtime ? runtime.ErrorRecord.ToString() : failure.Message);
                lines.Add("error: " + error);
                activity = request.Activity(ChatBotActivityKind.Failed);
                activity.Reason = error;
            }
            else
            {
                if (lines.Count == 0) lines.Add($"{command.Name}: done (no output).");
                activity = request.Activity(ChatBotActivityKind.Finished);
                activity.Reason = request.ConfirmedBy == null ? null : "confirmed by " + request.ConfirmedBy;
            }

            activity.Duration = duration;
            Reply(request, lines);
            Raise(activity);
        }

        private static void StopQuietly(PowerShell powershell)
        {
            try
            {
                powershell.BeginStop(null, null);
            }
            catch (Exception)
            {
                // Already finished or disposed.
            }
        }

        /// <summary>Strings and numbers as they are; anything else through Out-String -Width in one of the bot's runspaces.</summary>
        private async Task<List<string>> FormatAsync(PSDataCollection<PSObject> output)
        {
            var objects = output.Where(o => o != null).ToArray();
            if (objects.All(o => o.BaseObject is string || o.BaseObject.GetType().IsPrimitive))
            {
                return Trim(objects.SelectMany(o => SplitLines(o.BaseObject.ToString() ?? string.Empty))).ToList();
            }

            using (var formatter = PowerShell.Create())
            {
                formatter.RunspacePool = pool;
                formatter.AddCommand("Out-String").AddParameter("Stream").AddParameter("Width", options.Width);
                var input = new PSDataCollection<PSObject>(objects);
                input.Complete();
                var result = await Task.Factory.FromAsync(formatter.BeginInvoke(input), formatter.EndInvoke).ConfigureAwait(false);
                return Trim(result.Select(o => o?.ToString() ?? string.Empty)).ToList();
            }
        }

        /// <summary>Errors one line each; warnings, information (Write-Host) and verbose as Start-ChatBot -Stream asks.</summary>
        private IEnumerable<string> StreamLines(PSDataStreams streams)
        {
            if (options.Information)
            {
                foreach (var record in streams.Information) yield return OneLine(record.MessageData?.ToString() ?? string.Empty);
            }

            if (options.Verbose)
            {
                foreach (var record in streams.Verbose) yield return "verbose: " + OneLine(record.Message);
            }

            if (options.Warnings)
            {
                foreach (var record in streams.Warning) yield return "warning: " + OneLine(record.Message);
            }

            foreach (var record in streams.Error) yield return "error: " + OneLine(record.ToString());
        }

        /// <summary>
        /// The one way out for a reply: at most -MaxReplyLines lines, the rest kept for the sender's !more.
        /// Replies go where the line came from: the room, or privately to the sender.
        /// </summary>
        private void Reply(BotRequest request, IReadOnlyList<string> lines)
        {
            var shown = lines.Take(options.MaxReplyLines).ToList();
            int rest = lines.Count - shown.Count;
            lock (moreLines)
            {
                if (rest > 0)
                {
                    if (moreLines.Count > 1000) moreLines.Clear();
                    moreLines[request.SenderKey] = new Queue<string>(lines.Skip(shown.Count));
                    shown.Add($"({rest} more lines: say {options.Prefix}more)");
                }
            }

            Send(request, shown);
        }

        private List<string> TakeMore(string senderKey)
        {
            var lines = new List<string>();
            lock (moreLines)
            {
                if (!moreLines.TryGetValue(senderKey, out var queue)) return lines;
                while (queue.Count > 0 && lines.Count < options.MaxReplyLines) lines.Add(queue.Dequeue());
                if (queue.Count > 0) lines.Add($"({queue.Count} more lines: say {options.Prefix}more)");
                else moreLines.Remove(senderKey);
            }

            return lines;
        }

        private void Send(BotRequest request, IReadOnlyList<string> lines)
        {
            var message = request.Message;
            bool privately = message.Kind == ChatMessageKind.Private;
            try
            {
                // One reply's lines together: the session's pacer keeps their order, the gate keeps replies apart.
                lock (replyGate)
                {
                    Session.Send(string.Join("\n", lines), privately ? null : message.Room, privately ? message.Sender : null);
                }
            }
            catch (InvalidOperationException e)
            {
                var activity = request.Activity(ChatBotActivityKind.Failed);
                activity.Reason = "reply lost: " + e.Message;
                Raise(activity);
            }
        }

        private static string OneLine(string text)
        {
            var first = SplitLines(text).FirstOrDefault(l => l.Trim().Length > 0) ?? string.Empty;
            return first.Trim();
        }

        private static IEnumerable<string> SplitLines(string text) => text.Replace("\r\n", "\n").Split('\n');

        /// <summary>Out-String's blank lines before and after a table are not worth a chat line each.</summary>
        private static IEnumerable<string> Trim(IEnumerable<string> lines)
        {
            var list = lines.Select(l => l.TrimEnd()).ToList();
            while (list.Count > 0 && list[0].Length == 0) list.RemoveAt(0);
            while (list.Count > 0 && list[list.Count - 1].Length == 0) list.RemoveAt(list.Count - 1);
            return list;
        }
    }

    /// <summary>One command line from one sender, through its steps.</summary>
    internal sealed class BotRequest
    {
        public BotRequest(int id, ChatMessage message, string name)
        {
            Id = id;
            Message = message;
            Name = name;
        }

        public int Id { get; }

        public ChatMessage Message { get; }

        public string Name { get; }

        /// <summary>Whom throttling, !more and four-eyes confirmation count: the account when there is one.</summary>
        public string SenderKey => Message.Account ?? Message.Sender ?? string.Empty;

        public ChatBotCommand? Command { get; set; }

        public PowerShell? PowerShell { get; set; }

        public DateTime Expires { get; set; }

        public string? ConfirmedBy { get; set; }

        public ChatBotActivity Activity(ChatBotActivityKind kind) => new ChatBotActivity(kind, 0, Id, Message, Command?.Name ?? Name);
    }
}
