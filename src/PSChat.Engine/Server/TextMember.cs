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
    /// (LF, CRLF, or none for the tutorial's unterminated messages). A client speaks only under its
    /// own name: a "name:" another member holds, or a reserved one, is refused. The room's IRC modes
    /// apply to it as to an IRC member (+i +k +l on entry, +m on speech), and a KICK disconnects it.
    /// </summary>
    internal sealed partial class TextMember : ChatMember, IServerClient
    {
        private const int Detecting = 0;
        private const int Text = 1;
        private const int HandedOver = 2;

        /// <summary>The Start-ChatServer parameter of the deadline of a silent client on a password server.</summary>
        private const string RegistrationLimit = "RegistrationTimeoutSeconds";

        private readonly ChatServer server;
        private readonly ChatRoom room;
        private readonly long connectedTicks;
        private int phase;
        private int rejectedInRow;
        /// <summary>Set by the client's own thread, a KICK's or the server timer's: nothing more it sends is acted on.</summary>
        private volatile bool leaving;
        private bool spoke;
        private readonly bool detects;
        private readonly bool passwordOnly;
        /// <summary>The server requires accounts: the first line must be /login (TextMember.Login.cs).</summary>
        private readonly bool loginOnly;
        /// <summary>Why the room would not take this client (+i, +k, +l); told once it turns out to speak text.</summary>
        private readonly string? entryRefusal;
        private int style = -1;
        private IServerClient? successor;
        private string? closeLimit;

        public TextMember(ChatServer server, LineConnection connection, bool detect)
            : base(server.NextGuestName(), "text", connection.RemoteEndPoint)
        {
            this.server = server;
            Connection = connection;
            room = server.DefaultRoom;
            connectedTicks = server.Options.Clock.NowTicks;
            connection.QuietTime = server.Options.QuietTime;
            server.TryClaimNick(this, Nick);
            // Plain text has no way to give a password: on a server with one, only IRC gets in.
            passwordOnly = server.RequiresPassword;
            loginOnly = !passwordOnly && server.Options.RequireAccount;
            detects = detect || passwordOnly || loginOnly;
            if (detects)
            {
                // Until the first line shows what it speaks, the client is a silent listener whose
                // messages are held back, so an IRC client never sees a text line first.
                Hidden = true;
                connection.PauseSending();
                if (!passwordOnly && !loginOnly) entryRefusal = Enter();
                _ = Task.Delay(server.Options.DetectTimeout).ContinueWith(
                    (_, state) => ((TextMember)state!).BecomeText(), this, TaskScheduler.Default);
            }
            else
            {
                // Only a server without IRC skips detection, and only IRC sets the modes that could refuse.
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
            if (roomEvent.Kind == RoomEventKind.Kick && ReferenceEquals(roomEvent.Room, room) && CaseMapping.Equals(roomEvent.Target ?? string.Empty, Nick))
            {
                WasKicked($"by {roomEvent.Source.Nick} ({roomEvent.Text})");
                return;
            }

            if (roomEvent.Kind != RoomEventKind.Message && roomEvent.Kind != RoomEventKind.Notice) return;
            var terminator = style >= 0
                ? (LineTerminator)style
                : roomEvent.Origin is OriginalLine line ? line.Terminator : LineTerminator.Lf;
            Connection.Send(roomEvent.GetEncoded(FirstSlot + (int)terminator, Encoders[(int)terminator]));
        }

        public void OnLine(byte[] buffer, int offset, int count, LineTerminator terminator)
        {
            // While a /login is checked off this thread, lines wait for it.
            if (deferral != null && HoldDuringLogin(buffer, offset, count, terminator)) return;
            RunLine(buffer, offset, count, terminator);
        }

        private void RunLine(byte[] buffer, int offset, int count, LineTerminator terminator)
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

                if (loginOnly)
                {
                    Connection.ResumeSending(discardQueued: true);
                    if (IsLogin(buffer, offset, count, terminator)) return;
                    SendSystemLine("error: this server requires an account; send /login <name> <password> as the first line (over TLS)");
                    server.Raise(ServerEventKind.Rejected, e =>
                    {
                        Describe(e, null);
                        e.Reason = "a text client that did not log in";
                        e.Limit = nameof(ChatServerOptions.RequireAccount);
                    });
                    CloseWith("a text client that did not log in on a server that requires accounts");
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
            if (entryRefusal != null)
            {
                TurnAway();
                return;
            }

            if (IsLogin(buffer, offset, count, terminator)) return;

            // Only a KICK takes a text client out of its room (the notice may still be on its way).
            if (!room.Contains(this))
            {
                WasKicked(string.Empty);
                return;
            }

            string? refusal = TextRules.TryDecode(buffer, offset, count, out string line);
            if (refusal != null)
            {
                Refuse(refusal);
                return;
            }

            // An empty line (a stray Enter) is no message: nothing is relayed, and it is no refusal either
            // (nor does it clear the count of refusals in a row).
            if (line.Length == 0) return;
            rejectedInRow = 0;
            if (line == "exit")
            {
                CloseWith("client said exit");
                return;
            }

            // Only a name every protocol of the server can carry becomes the nick; otherwise the name
            // stays part of the text, so members of other protocols still see who spoke. Text clients
            // get the line as it came either way, so it must not name anyone else: a name another
            // member holds (in any case) or a reserved one is refused, not relayed.
            if (TextRules.TrySplitSender(line, out string sender, out string text) && sender != Nick)
            {
                if (server.IsValidNick(sender)) TakeName(sender);
                if (sender != Nick)
                {
                    if (ClaimRefusal(sender) is string claim)
                    {
                        Refuse(claim);
                        return;
                    }

                    text = line;
                }
            }

            if (server.RefusesSpeech(room, this) is string silenced)
            {
                Refuse(silenced);
                return;
            }

            // "name:" alone names the client and says nothing.
            if (text.Length == 0) return;

            var original = new byte[count];
            Buffer.BlockCopy(buffer, offset, original, 0, count);
            var message = new RoomEvent(RoomEventKind.Message, room, Identity, text)
            {
                Origin = new OriginalLine(original, terminator),
            };
            // Kept before it is delivered: whoever saw it live finds it in the history.
            server.History.Record(message);
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

        public void OnLineHeld(bool first)
        {
            server.Limits.Add(PSChat.LimitCounter.FloodDelayedLines);
            if (!first) return;
            server.Raise(ServerEventKind.Limited, e =>
            {
                Describe(e, null);
                e.Limit = nameof(ChatServerOptions.FloodRate);
                e.Reason = "flood control holds the client's lines back";
            });
        }

        public void OnExcessFlood(int maxHeldBytes)
        {
            server.Limits.Add(PSChat.LimitCounter.FloodDisconnects);
            closeLimit = nameof(ChatServerOptions.MaxReceiveQueue);
            SendSystemLine("error: excess flood");
            CloseWith($"excess flood (more than {maxHeldBytes} bytes of lines held)");
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
                e.Limit = closeLimit ?? connection.Limit;
            });
        }

        public void Shutdown(string reason)
        {
            SendSystemLine(reason);
            Connection.Close(reason);
        }

        /// <summary>
        /// On a server with a password a client that stays silent cannot be let in and would otherwise hold
        /// its connection for ever: it gets the registration timeout, as an IRC client does.
        /// </summary>
        public void CheckDeadlines(long nowTicks)
        {
            CheckLoginRefusal(nowTicks);
            if (!(passwordOnly || loginOnly) || leaving || nowTicks - connectedTicks <= server.Options.RegistrationTimeout.Ticks) return;
            if (Interlocked.CompareExchange(ref phase, Text, Detecting) != Detecting) return;
            leaving = true;
            server.Limits.Add(LimitCounter.RegistrationTimeouts);
            server.Raise(ServerEventKind.Limited, e =>
            {
                Describe(e, null);
                e.Limit = RegistrationLimit;
                e.Reason = loginOnly ? "no login in time" : "no password in time";
            });
            Connection.ResumeSending(discardQueued: true);
            long seconds = (long)server.Options.RegistrationTimeout.TotalSeconds;
            SendSystemLine(loginOnly
                ? $"error: no login within {seconds} s; this server requires /login <name> <password> as the first line"
                : $"error: no password within {seconds} s; this server needs one, which only IRC clients can give");
            Connection.Close(loginOnly ? "no login in time" : "no password in time");
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
            // On a password (or account) server a silent client stays out of the room until its first line.
            if (passwordOnly || loginOnly) return;
            if (Interlocked.CompareExchange(ref phase, Text, Detecting) != Detecting) return;
            if (entryRefusal != null)
            {
                Connection.ResumeSending(discardQueued: true);
                TurnAway();
                return;
            }

            Hidden = false;
            Connection.ResumeSending(discardQueued: false);
            Joined();
        }

        /// <summary>Into the room, if its modes let a member of any protocol in; otherwise why not.</summary>
        private string? Enter()
        {
            string? refusal = null;
            room.Add(this, MemberStatus.None, r => (refusal = server.RefusesEntry(r, this)) == null);
            return refusal;
        }

        private void TurnAway()
        {
            if (leaving) return;
            leaving = true;
            SendSystemLine("error: " + entryRefusal);
            server.Raise(ServerEventKind.Rejected, e =>
            {
                Describe(e, null);
                e.Reason = entryRefusal;
            });
            Connection.Close(entryRefusal!);
        }

        /// <summary>Out of the room by a KICK: told so, and disconnected (a text client has no way back in but to reconnect).</summary>
        private void WasKicked(string how)
        {
            if (leaving) return;
            leaving = true;
            string reason = $"you were kicked from {room.Name}" + (how.Length > 0 ? " " + how : string.Empty);
            SendSystemLine("error: " + reason);
            Connection.Close("kicked from " + room.Name);
        }

        /// <summary>Why this client may not speak as <paramref name="name"/>: a reserved name, or one another member holds.</summary>
        private string? ClaimRefusal(string name)
        {
            if (server.IsReservedNick(name)) return $"the name {name} is reserved";
            if (server.AccountNamed(name) is string owner && !(Account != null && CaseMapping.Equals(owner, Account)))
            {
                return $"the name {name} belongs to the account {owner}; /login to use it";
            }

            var holder = server.FindMember(name);
            return holder != null && !ReferenceEquals(holder, this) ? $"the name {name} belongs to someone else" : null;
        }

        /// <summary>Announced once the client is visible, so IRC members in the room see it arrive.</summary>
        private void Joined()
        {
            ReplayHistory();
            room.Broadcast(new RoomEvent(RoomEventKind.Join, room, Identity, string.Empty), this);
            server.Raise(ServerEventKind.Joined, e => Describe(e, null));
        }

        /// <summary>The room's last TextHistoryLines messages (none by default), as this client would have read them live.</summary>
        private void ReplayHistory()
        {
            int lines = server.Options.TextHistoryLines;
            if (lines == 0) return;
            foreach (var entry in server.History.Select(room, log => (log.Count - lines, log.Count))) Deliver(entry.ToRoomEvent(room));
        }

        private void TakeName(string wanted)
        {
            string old = Nick;
            if (ClaimRefusal(wanted) != null || !server.TryClaimNick(this, wanted)) return;
            // Another spelling of the same name is the same entry: releasing it would let anyone take it.
            if (!CaseMapping.Equals(old, wanted)) server.ReleaseNick(this, old);
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
            server.Limits.Add(LimitCounter.RejectedLines);
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
            e.Account = Account;
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
