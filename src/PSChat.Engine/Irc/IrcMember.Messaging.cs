using System;
using System.Collections.Generic;
using System.Threading;
using PSChat.Engine.Rooms;

namespace PSChat.Engine.Irc
{
    /// <summary>PRIVMSG, NOTICE and TAGMSG to channels and nicks, and AWAY.</summary>
    internal sealed partial class IrcMember
    {
        private static void AddMessagingCommands(Dictionary<string, Command> table)
        {
            table["PRIVMSG"] = new Command((m, msg) => m.OnMessage(msg, RoomEventKind.Message), 0);
            table["NOTICE"] = new Command((m, msg) => m.OnMessage(msg, RoomEventKind.Notice), 0);
            table["TAGMSG"] = new Command((m, msg) => m.OnMessage(msg, RoomEventKind.TagMessage), 0);
            table["AWAY"] = new Command((m, msg) => m.OnAway(msg), 0);
        }

        /// <summary>
        /// One event per target. NOTICE never draws an error reply (RFC 2812: no automatic replies to
        /// a NOTICE), so two NOTICE-sending bots cannot loop.
        /// </summary>
        private void OnMessage(IrcMessage message, RoomEventKind kind)
        {
            bool errors = kind != RoomEventKind.Notice;
            string command = message.Command;
            if (message.Parameters.Count == 0 || message.Parameters[0].Length == 0)
            {
                if (errors) Reply(Numerics.ERR_NORECIPIENT, $"No recipient given ({command})");
                return;
            }

            string text = kind == RoomEventKind.TagMessage ? string.Empty : message[1] ?? string.Empty;
            if (kind != RoomEventKind.TagMessage && text.Length == 0)
            {
                if (errors) Reply(Numerics.ERR_NOTEXTTOSEND, "No text to send");
                return;
            }

            string? clientTags = ClientTagsOf(message);
            if (kind == RoomEventKind.TagMessage && clientTags == null) return;
            clientTags = WithBotTag(clientTags);
            // The time OnLine heard this line: one clock read less per message.
            Interlocked.Exchange(ref lastSpokeTicks, Interlocked.Read(ref lastHeardTicks));
            foreach (string target in TargetsOf(message.Parameters[0], command, errors))
            {
                if (IrcNames.IsChannel(target)) MessageRoom(target, kind, text, clientTags, errors);
                else if (target.Length > 1 && StatusMessagePrefixes.IndexOf(target[0]) >= 0 && IrcNames.IsChannel(target.Substring(1))) MessageStatus(target[0], target.Substring(1), kind, text, clientTags, errors);
                else MessageMember(target, kind, text, clientTags, errors);
            }
        }

        private void MessageRoom(string name, RoomEventKind kind, string text, string? clientTags, bool errors)
        {
            var room = FindRoomToSpeakIn(name, errors);
            if (room == null) return;
            if (protocol.ChannelOf(room).NoCtcp && IsCtcpOtherThanAction(text))
            {
                if (errors) Reply(Numerics.ERR_CANNOTSENDTOCHAN, room.Name, "Cannot send CTCP to channel (+C)");
                return;
            }

            var roomEvent = new RoomEvent(kind, room, Identity, text) { Origin = IrcOrigin.WithTags(clientTags) };
            // Kept before it is delivered: whoever saw it live finds it in the history.
            server.History.Record(roomEvent);
            room.Broadcast(roomEvent, this);
            if (Has(Capability.EchoMessage)) Deliver(roomEvent);
            if (kind != RoomEventKind.TagMessage)
            {
                server.Raise(PSChat.ServerEventKind.Message, e =>
                {
                    Describe(e, room);
                    e.Text = text;
                });
            }
        }

        /// <summary>The channel, when this member may speak in it; otherwise null after 401 or 404 (not for NOTICE).</summary>
        private ChatRoom? FindRoomToSpeakIn(string name, bool errors)
        {
            var room = server.FindRoom(name);
            if (room == null)
            {
                if (errors) Reply(Numerics.ERR_NOSUCHNICK, name, "No such nick/channel");
                return null;
            }

            bool member = room.TryGetStatus(this, out var status);
            var channel = protocol.ChannelOf(room);
            if ((channel.NoExternalMessages && !member) || (status == MemberStatus.None && (channel.Moderated || channel.IsBanned(this))))
            {
                if (errors) Reply(Numerics.ERR_CANNOTSENDTOCHAN, room.Name, "Cannot send to channel");
                return null;
            }

            return room;
        }

        private void MessageMember(string nick, RoomEventKind kind, string text, string? clientTags, bool errors)
        {
            var target = FindVisibleMember(nick);
            if (target == null)
            {
                if (errors) Reply(Numerics.ERR_NOSUCHNICK, nick, "No such nick/channel");
                return;
            }

            var roomEvent = new RoomEvent(kind, null, Identity, text) { Target = target.Nick, Origin = IrcOrigin.WithTags(clientTags) };
            KeepPrivate(target, roomEvent);
            DeliverToTarget(target, roomEvent);
            if (Has(Capability.EchoMessage)) Deliver(roomEvent);
            if (kind == RoomEventKind.Message && target.AwayMessage != null) Reply(Numerics.RPL_AWAY, target.Nick, target.AwayMessage);
        }

        /// <summary>A CTCP request or reply (\x01...), except ACTION (/me), which +C lets through.</summary>
        private static bool IsCtcpOtherThanAction(string text) =>
            text.Length > 0 && text[0] == '\u0001' && !text.StartsWith("\u0001ACTION ", StringComparison.Ordinal);

        /// <summary>The client-only tags ('+' prefixed) of a message, re-serialised; null when none.</summary>
        private static string? ClientTagsOf(IrcMessage message)
        {
            Dictionary<string, string?>? clientTags = null;
            foreach (var tag in message.Tags)
            {
                if (tag.Key.Length > 1 && tag.Key[0] == '+') (clientTags ??= new Dictionary<string, string?>())[tag.Key] = tag.Value;
            }

            if (clientTags == null) return null;
            string line = new IrcMessage(clientTags, null, "X", Array.Empty<string>()).ToString();
            return line.Substring(1, line.Length - 3);
        }

        private void OnAway(IrcMessage message)
        {
            string? text = message[0];
            if (string.IsNullOrEmpty(text))
            {
                AwayMessage = null;
                Reply(Numerics.RPL_UNAWAY, "You are no longer marked as being away");
            }
            else
            {
                AwayMessage = IrcNames.Truncate(text!, IrcNames.AwayLength);
                Reply(Numerics.RPL_NOWAWAY, "You have been marked as being away");
            }

            NotifyAway();
        }
    }
}
