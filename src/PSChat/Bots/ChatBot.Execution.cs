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

        // Commands queued or running per sender, and the senders told they are at the cap (once until one ends).
        private readonly Dictionary<string, int> runningBySender = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        private readonly HashSet<string> toldAtCap = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

        private void Launch(BotRequest request)
        {
            if (!TakeSlot(request)) return;
            if (Interlocked.Increment(ref pending) > options.MaxPending)
            {
                Interlocked.Decrement(ref pending);
                ReturnSlot(request);
                request.PowerShell!.Dispose();
                Deny(request, $"I am busy ({options.MaxPending} commands waiting or running); try again in a moment.", ErrorCategory.ResourceBusy);
                return;
            }

            _ = RunAsync(request);
        }

        /// <summary>
        /// At most <see cref="ChatBotOptions.MaxPerSender"/> commands per sender at once, so that no one sender
        /// (slow commands within -CommandsPerMinute) holds every runspace: the sender is told once, and the
        /// lines after that are dropped in silence until one of theirs ends.
        /// </summary>
        private bool TakeSlot(BotRequest request)
        {
            bool tell;
            int running;
            lock (runningBySender)
            {
                runningBySender.TryGetValue(request.SenderKey, out running);
                if (running < options.MaxPerSender)
                {
                    runningBySender[request.SenderKey] = running + 1;
                    return true;
                }

                tell = toldAtCap.Add(request.SenderKey);
            }

            request.PowerShell!.Dispose();
            var activity = request.Activity(ChatBotActivityKind.Denied);
            activity.Reason = "at most " + options.MaxPerSender + " commands at once per sender";
            if (tell) Refuse(request, $"{request.Message.Sender}, you have {running} commands running; say it again when one has finished.", ErrorCategory.LimitsExceeded);
            Raise(activity);
            return false;
        }

        private void ReturnSlot(BotRequest request)
        {
            lock (runningBySender)
            {
                toldAtCap.Remove(request.SenderKey);
                if (!runningBySender.TryGetValue(request.SenderKey, out int running)) return;
                if (running <= 1) runningBySender.Remove(request.SenderKey);
                else runningBySender[request.SenderKey] = running - 1;
            }
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
                ReturnSlot(request);
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
            var objects = output.Where(o => o != null).ToArray();
            var streamLines = StreamLines(powershell.Streams).ToList();
            var duration = clock.Elapsed;

            // What ended the run early, as the one line its caller reads; null when it ran to the end.
            string? ending = null;
            var endingCategory = ErrorCategory.NotSpecified;
            ChatBotActivity activity;
            if (Volatile.Read(ref expired) == 1)
            {
                ending = $"{command.Name} did not finish within {TimeoutSec} s and was stopped.";
                endingCategory = ErrorCategory.OperationTimeout;
                activity = request.Activity(ChatBotActivityKind.TimedOut);
            }
            else if (failure is ParameterBindingException binding)
            {
                Fail(request, OneLine(binding.Message) + " " + Usage(command), duration, ErrorCategory.InvalidArgument);
                return;
            }
            else if (failure != null)
            {
                string error = OneLine(failure is RuntimeException runtime ? runtime.ErrorRecord.ToString() : failure.Message);
                ending = "error: " + error;
                endingCategory = failure is RuntimeException failed && Enum.IsDefined(typeof(ErrorCategory), failed.ErrorRecord.CategoryInfo.Category)
                    ? failed.ErrorRecord.CategoryInfo.Category
                    : ErrorCategory.NotSpecified;
                activity = request.Activity(ChatBotActivityKind.Failed);
                activity.Reason = error;
            }
            else
            {
                activity = request.Activity(ChatBotActivityKind.Finished);
                activity.Reason = request.ConfirmedBy == null ? null : "confirmed by " + request.ConfirmedBy;
            }

            activity.Duration = duration;
            if (request.IsRequest)
            {
                // A PSChat caller (Invoke-ChatRequest) gets the objects themselves, and the room one summary line;
                // a run that failed or timed out is an error to the caller.
                if (ending != null)
                {
                    AnswerError(request, ending, endingCategory);
                    Raise(activity);
                    return;
                }

                string summary = ChatBotSummary.Of(command.Name, objects, streamLines);
                byte[]? payload = null;
                if (objects.Length > 0)
                {
                    try
                    {
                        payload = await SerializeAsync(objects.Length == 1 ? objects[0] : (object)objects).ConfigureAwait(false);
                    }
                    catch (Exception e) when (!(e is OutOfMemoryException))
                    {
                        summary = "error: the output could not be sent as objects: " + OneLine(e.Message);
                    }
                }

                Answer(request, summary, payload);
            }
            else
            {
                var lines = await FormatAsync(objects).ConfigureAwait(false);
                lines.AddRange(streamLines);
                if (ending != null) lines.Add(ending);
                else if (lines.Count == 0) lines.Add($"{command.Name}: done (no output).");
                Reply(request, lines);
            }

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
        private async Task<List<string>> FormatAsync(PSObject[] objects)
        {
            if (objects.All(ChatBotSummary.IsText))
            {
                return ChatBotSummary.TextLines(objects);
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
            if (request.IsRequest)
            {
                // A caller that waits for one answer gets every line at once (no !more).
                Send(request, lines);
                return;
            }

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
            if (request.IsRequest)
            {
                // One answer: its first line, and every line as strings for the caller.
                Answer(request, ChatBotSummary.OfLines(lines), lines.Count > 1 ? CliXmlCodec.Instance.Serialize(lines.ToArray(), 1) : null);
                return;
            }

            var message = request.Message;
            bool privately = message.Kind == ChatMessageKind.Private;
            try
            {
                // One reply's lines together: the session's pacer keeps their order, the gate keeps replies apart.
                lock (replyGate)
                {
                    SessionOf(message).Send(string.Join("\n", lines), privately ? null : message.Room, privately ? message.Sender : null);
                }
            }
            catch (InvalidOperationException e)
            {
                ReplyLost(request, e);
            }
        }

        /// <summary>
        /// A command's output as a payload (CliXml, to -Depth). Here when its properties are plain data; in one of
        /// the bot's runspaces when reading them needs one (script properties).
        /// </summary>
        private async Task<byte[]> SerializeAsync(object value)
        {
            try
            {
                return CliXmlCodec.Instance.Serialize(value, options.Depth);
            }
            catch (Exception e) when (!(e is OutOfMemoryException))
            {
                using (var serializer = PowerShell.Create())
                {
                    serializer.RunspacePool = pool;
                    serializer.AddScript("param($Value, $Depth) [System.Management.Automation.PSSerializer]::Serialize($Value, $Depth)", false)
                        .AddArgument(value).AddArgument(options.Depth);
                    var result = await Task.Factory.FromAsync(serializer.BeginInvoke(), serializer.EndInvoke).ConfigureAwait(false);
                    return System.Text.Encoding.UTF8.GetBytes(result.Count == 1 ? result[0]?.ToString() ?? string.Empty : string.Empty);
                }
            }
        }

        /// <summary>A refusal or failure in one line: to a request (Invoke-ChatRequest) an error of <paramref name="category"/>, to a person a line.</summary>
        private void Refuse(BotRequest request, string line, ErrorCategory category)
        {
            if (request.IsRequest) AnswerError(request, line, category);
            else Reply(request, new[] { line });
        }

        /// <summary>The answer to a request that failed: its caller's Invoke-ChatRequest writes an error of <paramref name="category"/>; the room reads <paramref name="line"/>.</summary>
        private void AnswerError(BotRequest request, string line, ErrorCategory category)
        {
            var message = request.Message;
            try
            {
                lock (replyGate) SessionOf(message).SendErrorReply(line, category.ToString(), message.ReplyRoom, message.ReplyTarget, message.RequestId!);
            }
            catch (Exception e) when (e is InvalidOperationException || e is ArgumentException || e is TimeoutException)
            {
                ReplyLost(request, e);
            }
        }

        /// <summary>
        /// The answer to a request (Invoke-ChatRequest): one envelope that carries the request's id back, with
        /// <paramref name="payload"/> (the output: one object, or an array of them) as its object and
        /// <paramref name="summary"/> as the one line people in the room read.
        /// </summary>
        private void Answer(BotRequest request, string summary, byte[]? payload)
        {
            var message = request.Message;
            var session = SessionOf(message);
            try
            {
                lock (replyGate)
                {
                    try
                    {
                        session.SendEnvelope(summary, payload, message.ReplyRoom, message.ReplyTarget, request: false, inReplyTo: message.RequestId);
                    }
                    catch (ChatPayloadException e)
                    {
                        // Too large to send: the caller still gets an answer, an error with the reason in one line.
                        session.SendErrorReply("error: " + OneLine(e.Message), nameof(ErrorCategory.LimitsExceeded), message.ReplyRoom, message.ReplyTarget, message.RequestId!);
                    }
                }
            }
            catch (Exception e) when (e is InvalidOperationException || e is ArgumentException || e is TimeoutException)
            {
                ReplyLost(request, e);
            }
        }

        private void ReplyLost(BotRequest request, Exception e)
        {
            var activity = request.Activity(ChatBotActivityKind.Failed);
            activity.Reason = "reply lost: " + e.Message;
            Raise(activity);
        }

        internal static string OneLine(string text)
        {
            var first = SplitLines(text).FirstOrDefault(l => l.Trim().Length > 0) ?? string.Empty;
            return first.Trim();
        }

        internal static IEnumerable<string> SplitLines(string text) => text.Replace("\r\n", "\n").Split('\n');

        /// <summary>Out-String's blank lines before and after a table are not worth a chat line each.</summary>
        internal static IEnumerable<string> Trim(IEnumerable<string> lines)
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

        /// <summary>
        /// Whom throttling, !more and four-eyes confirmation count: the account when there is one, else the
        /// nick, on the session (the server) it came through.
        /// </summary>
        public string SenderKey => Message.SessionId.ToString(System.Globalization.CultureInfo.InvariantCulture) + "/" + (Message.Account ?? Message.Sender ?? string.Empty);

        /// <summary>Sent with Invoke-ChatRequest: answered with one envelope that carries the output objects.</summary>
        public bool IsRequest => Message.RequestId != null;

        public ChatBotCommand? Command { get; set; }

        public PowerShell? PowerShell { get; set; }

        public DateTime Expires { get; set; }

        public string? ConfirmedBy { get; set; }

        public ChatBotActivity Activity(ChatBotActivityKind kind) => new ChatBotActivity(kind, 0, Id, Message, Command?.Name ?? Name);
    }
}
