using System.Net.Sockets;
using PSChat.Engine.Framing;
using PSChat.Engine.Text;
using PSChat.Engine.Transport;

namespace PSChat.Engine.Greeting
{
    /// <summary>One client of a <see cref="GreetingServer"/>: answers each message, byte for byte, in its own style.</summary>
    internal sealed class GreetingConnection : ILineConnectionHandler
    {
        private static readonly byte[] Exit = { (byte)'e', (byte)'x', (byte)'i', (byte)'t' };

        private readonly GreetingServer server;
        private LineTerminator style = LineTerminator.Lf;
        private int rejectedInRow;

        public GreetingConnection(GreetingServer server, Socket socket)
        {
            this.server = server;
            Connection = new LineConnection(socket, this, server.ConnectionOptions) { QuietTime = server.Options.QuietTime };
        }

        public LineConnection Connection { get; }

        public void OnLine(byte[] buffer, int offset, int count, LineTerminator terminator)
        {
            style = terminator;
            rejectedInRow = 0;
            if (IsExit(buffer, offset, count))
            {
                Connection.Close("client said exit");
                return;
            }

            Connection.Send(server.Reply.Render(buffer, offset, count, terminator));
            server.Raise(ServerEventKind.Message, e => Describe(e, TextRules.LenientUtf8.GetString(buffer, offset, count)));
        }

        public void OnOverlongLine(int bytesSeen)
        {
            string reason = $"message longer than {server.Options.MaxMessageLength} bytes ({bytesSeen} seen)";
            byte[] notice = TextRules.LenientUtf8.GetBytes("*** error: " + reason + "; it was not answered");
            Connection.Send(ReplyTemplate.Verbatim.Render(notice, 0, notice.Length, style));
            server.Raise(ServerEventKind.Rejected, e =>
            {
                Describe(e, null);
                e.Reason = reason;
            });
            if (++rejectedInRow >= server.Options.MaxRejectedLines)
            {
                Connection.Close($"{rejectedInRow} refused messages in a row");
            }
        }

        public void OnClosed(LineConnection connection, string reason)
        {
            server.Forget(this);
            server.Raise(ServerEventKind.Disconnected, e =>
            {
                Describe(e, null);
                e.Reason = reason;
            });
        }

        internal void Describe(ServerEvent e, string? text)
        {
            e.Client = Connection.RemoteEndPoint.ToString();
            e.Protocol = "Tcp";
            e.Text = text;
        }

        private static bool IsExit(byte[] buffer, int offset, int count)
        {
            if (count != Exit.Length) return false;
            for (int i = 0; i < count; i++)
            {
                if (buffer[offset + i] != Exit[i]) return false;
            }

            return true;
        }
    }
}
