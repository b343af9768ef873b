using System;
using System.Collections.Generic;
using System.Globalization;
using PSChat.Engine.History;
using PSChat.Engine.Rooms;
using PSChat.Engine.Transport;

namespace PSChat.Engine.Irc
{
    /// <summary>
    /// IRCv3 <c>draft/chathistory</c>: a channel's messages given again, in a <c>chathistory</c> batch.
    /// Only members read a channel's history. One request sends at most MaxHistoryLines messages, and
    /// stops (the batch properly closed) before the requester's send queue would fill, as LIST does.
    /// </summary>
    internal sealed partial class IrcMember
    {
        private const string HistoryCommand = "CHATHISTORY";

        private static void AddHistoryCommands(Dictionary<string, Command> table)
        {
            table[HistoryCommand] = new Command((m, msg) => m.OnChatHistory(msg), 0);
        }

        private void OnChatHistory(IrcMessage message)
        {
            if (!server.History.Enabled)
            {
                Reply(Numerics.ERR_UNKNOWNCOMMAND, HistoryCommand, "Unknown command");
                return;
            }

            string sub = (message[0] ?? string.Empty).ToUpperInvariant();
            int needed = sub switch
            {
                "LATEST" or "BEFORE" or "AFTER" or "AROUND" or "TARGETS" => 4,
                "BETWEEN" => 5,
                _ => 0,
            };
            if (needed == 0)
            {
                FailHistory("UNKNOWN_COMMAND", message[0] ?? "*", "Unknown subcommand");
                return;
            }

            if (message.Parameters.Count < needed)
            {
                FailHistory("NEED_MORE_PARAMS", sub, "Missing parameters");
                return;
            }

            string limitText = message.Parameters[needed - 1];
            if (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out int limit))
            {
                FailHistory("INVALID_PARAMS", sub, limitText, "Invalid limit");
                return;
            }

            int max = server.Options.MaxHistoryLines;
            limit = limit == 0 || limit > max ? max : limit;
            if (sub == "TARGETS")
            {
                HistoryTargets(message, limit);
                return;
            }

            string target = message.Parameters[1];
            if (!(HistoryOwner(target, out var room) is object owner))
            {
                FailHistory("INVALID_TARGET", sub, target, "Messages could not be retrieved");
                return;
            }

            if (!TryReference(message, 2, sub, sub == "LATEST", out var first)) return;
            var second = MessageReference.None;
            if (sub == "BETWEEN" && !TryReference(message, 3, sub, false, out second)) return;
            var picked = server.History.Select(owner, log => sub switch
            {
                "LATEST" => HistorySelection.Latest(log, first, limit),
                "BEFORE" => HistorySelection.Before(log, first, limit),
                "AFTER" => HistorySelection.After(log, first, limit),
                "AROUND" => HistorySelection.Around(log, first, limit),
                _ => HistorySelection.Between(log, first, second, limit),
            });
            ReplayHistory(room?.Name ?? target, room, picked);
        }

        /// <summary>
        /// The log a CHATHISTORY target names: a channel the requester is in or, with -KeepPrivateMessages and
        /// the requester logged in, its conversation with the nick's account (or the account of that name);
        /// null when neither.
        /// </summary>
        private object? HistoryOwner(string target, out ChatRoom? room)
        {
            room = null;
            if (IrcNames.IsChannel(target))
            {
                room = server.FindRoom(target);
                return room != null && room.Contains(this) ? room : null;
            }

            if (!server.Options.KeepPrivateMessages || !(Account is string mine)) return null;
            return Conversation.Key(mine, FindVisibleMember(target)?.Account ?? target);
        }

        /// <summary>-KeepPrivateMessages: a private message between two logged-in accounts is kept for the two of them.</summary>
        private void KeepPrivate(ChatMember target, RoomEvent roomEvent)
        {
            if (server.Options.KeepPrivateMessages && Account is string mine && target.Account is string theirs)
            {
                server.History.RecordPrivate(roomEvent, Conversation.Key(mine, theirs), target.Nick);
            }
        }

