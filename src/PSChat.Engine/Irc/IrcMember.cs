using System;
using System.Collections.Generic;
using System.Threading;
using PSChat.Engine.Framing;
using PSChat.Engine.Rooms;
using PSChat.Engine.Server;
using PSChat.Engine.Timing;
using PSChat.Engine.Transport;

namespace PSChat.Engine.Irc
{
    /// <summary>
    /// An IRC client of the chat server: parses its lines, runs its commands against the shared rooms
    /// and encodes room events as IRC lines. The commands live in one partial file per group
    /// (Registration, Channels, Messaging, Queries, Modes). Lines of one client arrive in order on
    /// its receive loop; other members only call <see cref="Deliver"/>.
    /// </summary>
    internal sealed partial class IrcMember : ChatMember, IServerClient, IPayloadLines
    {
        /// <summary>RFC 1459: 512 bytes including CR LF, not counting IRCv3 tags.</summary>
        public const int MaxLineBytes = 510;

        /// <summary>IRCv3 message-tags: the most tag data a client may send, without '@' and the space.</summary>
        public const int MaxClientTagBytes = 4094;

        private static readonly Dictionary<string, Command> Commands = BuildCommandTable();

        /// <summary>No PING is outstanding; not 0, which a clock may read.</summary>
        private const long NoPing = long.MinValue;

        /// <summary>No refusal is due, as <see cref="NoPing"/>.</summary>
        private const long NoRefusal = long.MinValue;

        /// <summary>The Start-ChatServer parameters of the limits this member enforces, for <see cref="PSChat.ServerEvent.Limit"/>.</summary>
        private const string DelayLimit = "LoginFailureDelayMilliseconds";
        private const string LockoutLimit = "MaxLoginFailures";
        private const string RegistrationLimit = "RegistrationTimeoutSeconds";

        private readonly ChatServer server;
        private readonly IrcServerProtocol protocol;
        private readonly MonotonicClock clock;
        private readonly long connectedTicks;
        private int capabilities;
        private int registered;
        private int closed;

        // Readings of the server's clock (Interlocked: the deadline timer reads them on another thread).
        private long lastHeardTicks;
        private long lastSpokeTicks;
        private long pingSentTicks = NoPing;
        /// <summary>When a wrong password's refusal goes out; lines meanwhile are not acted on.</summary>
        private long refusalDueTicks = NoRefusal;
        private int deadlineMissed;
        private string? quitReason;
        /// <summary>The Start-ChatServer parameter whose limit closed this client, for its Disconnected event.</summary>
        private string? closeLimit;

        public IrcMember(ChatServer server, IrcServerProtocol protocol, LineConnection connection)
            : base("*", "*", connection.RemoteEndPoint)
        {
            this.server = server;
            this.protocol = protocol;
            Connection = connection;
            clock = server.Options.Clock;
            connectedTicks = lastHeardTicks = lastSpokeTicks = clock.NowTicks;
            authenticated = server.Password == null;
        }

        public LineConnection Connection { get; }

        public override string Protocol => "Irc";

        public bool IsRegistered => Volatile.Read(ref registered) != 0;

        /// <summary>User mode +i.</summary>
        public bool Invisible { get; private set; }

        /// <summary>Time since the last message this member sent (or since it connected), for WHOIS.</summary>
        public TimeSpan Idle => clock.Since(Interlocked.Read(ref lastSpokeTicks));

        private Capability Caps => (Capability)Volatile.Read(ref capabilities);

        private string ServerName => server.Options.HostName;

        public bool Has(Capability capability) => (Caps & capability) == capability;

        public override void Deliver(RoomEvent roomEvent)
        {
            var caps = Caps;
            if (roomEvent.Kind == RoomEventKind.TagMessage && ((caps & Capability.MessageTags) == 0 || !HasRoomForTagMessage())) return;
            byte[] bytes = IrcEventEncoder.Encode(roomEvent, caps);
            if (!CaptureForLabel(bytes)) Connection.Send(bytes);
        }

        public void OnLine(byte[] buffer, int offset, int count, LineTerminator terminator)
        {
            // While a login is checked off this thread, lines wait for it (IrcMember.Sasl.cs).
            if (deferral != null && HoldDuringLogin(buffer, offset, count, terminator)) return;
            RunLine(buffer, offset, count, terminator);
        }

