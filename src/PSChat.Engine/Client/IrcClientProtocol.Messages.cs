using System;
using System.Globalization;
using System.Linq;
using PSChat.Engine.Irc;
using PSChat.Engine.Text;

namespace PSChat.Engine.Client
{
    /// <summary>What the server sends, once registered, as typed <see cref="ChatMessage"/>s.</summary>
    internal sealed partial class IrcClientProtocol
    {
        private void OnText(IrcMessage message, string line)
        {
            string target = message[0] ?? string.Empty;
            string text = message[1] ?? string.Empty;
            bool notice = message.Command == "NOTICE";
            string? sender = message.SourceNick;
            if (TryTakeEnvelopeLine(message, line, text)) return;
            if (text.Length > 1 && text[0] == '\u0001')
            {
                // CTCP: "/me waves" reads as IRC clients show it; other requests (VERSION, PING) are not chat.
                string ctcp = text.Trim('\u0001');
                if (!ctcp.StartsWith("ACTION ", StringComparison.Ordinal)) return;
                text = "* " + sender + " " + ctcp.Substring("ACTION ".Length);
            }

            if (Support.IsChannel(target))
            {
                Deliver(message, line, notice ? ChatMessageKind.Notice : ChatMessageKind.Message, target, sender, text);
                return;
            }

            // A notice from the server itself (no user@host) before we know ourselves is server chatter.
            bool fromServer = message.Source == null || message.Source.IndexOf('!') < 0;
            if (notice && fromServer && phase != Phase.Ready) return;
            var kind = notice ? ChatMessageKind.Notice : ChatMessageKind.Private;
            Deliver(message, line, kind, null, sender, text, target);
        }

        private void OnMembership(IrcMessage message, string line, ChatMessageKind kind, string text)
        {
            string room = message[0] ?? string.Empty;
            bool me = Support.SameName(message.SourceNick, Session.Name);
            if (me && kind == ChatMessageKind.Join)
            {
                Session.AddRoom(room);
                joining.Remove(room);
                kickedFrom.Remove(room);
            }

            if (me && kind == ChatMessageKind.Part) Session.RemoveRoom(room);
            if (me && phase != Phase.Ready) return; // our own joins are part of connecting
            Deliver(message, line, kind, room, message.SourceNick, text);
        }

        private void OnKick(IrcMessage message, string line)
        {
            string room = message[0] ?? string.Empty;
            string kicked = message[1] ?? string.Empty;
            if (Support.SameName(kicked, Session.Name))
            {
                Session.RemoveRoom(room);
                kickedFrom.Add(room);
            }

            Deliver(message, line, ChatMessageKind.Kick, room, message.SourceNick, message[2] ?? kicked, kicked);
        }

        private void OnNumeric(IrcMessage message, string line)
        {
            string code = message.Command;
            switch (code)
            {
                case "001":
                    Session.Name = message[0];
                    Session.ServerName = message.Source;
                    break;
                case "005":
                    Support.Add(message.Parameters);
                    break;
                case "376":
                case "422":
                    if (!motdDone)
                    {
                        motdDone = true;
                        JoinRequestedRooms();
                    }

                    break;
                case "366":
                    ForgetPendingJoin(message[1]);
                    break;
                case "432":
                case "433":
                case "436":
                    if (phase == Phase.Registering && RetryNick(message)) return;
                    break;
                case "900":
                case "903":
                case "904":
                case "905":
                case "906":
                case "907":
                case "908":
                    if (OnSaslNumeric(message)) return;
                    break;
                case "464":
                    Fail($"The server refused the password ({code}: {message[message.Parameters.Count - 1]}).");
                    break;
                case "465":
                    Fail($"The server refused the connection ({code}: {message[message.Parameters.Count - 1]}).");
                    break;
            }

            if (JoinFailures.Contains(code))
            {
                ForgetPendingJoin(message[1]);
                if (message[1] != null) joining.Remove(message[1]!);
            }


            bool error = code[0] == '4' || code[0] == '5';
            bool shown = !QuietNumerics.Contains(code) && (error || phase == Phase.Ready);
            if (shown) Deliver(message, line, ChatMessageKind.System, RoomOf(message), message.Source, NumericText(message));
        }

        private string? RoomOf(IrcMessage message)
        {
            for (int i = 1; i < message.Parameters.Count - 1; i++)
            {
                if (Support.IsChannel(message.Parameters[i])) return message.Parameters[i];
            }

            return null;
        }

        /// <summary>"433 * alice :Nickname is already in use" reads "alice: Nickname is already in use".</summary>
        private static string NumericText(IrcMessage message)
        {
            var middle = message.Parameters.Skip(1).Take(Math.Max(0, message.Parameters.Count - 2)).Where(p => p != "*" && p != "=" && p != "@").ToArray();
            string trailing = message.Parameters.Count > 1 ? message.Parameters[message.Parameters.Count - 1] : string.Empty;
            return middle.Length == 0 ? trailing : string.Join(" ", middle) + ": " + trailing;
        }

        /// <summary>A message of an envelope: to the target's room or privately, with what <paramref name="decorate"/> adds.</summary>
        private void Deliver(IrcMessage message, string line, ChatMessageKind kind, string text, Action<ChatMessage> decorate)
        {
            string target = message[0] ?? string.Empty;
            bool room = Support.IsChannel(target);
            Deliver(message, line, kind, room ? target : null, message.SourceNick, text, room ? null : target, decorate);
        }

        private void Deliver(IrcMessage message, string line, ChatMessageKind kind, string? room, string? sender, string text, string? target = null, Action<ChatMessage>? decorate = null)
        {
            var time = message.Tags.TryGetValue("time", out string? stamp) && stamp != null &&
                DateTime.TryParse(stamp, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var parsed)
                ? parsed.ToLocalTime()
                : DateTime.Now;
            string? account = message.Tags.TryGetValue("account", out string? tagged) && tagged != "*" ? tagged : null;
            var chat = new ChatMessage(kind, room, sender, text, time, Session.Id) { Target = target, Raw = line, Account = account };
            decorate?.Invoke(chat);
            Session.Deliver(chat);
        }
    }
}
