using System;
using System.Text;
using PSChat.Engine.Framing;
using PSChat.Engine.Text;

namespace PSChat.Engine.Client
{
    /// <summary>
    /// The tutorial's chat protocol from the client side: lines of "name:text". A session with a name
    /// prefixes its lines; lines from the server are split into sender and text where they look like
    /// that, and "*** " lines are the server's own notices.
    /// </summary>
    internal sealed class TextClientProtocol : ClientProtocol
    {
        private const string SystemPrefix = "*** ";

        public TextClientProtocol(ChatSession session)
            : base(session)
        {
        }

        public override ChatProtocol Name => ChatProtocol.Text;

        public override bool UsesQuietTime => true;

        public override void OnLine(byte[] buffer, int offset, int count, LineTerminator terminator)
        {
            string line = TextRules.LenientUtf8.GetString(buffer, offset, count);
            string room = Session.DefaultRoom;
            ChatMessage message;
            if (line.StartsWith(SystemPrefix, StringComparison.Ordinal))
            {
                message = new ChatMessage(ChatMessageKind.System, room, null, line.Substring(SystemPrefix.Length), DateTime.Now, Session.Id);
            }
            else if (TextRules.TrySplitSender(line, out string sender, out string text))
            {
                message = new ChatMessage(ChatMessageKind.Message, room, sender, text, DateTime.Now, Session.Id);
            }
            else
            {
                message = new ChatMessage(ChatMessageKind.Message, room, null, line, DateTime.Now, Session.Id);
            }

            message.Raw = line;
            Session.Deliver(message);
        }

        public override void SendText(string? room, string? to, string text)
        {
            if (to != null) throw new NotSupportedException("The Text protocol has no private messages; connect with -Protocol Irc.");
            if (text.Length == 0) return; // an empty line is no message (a PSChat server would refuse it)
            string prefix = string.IsNullOrEmpty(Session.Name) ? string.Empty : Session.Name + ":";
            // A line longer than the server takes would be refused whole: send it as several, each named.
            int space = Session.Options.MaxLineLength - Encoding.UTF8.GetByteCount(prefix);
            foreach (string piece in Utf8Splitter.Split(text, space))
            {
                Session.SendBytes(Encoding.UTF8.GetBytes(prefix + piece + "\n"));
            }
        }

        public override void Quit(string reason) => Session.SendBytes(Encoding.UTF8.GetBytes("exit\n"));
    }
}