        private void RunLine(byte[] buffer, int offset, int count, LineTerminator terminator)
        {
            // After QUIT or ERROR the rest of the read is not acted on.
            if (Volatile.Read(ref closed) != 0 || quitReason != null || Interlocked.Read(ref refusalDueTicks) != NoRefusal) return;
            Interlocked.Exchange(ref lastHeardTicks, clock.NowTicks);
            Interlocked.Exchange(ref pingSentTicks, NoPing);
            int body = offset;
            if (count > 0 && buffer[offset] == (byte)'@')
            {
                int space = Array.IndexOf(buffer, (byte)' ', offset, count);
                body = space < 0 ? offset + count : space + 1;
                if (body - offset - 2 > MaxClientTagBytes)
                {
                    Reply(Numerics.ERR_INPUTTOOLONG, "Input line was too long");
                    return;
                }
            }

            if (offset + count - body > MaxLineBytes)
            {
                Reply(Numerics.ERR_INPUTTOOLONG, "Input line was too long");
                return;
            }

            string? refusal = IrcInputRules.Check(buffer, offset, count, out var message);
            if (refusal != null)
            {
                RefuseLine(refusal);
                return;
            }

            if (message == null) return;
            if (!IrcInputRules.IsValidUtf8(buffer, offset, count))
            {
                RefuseInvalidUtf8(message.Command);
                return;
            }

            if (TakeMultilineLine(message)) return;
            DispatchLabeled(message);
        }

        /// <summary>
        /// A line that is not run at all: the client is told by a NOTICE, the server raises Rejected and
        /// counts it in <see cref="ChatServerCounters.RejectedLines"/>.
        /// </summary>
        private void RefuseLine(string reason)
        {
            Send(new IrcMessage(null, ServerName, "NOTICE", new[] { Nick, "*** Line refused: " + reason }));
            ReportRejected("line refused: " + reason);
        }

        /// <summary>A refused line or name, after the client was told: a Rejected event and <see cref="ChatServerCounters.RejectedLines"/>.</summary>
        private void ReportRejected(string reason)
        {
            server.Limits.Add(LimitCounter.RejectedLines);
            server.Raise(ServerEventKind.Rejected, e =>
            {
                Describe(e, null);
                e.Reason = reason;
            });
        }

        public void OnOverlongLine(int bytesSeen) => Reply(Numerics.ERR_INPUTTOOLONG, "Input line was too long");

        public void OnClosed(LineConnection connection, string reason)
        {
            if (Interlocked.Exchange(ref closed, 1) != 0) return;
            string shown = quitReason ?? reason;
            if (IsRegistered)
            {
                // Out of each room first, then told to everyone still in it: whoever joins meanwhile
                // either saw this member in NAMES and gets the QUIT, or never saw it.
                var left = new List<ChatRoom>();
                foreach (var room in Rooms)
                {
                    if (room.Remove(this)) left.Add(room);
                }

                DeliverToNeighbours(new RoomEvent(RoomEventKind.Quit, null, Identity, shown), left, includeSelf: false);
                foreach (var room in left) server.RemoveRoomIfEmpty(room);
            }

            if (Nick != "*") server.ReleaseNick(this, Nick);
            StopMonitoring();
            server.Forget(this);
            server.Raise(ServerEventKind.Disconnected, e =>
            {
                Describe(e, null);
                e.Reason = shown;
                e.Limit = closeLimit ?? connection.Limit;
            });
        }

        public void OnLineHeld(bool first)
        {
            server.Limits.Add(PSChat.LimitCounter.FloodDelayedLines);
            if (first) RaiseLimited(nameof(ChatServerOptions.FloodRate), "flood control holds the client's lines back");
        }

        public void OnExcessFlood(int maxHeldBytes)
        {
            server.Limits.Add(PSChat.LimitCounter.FloodDisconnects);
            closeLimit = nameof(ChatServerOptions.MaxReceiveQueue);
            CloseWithError("Excess Flood", "Excess Flood");
        }

        public void Shutdown(string reason) => CloseWithError(reason, reason);

        /// <summary>Called by the protocol's timer with a reading of the server's clock: registration and ping deadlines.</summary>
        public void CheckDeadlines(long nowTicks)
        {
            if (Volatile.Read(ref closed) != 0) return;
            CheckSaslRefusal(nowTicks);
            var options = server.Options;
            if (!IsRegistered)
            {
                long refusalDue = Interlocked.Read(ref refusalDueTicks);
                if (refusalDue != NoRefusal)
                {
                    if (nowTicks >= refusalDue && Interlocked.Exchange(ref deadlineMissed, 1) == 0) RefuseLogin();
                }
                else if (nowTicks - connectedTicks > options.RegistrationTimeout.Ticks && Interlocked.Exchange(ref deadlineMissed, 1) == 0)
                {
                    server.Limits.Add(PSChat.LimitCounter.RegistrationTimeouts);
                    server.Raise(ServerEventKind.Limited, e =>
                    {
                        Describe(e, null);
                        e.Limit = RegistrationLimit;
                        e.Reason = "registration timed out";
                    });
                    CloseWithError("Registration timed out", "registration timed out");
                }

                return;
            }

            long pingSent = Interlocked.Read(ref pingSentTicks);
            if (pingSent != NoPing)
            {
                if (nowTicks - pingSent > options.PingTimeout.Ticks)
                {
                    string reason = $"Ping timeout: {(int)Math.Round(options.PingTimeout.TotalSeconds)} seconds";
                    CloseWithError(reason, reason);
                }
            }
            else if (nowTicks - Interlocked.Read(ref lastHeardTicks) > options.PingInterval.Ticks &&
                Interlocked.CompareExchange(ref pingSentTicks, nowTicks, NoPing) == NoPing)
            {
                // Sweeps may overlap (a long one over many clients): one PING, timed by whoever sent it.
                Send(new IrcMessage("PING", ServerName));
            }
        }

