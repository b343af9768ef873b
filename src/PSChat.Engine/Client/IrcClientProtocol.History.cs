using System;
using System.Collections.Generic;
using System.Globalization;
using System.Threading.Tasks;
using PSChat.Engine.Irc;

namespace PSChat.Engine.Client
{
    /// <summary>
    /// IRCv3 <c>draft/chathistory</c> from the client side: one request at a time, its <c>chathistory</c>
    /// batch collected as <see cref="ChatMessage"/>s (not put in the receive buffer), a FAIL as an error.
    /// </summary>
    internal sealed partial class IrcClientProtocol
    {
        private const string ChatHistoryCapability = "draft/chathistory";

        private readonly object historyGate = new object();
        private HistoryRequest? history;

        /// <summary>Whether the server agreed to chathistory (and batch, which carries it).</summary>
        public bool HasChatHistory
        {
            get
            {
                lock (EnabledCapabilities) return EnabledCapabilities.Contains(ChatHistoryCapability) && EnabledCapabilities.Contains("batch");
            }
        }

        /// <summary>The most messages one request returns (ISUPPORT CHATHISTORY), 100 when the server does not say.</summary>
        public int HistoryLimit =>
            Support.Tokens.TryGetValue("CHATHISTORY", out string? value) && int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n > 0 ? n : 100;

        /// <summary>
        /// Sends <c>CHATHISTORY BEFORE room &lt;reference&gt; limit</c> (LATEST when <paramref name="before"/> is null: the newest);
        /// completes with the messages of the reply, oldest first.
        /// </summary>
        public Task<List<ChatMessage>> RequestHistory(string room, string? before, int limit)
        {
            var request = new HistoryRequest(NormaliseRoom(room));
            lock (historyGate)
            {
                if (history != null) throw new InvalidOperationException("Another history request of this session is still waiting for its answer.");
                history = request;
            }

            string count = limit.ToString(CultureInfo.InvariantCulture);
            Send(before == null
                ? new IrcMessage("CHATHISTORY", "LATEST", request.Room, "*", count)
                : new IrcMessage("CHATHISTORY", "BEFORE", request.Room, before, count));
            return request.Done.Task;
        }

        /// <summary>Takes the lines of a history reply (its BATCH frame, its messages, a FAIL); false for any other line.</summary>
        private bool OnHistoryLine(IrcMessage message, string line)
        {
            HistoryRequest? request;
            lock (historyGate) request = history;
            if (request == null) return false;
            if (message.Command == "BATCH" && message[0] is string reference && reference.Length > 1)
            {
                if (reference[0] == '+' && message[1] == "chathistory" && Support.SameName(message[2], request.Room) && request.Batch == null)
                {
                    request.Batch = reference.Substring(1);
                    return true;
                }

                if (reference[0] == '-' && reference.Substring(1) == request.Batch)
                {
                    Finish(request, null);
                    return true;
                }

                return false;
            }

            if (message.Command == "FAIL" && message[0] == "CHATHISTORY")
            {
                Finish(request, new ChatProtocolException($"The server refused the history of {request.Room}: {message[1]} {message[message.Parameters.Count - 1]}"));
                return true;
            }

            if (request.Batch == null || !message.Tags.TryGetValue("batch", out string? batch) || batch != request.Batch) return false;
            if (message.Command == "PRIVMSG" || message.Command == "NOTICE")
            {
                var kind = message.Command == "NOTICE" ? ChatMessageKind.Notice : ChatMessageKind.Message;
                request.Messages.Add(new ChatMessage(kind, message[0], message.SourceNick, message[1] ?? string.Empty, TimeOf(message), Session.Id)
                {
                    Raw = line,
                    MessageId = message.Tags.TryGetValue("msgid", out string? id) ? id : null,
                });
            }

            return true;
        }

        /// <summary>Ends the waiting request; the connection closing ends it with an error.</summary>
        private void Finish(HistoryRequest request, Exception? error)
        {
            lock (historyGate)
            {
                if (!ReferenceEquals(history, request)) return;
                history = null;
            }

            if (error != null) request.Done.TrySetException(error);
            else request.Done.TrySetResult(request.Messages);
        }

        /// <summary>Fails a request still waiting when the session closes.</summary>
        internal void AbandonHistory(string reason)
        {
            HistoryRequest? request;
            lock (historyGate) request = history;
            if (request != null) Finish(request, new ChatProtocolException("The session closed before the history arrived: " + reason));
        }

        private static DateTime TimeOf(IrcMessage message) =>
            message.Tags.TryGetValue("time", out string? stamp) && stamp != null &&
            DateTime.TryParse(stamp, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var parsed)
                ? parsed.ToLocalTime()
                : DateTime.Now;

        private sealed class HistoryRequest
        {
            public HistoryRequest(string room) => Room = room;

            public string Room { get; }

            public string? Batch { get; set; }

            public List<ChatMessage> Messages { get; } = new List<ChatMessage>();

            public TaskCompletionSource<List<ChatMessage>> Done { get; } = new TaskCompletionSource<List<ChatMessage>>(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }
}
