using System;
using System.Collections.Generic;
using PSChat.Engine.History;
using PSChat.Engine.Rooms;

namespace PSChat.Engine.Irc
{
    /// <summary>
    /// IRCv3 <c>draft/message-redaction</c>: <c>REDACT #channel msgid [:reason]</c> takes back a message the
    /// channel keeps in its history, by its sender (same account, or same nick and host) or a channel or IRC
    /// operator. Members that asked for the capability get the REDACT; CHATHISTORY no longer replays it.
    /// </summary>
    internal sealed partial class IrcMember
    {
        private const string RedactCommand = "REDACT";

        private static void AddRedactCommands(Dictionary<string, Command> table)
        {
            table[RedactCommand] = new Command((m, msg) => m.OnRedact(msg), 2);
        }

        private void OnRedact(IrcMessage message)
        {
            string target = message.Parameters[0];
            string messageId = message.Parameters[1];
            string? reason = message[2];
            var room = IrcNames.IsChannel(target) ? server.FindRoom(target) : null;
            if (room == null || !room.Contains(this))
            {
                Send(FailLine(RedactCommand, new[] { "INVALID_TARGET", target, "You can only redact messages of a channel you are in" }));
                return;
            }

            void UnknownMessage() =>
                Send(FailLine(RedactCommand, new[] { "UNKNOWN_MSGID", room.Name, messageId, "This message does not exist or is too old" }));

            var found = server.History.Select(room, log => log.IndexOf(messageId) is int at && at >= 0 ? (at, at + 1) : (0, 0));
            if (found.Count == 0)
            {
                UnknownMessage();
                return;
            }

            if (!MayRedact(room, found[0]))
            {
                Send(FailLine(RedactCommand, new[] { "REDACT_FORBIDDEN", room.Name, messageId, "You may only redact your own messages" }));
                return;
            }

            // Gone from history (memory and disk): no replay, no Get-ChatHistory, not after a restart either.
            // False when another REDACT of the same message came first.
            if (!server.History.Redact(room, messageId))
            {
                UnknownMessage();
                return;
            }

            var parameters = string.IsNullOrEmpty(reason) ? new[] { room.Name, messageId } : new[] { room.Name, messageId, reason! };
            byte[] line = new IrcMessage(null, Identity.Prefix, RedactCommand, parameters).ToBoundedBytes();
            foreach (var member in room.Members)
            {
                if (member is IrcMember irc && irc.IsRegistered && irc.Has(Capability.MessageRedaction))
                {
                    if (ReferenceEquals(irc, this)) Send(new IrcMessage(null, Identity.Prefix, RedactCommand, parameters));
                    else irc.Connection.Send(line);
                }
            }
        }

        /// <summary>Its sender (the same account, or the same nick, user and host), a channel operator, or an IRC operator.</summary>
        private bool MayRedact(ChatRoom room, HistoryEntry entry)
        {
            if (IsOperator || (room.GetStatus(this) & MemberStatus.Operator) != 0) return true;
            var sender = entry.Source;
            if (sender.Account != null) return string.Equals(sender.Account, Account, StringComparison.Ordinal);
            return CaseMapping.Fold(sender.Nick) == CaseMapping.Fold(Nick) && sender.User == Identity.User && sender.Host == Identity.Host;
        }
    }
}