        /// <summary>
        /// A numeric to this client: server source, the client's nick ("*" before NICK) first. A middle
        /// parameter echoed from the client may be empty or hold spaces (it came as a trailing one, e.g.
        /// "NAMES :"); the wire cannot carry that, so it becomes "*" as in ERR_INVALIDMODEPARAM's examples.
        /// </summary>
        private void Reply(string numeric, params string[] parameters) => Send(NumericLine(numeric, parameters));

        private IrcMessage NumericLine(string numeric, string[] parameters)
        {
            var all = new string[parameters.Length + 1];
            all[0] = Nick;
            for (int i = 0; i < parameters.Length; i++)
            {
                bool middle = i < parameters.Length - 1;
                all[i + 1] = middle && IrcMessage.NeedsTrailing(parameters[i]) ? "*" : parameters[i];
            }

            return new IrcMessage(null, ServerName, numeric, all);
        }

        /// <summary>Every line to the client fits 512 bytes (tags aside), whatever went into it.</summary>
        private void Send(IrcMessage message)
        {
            byte[] bytes = message.ToBoundedBytes();
            if (!CaptureForLabel(bytes)) Connection.Send(bytes);
        }

        /// <summary>A member other clients may see and address: not a client still being detected or registering.</summary>
        private static bool IsVisible(ChatMember? member) =>
            member != null && !member.Hidden && !(member is IrcMember { IsRegistered: false });

        /// <summary>The visible member holding a nick, or null.</summary>
        private ChatMember? FindVisibleMember(string nick)
        {
            var member = server.FindMember(nick);
            return IsVisible(member) ? member : null;
        }

        /// <summary>Sends ERROR (the RFC's last word to a client) and closes; others see <paramref name="quit"/>.</summary>
        private void CloseWithError(string error, string quit)
        {
            quitReason ??= quit;
            Send(new IrcMessage("ERROR", "Closing Link: " + Identity.Host + " (" + error + ")"));
            Connection.Close(quit);
        }

        /// <summary>Delivers once to every member of <paramref name="rooms"/> but this one (NICK, QUIT).</summary>
        private void DeliverToNeighbours(RoomEvent roomEvent, IEnumerable<ChatRoom> rooms, bool includeSelf)
        {
            var seen = new HashSet<ChatMember> { this };
            if (includeSelf) Deliver(roomEvent);
            foreach (var room in rooms)
            {
                foreach (var member in room.Members)
                {
                    if (seen.Add(member)) member.Deliver(roomEvent);
                }
            }
        }

        /// <summary>A Limited server event about this client: <paramref name="limit"/> is the Start-ChatServer parameter that tripped.</summary>
        private void RaiseLimited(string limit, string reason) => server.Raise(ServerEventKind.Limited, e =>
        {
            Describe(e, null);
            e.Limit = limit;
            e.Reason = reason;
        });

        private void Describe(PSChat.ServerEvent e, ChatRoom? room)
        {
            e.Client = RemoteText;
            e.Protocol = Protocol;
            e.Name = Nick;
            e.Room = room?.Name;
            e.Account = Account;
        }

        private void Dispatch(IrcMessage message)
        {
            if (!Commands.TryGetValue(message.Command, out var command))
            {
                if (IsRegistered) Reply(Numerics.ERR_UNKNOWNCOMMAND, message.Command, "Unknown command");
                else Reply(Numerics.ERR_NOTREGISTERED, "You have not registered");
                return;
            }

            if (command.NeedsRegistration && !IsRegistered)
            {
                Reply(Numerics.ERR_NOTREGISTERED, "You have not registered");
                return;
            }

            if (message.Parameters.Count < command.MinParameters)
            {
                Reply(Numerics.ERR_NEEDMOREPARAMS, message.Command, "Not enough parameters");
                return;
            }

            command.Run(this, message);
        }

        private static Dictionary<string, Command> BuildCommandTable()
        {
            var table = new Dictionary<string, Command>(StringComparer.Ordinal);
            AddRegistrationCommands(table);
            AddChannelCommands(table);
            AddMessagingCommands(table);
            AddQueryCommands(table);
            AddModeCommands(table);
            AddOperatorCommands(table);
            AddConformanceCommands(table);
            AddIrcv3Commands(table);
            AddHistoryCommands(table);
            AddSaslCommands(table);
            AddMetadataCommands(table);
            AddReadMarkerCommands(table);
            AddHelpCommands(table);
            AddRedactCommands(table);
            return table;
        }

        private sealed class Command
        {
            public Command(Action<IrcMember, IrcMessage> run, int minParameters, bool needsRegistration = true)
            {
                Run = run;
                MinParameters = minParameters;
                NeedsRegistration = needsRegistration;
            }

            public Action<IrcMember, IrcMessage> Run { get; }

            public int MinParameters { get; }

            public bool NeedsRegistration { get; }
        }
    }
}
