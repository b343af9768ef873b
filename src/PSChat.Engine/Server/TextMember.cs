using System;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using PSChat.Engine.Framing;
using PSChat.Engine.Rooms;
using PSChat.Engine.Text;
using PSChat.Engine.Tls;
using PSChat.Engine.Transport;

namespace PSChat.Engine.Server
{
    /// <summary>
    /// A plain text client (netcat, telnet, the tutorial's programs) in the server's default room.
    /// Lines from text clients are relayed to other text clients byte for byte; messages from named
    /// members reach it as "name:text". A client that sent lines gets lines back in its own style
    /// (LF, CRLF, or none for the tutorial's unterminated messages).
    /// </summary>
    internal sealed class TextMember : ChatMember, IServerClient
    {
        private const int Detecting = 0;
        private const int Text = 1;
        private const int HandedOver = 2;

        private readonly ChatServer server;
        private readonly ChatRoom room;
        private int phase;
        private int rejectedInRow;
        private bool leaving;
        private bool spoke;
        private readonly bool detects;
        private readonly bool passwordOnly;
        private int style = -1;
        private IServerClient? successor;

        public TextMember(ChatServer server, LineConnection connection, bool detect)
            : base(server.NextGuestName(), "text", connection.RemoteEndPoint)
        {
            this.server = server;
            Connection = connection;
            room = server.DefaultRoom;
            connection.QuietTime = server.Options.QuietTime;
            server.TryClaimNick(this, Nick);
            // Plain text has no way to give a password: on a server with one, only IRC gets in.
            passwordOnly = server.Options.Password != null;
            detects = detect || passwordOnly;
            if (detects)
            {
                // Until the first line shows what it speaks, the client is a silent listener whose
                // messages are held back, so an IRC client never sees a text line first.
                Hidden = true;
                connection.PauseSending();
                if (!passwordOnly) room.Add(this);
                _ = Task.Delay(server.Options.DetectTimeout).ContinueWith(
                    (_, state) => ((TextMember)state!).BecomeText(), this, TaskScheduler.Default);
            }
            else
            {
                phase = Text;
                room.Add(this);
                Joined();
            }
        }

        public LineConnection Connection { get; }

        public override string Protocol => "Text";

        public override bool CanModerate => false;

        public override void Deliver(RoomEvent roomEvent)
        {
            if (roomEvent.Kind != RoomEventKind.Message && roomEvent.Kind != RoomEventKind.Notice) return;
            var terminator = style >= 0
                ? (LineTerminator)style
                : roomEvent.Origin is OriginalLine line ? line.Terminator : LineTerminator.Lf;
            Connection.Send(roomEvent.GetEncoded(FirstSlot + (int)terminator, Encoders[(int)terminator]));
        }

        public void OnLine(byte[] buffer, int offset, int count, LineTerminator terminator)
        {
            // The connection reads on with its old handler to the end of the current read.
            if (successor != null)
            {
                successor.OnLine(buffer, offset, count, terminator);
                return;
            }

            // The first line decides the protocol, also when it comes after the detection timeout made
            // the silent client a text listener (an IRC client that listened first, like PSChat's Auto).
            int current = Volatile.Read(ref phase);
            bool firstLine = !spoke;
            spoke = true;
            if (firstLine && TlsRecord.StartsHandshake(buffer, offset, count))
            {
                RefuseTlsHandshake();
                return;
            }

            if (current == Detecting || (firstLine && current == Text && detects))
            {
                if (server.HandOver(Connection, buffer, offset, count) is IServerClient next)
                {
                    if (Interlocked.Exchange(ref phase, HandedOver) == HandedOver) return;
                    successor = next;
                    LeaveRoom(announce: current == Text);
                    Connection.QuietTime = TimeSpan.Zero;
                    Connection.ResumeSending(discardQueued: true);
                    next.OnLine(buffer, offset, count, terminator);
                    return;
                }

                if (passwordOnly)
                {
                    Connection.ResumeSending(discardQueued: true);
                    SendSystemLine("error: this server needs a password, which only IRC clients can give");
                    CloseWith("a plain text client on a server with a password");
                    return;
                }

                if (current == Detecting) BecomeText();
            }

            // The rest of a read after "exit" or too many refusals is not this client's to say.
            if (leaving) return;
            style = (int)terminator;
            string? refusal = TextRules.TryDecode(buffer, offset, count, out string line);
            if (refusal != null)
            {
                Refuse(refusal);
                return;
            }

            rejectedInRow = 0;
            if (line == "exit")
            {
                CloseWith("client said exit");
                return;
            }

            // Only a name every protocol of the server can carry becomes the nick; otherwise the name
            // stays part of the text, so members of other protocols still see who spoke. Text clients
            // get the line as it came either way.
            if (TextRules.TrySplitSender(line, out string sender, out string text) && sender != Nick)
            {
                if (server.IsValidNick(sender)) TakeName(sender);
                if (sender != Nick) text = line;
            }

            var original = new byte[count];
            Buffer.BlockCopy(buffer, offset, original, 0, count);
            var message = new RoomEvent(RoomEventKind.Message, room, Identity, text)
            {
                Origin = new OriginalLine(original, terminator),
            };
            room.Broadcast(message, this);
            server.Raise(ServerEventKind.Message, e => Describe(e, text));
        }

