using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using PSChat.Engine.Client;
using PSChat.Engine.Irc;

namespace PSChat
{
    /// <summary>A room's history read through the session, on servers that offer IRCv3 draft/chathistory.</summary>
    public sealed partial class ChatSession
    {
        /// <summary>How long one history request may wait for the server's answer.</summary>
        public static readonly TimeSpan HistoryTimeout = TimeSpan.FromSeconds(30);

        /// <summary>Whether the server offered (and the session took) IRCv3 draft/chathistory.</summary>
        public bool CanReadHistory => protocol is IrcClientProtocol irc && irc.HasChatHistory;

        /// <summary>
        /// The messages of <paramref name="room"/> sent from <paramref name="since"/> up to <paramref name="until"/>,
        /// the newest <paramref name="count"/>, oldest first: CHATHISTORY requests of at most the server's limit
        /// each, going back page by page. Throws <see cref="NotSupportedException"/> when the server offers no
        /// chathistory, <see cref="ChatProtocolException"/> when it refuses (not a member of the room),
        /// <see cref="TimeoutException"/> when an answer takes longer than <see cref="HistoryTimeout"/>.
        /// </summary>
        public async Task<IReadOnlyList<ChatMessage>> GetHistoryAsync(string room, DateTime since, DateTime until, int count, CancellationToken cancel)
        {
            ClientNames.CheckRoom(room, nameof(room));
            EnsureOpen();
            if (!(protocol is IrcClientProtocol irc)) throw new NotSupportedException($"The {Protocol} protocol keeps no history; connect with -Protocol Irc to a server that offers IRCv3 draft/chathistory.");
            if (!irc.HasChatHistory) throw new NotSupportedException($"The server {ServerName ?? ComputerName} does not offer IRCv3 draft/chathistory (CAP LS), so this session cannot read its history.");
            var result = new List<ChatMessage>();
            string? before = until >= DateTime.MaxValue.AddDays(-1) ? null : "timestamp=" + IrcEventEncoder.FormatTime(until);
            while (result.Count < count)
            {
                int ask = Math.Min(irc.HistoryLimit, count - result.Count);
                var page = await Wait(irc, irc.RequestHistory(room, before, ask), cancel).ConfigureAwait(false);
                var kept = page.FindAll(m => m.Time.ToUniversalTime() >= since.ToUniversalTime());
                result.InsertRange(0, kept);
                if (page.Count < ask || kept.Count < page.Count || page[0].MessageId == null) break;
                before = "msgid=" + page[0].MessageId;
            }

            if (result.Count > count) result.RemoveRange(0, result.Count - count);
            return result;
        }

        private static async Task<List<ChatMessage>> Wait(IrcClientProtocol irc, Task<List<ChatMessage>> request, CancellationToken cancel)
        {
            using (var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel))
            {
                var first = await Task.WhenAny(request, Task.Delay(HistoryTimeout, stop.Token)).ConfigureAwait(false);
                stop.Cancel();
                if (first != request)
                {
                    irc.AbandonHistory(cancel.IsCancellationRequested ? "cancelled" : "timed out");
                    cancel.ThrowIfCancellationRequested();
                    throw new TimeoutException($"The server did not answer a history request within {HistoryTimeout.TotalSeconds} s.");
                }
            }

            return await request.ConfigureAwait(false);
        }
    }
}