        private bool TryReference(IrcMessage message, int index, string sub, bool allowNone, out MessageReference reference)
        {
            string text = message.Parameters[index];
            if (MessageReference.TryParse(text, allowNone, out reference)) return true;
            FailHistory("INVALID_PARAMS", sub, text, "Invalid message reference: use msgid=<id> or timestamp=<RFC 3339 time>" + (allowNone ? " or *" : string.Empty));
            return false;
        }

        /// <summary>The messages in one batch, each line counted against the send queue; cut (and said so) before it would fill.</summary>
        /// <param name="target">The batch's target: the channel, or the nick a conversation was asked by.</param>
        /// <param name="room">The channel; null for a conversation (its entries replay as private messages).</param>
        private void ReplayHistory(string target, ChatRoom? room, List<HistoryEntry> entries)
        {
            string? batch = BeginBatch("chathistory", new[] { target });
            int lines = 0;
            bool cut = false;
            foreach (var entry in entries)
            {
                foreach (var line in IrcEventEncoder.ToMessages(entry.ToRoomEvent(room), Caps))
                {
                    byte[] bytes = WithBatch(line, batch).ToBoundedBytes();
                    if (Connection.QueuedCost + bytes.Length + SendQueue.EntryCostBytes > server.Options.MaxSendQueue - ReplyReserveBytes)
                    {
                        cut = true;
                        break;
                    }

                    Connection.Send(bytes);
                    lines++;
                }

                if (cut) break;
            }

            EndBatch(batch);
            if (cut)
            {
                server.Limits.Add(PSChat.LimitCounter.TruncatedReplies);
                Send(new IrcMessage(null, ServerName, "NOTICE", new[] { Nick, "*** CHATHISTORY reply truncated: your send queue is full" }));
                ReportLimit(nameof(ChatServerOptions.MaxSendQueue), "CHATHISTORY reply truncated: the send queue is full");
            }

            Connection.ChargeFlood(lines / ReplyLinesPerPenalty);
        }

        /// <summary>CHATHISTORY TARGETS: the requester's channels with a message between two times, by their newest message.</summary>
        private void HistoryTargets(IrcMessage message, int limit)
        {
            if (!TryReference(message, 1, "TARGETS", false, out var from) || !TryReference(message, 2, "TARGETS", false, out var to)) return;
            if (from.MessageId != null || to.MessageId != null)
            {
                FailHistory("INVALID_PARAMS", "TARGETS", "TARGETS takes timestamps");
                return;
            }

            var low = from.Time <= to.Time ? from.Time : to.Time;
            var high = from.Time <= to.Time ? to.Time : from.Time;
            var found = new List<(DateTime Time, string Name)>();
            foreach (var room in Rooms)
            {
                if (server.History.LastTime(room) is DateTime last && last > low && last < high) found.Add((last, room.Name));
            }

            found.Sort((a, b) => a.Time.CompareTo(b.Time));
            if (found.Count > limit) found.RemoveRange(limit, found.Count - limit);
            string? batch = BeginBatch("draft/chathistory-targets");
            foreach (var (time, name) in found)
            {
                SendInBatch(batch, new IrcMessage(null, ServerName, HistoryCommand, new[] { "TARGETS", name, IrcEventEncoder.FormatTime(time) }));
            }

            EndBatch(batch);
        }

        /// <summary>An IRCv3 standard reply: <c>FAIL CHATHISTORY code context... :description</c>.</summary>
        private void FailHistory(string code, params string[] contextAndDescription)
        {
            var parameters = new string[contextAndDescription.Length + 1];
            parameters[0] = code;
            contextAndDescription.CopyTo(parameters, 1);
            Send(FailLine(HistoryCommand, parameters));
        }
    }
}