        public void OnOverlongLine(int bytesSeen)
        {
            if (successor != null)
            {
                successor.OnOverlongLine(bytesSeen);
                return;
            }

            if (leaving) return;
            Refuse($"line longer than {server.Options.MaxLineLength} bytes ({bytesSeen} seen)");
        }

        public void OnClosed(LineConnection connection, string reason)
        {
            if (Volatile.Read(ref phase) == HandedOver) return;
            Interlocked.Exchange(ref phase, HandedOver);
            LeaveRoom(announce: true);
            server.Forget(this);
            server.Raise(ServerEventKind.Disconnected, e =>
            {
                Describe(e, null);
                e.Reason = reason;
            });
        }

        public void Shutdown(string reason)
        {
            SendSystemLine(reason);
            Connection.Close(reason);
        }

        /// <summary>
        /// A TLS ClientHello where plain text was expected: no text answer can help a TLS client, so the
        /// connection ends at once (its client reports a port without TLS).
        /// </summary>
        private void RefuseTlsHandshake()
        {
            leaving = true;
            server.Limits.Add(LimitCounter.TlsHandshakeFailures);
            Connection.Abort(server.UsesTls
                ? "a TLS handshake after the TLS detection time, when the client already counted as a plain listener"
                : "a TLS handshake on a port without TLS (start the server with a certificate)");
        }

        private void CloseWith(string reason)
        {
            leaving = true;
            Connection.Close(reason);
        }

        private void BecomeText()
        {
            // On a password server a silent client stays out of the room until its first line.
            if (passwordOnly) return;
            if (Interlocked.CompareExchange(ref phase, Text, Detecting) != Detecting) return;
            Hidden = false;
            Connection.ResumeSending(discardQueued: false);
            Joined();
        }

        /// <summary>Announced once the client is visible, so IRC members in the room see it arrive.</summary>
        private void Joined()
        {
            room.Broadcast(new RoomEvent(RoomEventKind.Join, room, Identity, string.Empty), this);
            server.Raise(ServerEventKind.Joined, e => Describe(e, null));
        }

        private void TakeName(string wanted)
        {
            string old = Nick;
            if (!server.TryClaimNick(this, wanted)) return;
            server.ReleaseNick(this, old);
            Rename(wanted);
            room.Broadcast(new RoomEvent(RoomEventKind.Nick, null, new MemberIdentity(old, Identity.User, Identity.Host), wanted), this);
            server.Raise(ServerEventKind.Renamed, e =>
            {
                Describe(e, null);
                e.Text = old;
            });
        }

        private void LeaveRoom(bool announce)
        {
            if (room.Remove(this) && announce && !Hidden)
            {
                room.Broadcast(new RoomEvent(RoomEventKind.Quit, null, Identity, "Connection closed"), this);
            }

            server.ReleaseNick(this, Nick);
        }

        private void Refuse(string reason)
        {
            SendSystemLine("error: " + reason + "; the line was not sent");
            server.Raise(ServerEventKind.Rejected, e =>
            {
                Describe(e, null);
                e.Reason = reason;
            });
            if (++rejectedInRow >= server.Options.MaxRejectedLines)
            {
                CloseWith($"{rejectedInRow} refused lines in a row");
            }
        }

        private void SendSystemLine(string text)
        {
            var terminator = style >= 0 ? (LineTerminator)style : LineTerminator.Lf;
            Connection.Send(Terminate(Encoding.UTF8.GetBytes("*** " + text), terminator));
        }

        private void Describe(PSChat.ServerEvent e, string? text)
        {
            e.Client = RemoteText;
            e.Protocol = Protocol;
            e.Name = Nick;
            e.Room = room.Name;
            e.Text = text;
        }

        /// <summary>One encoder per line style, made once: a lambda capturing the style would allocate per delivery.</summary>
        private static readonly Func<RoomEvent, byte[]>[] Encoders =
        {
            e => Encode(e, LineTerminator.None),
            e => Encode(e, LineTerminator.Lf),
            e => Encode(e, LineTerminator.CrLf),
        };

        /// <summary>One encoding slot per line style, in the order of <see cref="Encoders"/>.</summary>
        private static readonly int FirstSlot = RoomEvent.EncodingSlots.Take(Encoders.Length);

        private static byte[] Encode(RoomEvent e, LineTerminator terminator)
        {
            // Text from IRC may carry control bytes (CTCP, escapes) no text client should get.
            byte[] body = e.Origin is OriginalLine line ? line.Bytes : Encoding.UTF8.GetBytes(TextRules.StripControls(e.Source.Nick + ":" + e.Text));
            return Terminate(body, terminator);
        }

        private static byte[] Terminate(byte[] body, LineTerminator terminator)
        {
            var bytes = new byte[body.Length + terminator.ByteCount()];
            Buffer.BlockCopy(body, 0, bytes, 0, body.Length);
            terminator.WriteTo(bytes, body.Length);
            return bytes;
        }

        /// <summary>The <see cref="RoomEvent.Origin"/> of a text client's message: its bytes as they came, relayed byte for byte.</summary>
        private sealed class OriginalLine
        {
            public OriginalLine(byte[] bytes, LineTerminator terminator)
            {
                Bytes = bytes;
                Terminator = terminator;
            }

            public byte[] Bytes { get; }

            public LineTerminator Terminator { get; }
        }
    }
}
