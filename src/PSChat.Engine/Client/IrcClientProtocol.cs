using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Security;
using System.Threading;
using System.Threading.Tasks;
using PSChat.Engine.Framing;
using PSChat.Engine.Irc;
using PSChat.Engine.Text;

namespace PSChat.Engine.Client
{
    /// <summary>
    /// IRC from the client side (RFC 1459/2812 with IRCv3 capability negotiation): registers, joins the
    /// session's rooms, answers PING and turns what the server sends into typed <see cref="ChatMessage"/>s.
    /// In probe mode (Protocol Auto) it first finds out whether the server speaks IRC at all and hands the
    /// session to the text protocol when it does not; see <see cref="StartAsync"/> for the rule.
    /// This file registers and joins; IrcClientProtocol.Messages.cs turns traffic into messages.
    /// </summary>
    internal sealed partial class IrcClientProtocol : ClientProtocol
    {
        /// <summary>Capabilities we use when the server offers them. echo-message is left out on purpose:
        /// it would show a script its own messages, which the text protocol never does (bots would answer themselves).</summary>
        private static readonly string[] WantedCapabilities = { "server-time", "message-tags", "multi-prefix", "batch", "draft/chathistory", "account-tag", PayloadCapabilityName };

        /// <summary>Numerics that only close a list or say there is no MOTD; they add nothing a person would read.</summary>
        private static readonly HashSet<string> QuietNumerics = new HashSet<string> { "005", "366", "376", "422", "315", "318", "323", "368", "369" };

        /// <summary>Replies to JOIN that mean the channel was not joined.</summary>
        private static readonly HashSet<string> JoinFailures = new HashSet<string> { "403", "405", "471", "473", "474", "475", "476", "477" };

        private const int MaxNickAttempts = 10;

        private readonly object gate = new object();
        private readonly bool probe;
        private readonly TaskCompletionSource<bool> decided = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource<bool> ready = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly List<string> offeredCapabilities = new List<string>();
        private readonly List<string> pendingJoins = new List<string>();

        /// <summary>Rooms asked for with Join and not yet answered: a message to one may go out (the server queues it after the JOIN).</summary>
        private readonly HashSet<string> joining = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

        /// <summary>Rooms we were kicked from, for the error of a message that would go there.</summary>
        private readonly HashSet<string> kickedFrom = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        private Phase phase;
        private string baseNick;
        private int nickAttempt;
        private string? ownSource;
        private bool motdDone;

        public IrcClientProtocol(ChatSession session, bool probe)
            : base(session)
        {
            this.probe = probe;
            phase = probe ? Phase.Detecting : Phase.Registering;
            baseNick = string.IsNullOrEmpty(session.RegistrationName) ? "pschat" : session.RegistrationName!;
            session.Name = baseNick;
        }

        private enum Phase
        {
            /// <summary>Auto: listening for a greeting; nothing sent yet.</summary>
            Detecting,
            /// <summary>Auto: the server was silent; CAP LS sent, waiting for any answer.</summary>
            Probing,
            Registering,
            Ready,
            /// <summary>Auto: the server is not IRC; the session went over to the text protocol.</summary>
            Handed,
        }

        public override ChatProtocol Name => ChatProtocol.Irc;

        /// <summary>Only while probing: the tutorial's servers greet without a line end.</summary>
        public override bool UsesQuietTime => probe;

        /// <summary>Capabilities the server acknowledged.</summary>
        public HashSet<string> EnabledCapabilities { get; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

        public IrcServerSupport Support { get; } = new IrcServerSupport();

        public override string? Unfinished
        {
            get
            {
                lock (gate)
                {
                    return phase == Phase.Registering ? $"IRC registration as '{Session.Name}'" : null;
                }
            }
        }

        /// <summary>
        /// Irc: sends CAP LS 302, PASS, NICK and USER at once. Auto: listens for <see cref="ChatSessionOptions.GreetingWindow"/>;
        /// a server that speaks first decides by its first line (IRC-shaped: go on; anything else, such as
        /// "welcome!": text, nothing sent). A silent server gets the single line CAP LS 302 and has
        /// <see cref="ChatSessionOptions.ProbeTimeout"/> to answer like IRC; silence or a non-IRC answer means text.
        /// Completes once registered (001), the MOTD is over and every room (#lobby when none was given) is joined or refused.
        /// </summary>
        public override async Task StartAsync(CancellationToken cancel)
        {
            if (probe)
            {
                await WaitAsync(decided.Task, Session.Options.GreetingWindow, cancel).ConfigureAwait(false);
                lock (gate)
                {
                    if (phase == Phase.Detecting)
                    {
                        phase = Phase.Probing;
                        SendCapabilityQuery();
                    }
                }

                await WaitAsync(decided.Task, Session.Options.ProbeTimeout, cancel).ConfigureAwait(false);
                lock (gate)
                {
                    if (phase == Phase.Probing) HandToText(null);
                    if (phase == Phase.Handed) return;
                }
            }
            else
            {
                lock (gate)
                {
                    SendCapabilityQuery();
                    SendRegistration();
                }
            }

            await WaitAsync(Task.WhenAny(ready.Task, Session.LinkClosed), Timeout.InfiniteTimeSpan, cancel).ConfigureAwait(false);
            cancel.ThrowIfCancellationRequested();
            if (!ready.Task.IsCompleted)
            {
                throw new ChatProtocolException($"The server closed the connection during IRC registration: {Session.LinkCloseReason}.");
            }

            await ready.Task.ConfigureAwait(false);
        }

        public override void OnLine(byte[] buffer, int offset, int count, LineTerminator terminator)
        {
            string line = TextRules.LenientUtf8.GetString(buffer, offset, count);
            var message = IrcMessage.Parse(buffer, offset, count);
            lock (gate)
            {
                if (phase == Phase.Detecting || phase == Phase.Probing)
                {
                    if (message == null || !LooksLikeIrc(message))
                    {
                        HandToText(new ArraySegment<byte>(buffer, offset, count), terminator);
                        return;
                    }

                    if (phase == Phase.Detecting) SendCapabilityQuery();
                    SendRegistration();
                    phase = Phase.Registering;
                    Session.SetQuietTime(false);
                    decided.TrySetResult(true);
                }

                if (message == null) return;
                HandleAnswering(message, line);
            }
        }

        public override void SendText(string? room, string? to, string text)
        {
            string target = to ?? NormaliseRoom(room ?? Session.DefaultRoom);
            if (target.Length == 0) throw new ArgumentException("There is no room to send to: join one, or give -Room or -To.");
            if (text.Length == 0) return; // IRC has no empty messages (the server would answer 412)
            if (to == null) EnsureMember(target);
            int room4Text = Support.LineLength - 2 - RelayPrefixLength("PRIVMSG", target);
            foreach (string piece in Text.Utf8Splitter.Split(text, room4Text))
            {
                Send(new IrcMessage("PRIVMSG", target, piece));
            }
        }

        public override void Join(string room, string? key)
        {
            string channel = NormaliseRoom(room);
            lock (gate) joining.Add(channel);
            Send(key == null ? new IrcMessage("JOIN", channel) : new IrcMessage("JOIN", channel, key));
        }

        public override void Part(string room, string? reason) =>
            Send(reason == null ? new IrcMessage("PART", NormaliseRoom(room)) : new IrcMessage("PART", NormaliseRoom(room), reason));

        public override void Quit(string reason) => Send(new IrcMessage("QUIT", reason));

        /// <summary>A PING the server must answer: the keepalive's question.</summary>
        public override void SendKeepAlive() => Reply(new IrcMessage("PING", "pschat-keepalive"));

        /// <summary>NICK; the session's name changes when the server echoes it (or a 432/433 arrives as a System message).</summary>
        public override void ChangeName(string name) => Send(new IrcMessage("NICK", name));

        /// <summary>NAMES; the 353 lines arrive as System messages listing the members.</summary>
        public override void RequestMembers(string room) => Send(new IrcMessage("NAMES", NormaliseRoom(room)));

        /// <summary>
        /// A message to a room we are not in would be refused by the server (404) long after Send returned;
        /// say so now. A room being joined counts as joined.
        /// </summary>
        private void EnsureMember(string channel)
        {
            if (!Support.IsChannel(channel)) return;
            foreach (string room in Session.Rooms)
            {
                if (Support.SameName(room, channel)) return;
            }

            bool kicked;
            lock (gate)
            {
                if (joining.Contains(channel)) return;
                kicked = kickedFrom.Contains(channel);
            }

            string why = kicked ? "was kicked from" : "is not in";
            throw new ChatTargetException($"Session {Session.Id} {why} {channel}, so the message would not be delivered: join it first (Enter-ChatRoom /join, or $session.Join('{channel}')).", channel);
        }

        /// <summary>A channel name as the server wants it: '#' added when the name has no channel prefix.</summary>
        internal string NormaliseRoom(string room) =>
            room.Length == 0 || Support.IsChannel(room) ? room : "#" + room;

        /// <summary>A first line from an IRC server has a source, or is one of the few commands sent without one.</summary>
        private static bool LooksLikeIrc(IrcMessage message)
        {
            string command = message.Command;
            bool numeric = command.Length == 3 && command.All(char.IsDigit);
            bool word = command.All(c => c >= 'A' && c <= 'Z');
            if (message.Source != null) return numeric || word;
            return command == "PING" || command == "NOTICE" || command == "ERROR" || command == "CAP";
        }

        private static async Task WaitAsync(Task task, TimeSpan timeout, CancellationToken cancel)
        {
            using (var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel))
            {
                await Task.WhenAny(task, Task.Delay(timeout, stop.Token)).ConfigureAwait(false);
                stop.Cancel();
            }
        }

        private void HandToText(ArraySegment<byte>? firstLine, LineTerminator terminator = LineTerminator.None)
        {
            phase = Phase.Handed;
            Session.HandOverToText();
            if (firstLine is ArraySegment<byte> line) Session.ReplayLine(line, terminator);
            decided.TrySetResult(false);
        }

        private void SendCapabilityQuery() => Reply(new IrcMessage("CAP", "LS", "302"));

        private void SendRegistration()
        {
            if (Session.Options.Password is SecureString password && password.Length > 0) Reply(new IrcMessage("PASS", SecretText.Reveal(password)));
            Reply(new IrcMessage("NICK", baseNick));
            string user = new string(baseNick.Where(c => c < 0x80 && char.IsLetterOrDigit(c)).Take(10).ToArray());
            Reply(new IrcMessage("USER", user.Length > 0 ? user : "pschat", "0", "*", "PSChat"));
        }

        /// <summary>A line on the session's own account: paced.</summary>
        private void Send(IrcMessage message) => Session.SendPaced(message.ToBytes());

        /// <summary>An answer the protocol gives by itself while reading: a closing connection needs none, and must not stop the reader.</summary>
        private void Reply(IrcMessage message)
        {
            try
            {
                Session.SendBytes(message.ToBytes()); // never paced: PONG and CAP must not wait behind chat
            }
            catch (InvalidOperationException)
            {
            }
        }

        private void Handle(IrcMessage message, string line)
        {
            if (OnHistoryLine(message, line)) return;
            string? nick = message.SourceNick;
            if (message.Source != null && message.Source.IndexOf('!') > 0 && Support.SameName(nick, Session.Name)) ownSource = message.Source;
            switch (message.Command)
            {
                case "PING":
                    Reply(new IrcMessage("PONG", message.Parameters.ToArray()));
                    return;
                case "CAP":
                    OnCapability(message);
                    return;
                case "AUTHENTICATE":
                    OnAuthenticate(message);
                    return;
                case "ERROR":
                    Session.NoteServerGoodbye(message[0] ?? "ERROR");
                    Fail($"The server ended the connection: {message[0]}");
                    Deliver(message, line, ChatMessageKind.System, null, null, message[0] ?? string.Empty);
                    return;
                case "PRIVMSG":
                case "NOTICE":
                    OnText(message, line);
                    return;
                case "TAGMSG":
                    OnTagMessage(message);
                    return;
                case "JOIN":
                    OnMembership(message, line, ChatMessageKind.Join, "joined");
                    return;
                case "PART":
                    OnMembership(message, line, ChatMessageKind.Part, message[1] ?? "left");
                    return;
                case "KICK":
                    OnKick(message, line);
                    return;
                case "QUIT":
                    Deliver(message, line, ChatMessageKind.Quit, null, nick, message[0] ?? string.Empty);
                    return;
                case "NICK":
                    if (Support.SameName(nick, Session.Name)) Session.Name = message[0];
                    Deliver(message, line, ChatMessageKind.Nick, null, nick, message[0] ?? string.Empty);
                    return;
                case "TOPIC":
                    Deliver(message, line, ChatMessageKind.Topic, message[0], nick, message[1] ?? string.Empty);
                    return;
            }

            if (message.Command.Length == 3 && char.IsDigit(message.Command[0])) OnNumeric(message, line);
        }

        private void OnCapability(IrcMessage message)
        {
            string sub = message[1] ?? string.Empty;
            string list = message.Parameters.Count > 0 ? message.Parameters[message.Parameters.Count - 1] : string.Empty;
            bool more = message.Parameters.Count > 3 && message[2] == "*";
            string[] names = list.Split(new[] { ' ' }, StringSplitOptions.RemoveEmptyEntries);
            switch (sub)
            {
                case "LS":
                    offeredCapabilities.AddRange(names.Select(n => n.Split('=')[0]));
                    NotePayloadOffer(names);
                    if (more || phase != Phase.Registering) return;
                    if (!SaslPossible()) return;
                    var wanted = WantedCapabilities.Where(w => offeredCapabilities.Contains(w, StringComparer.OrdinalIgnoreCase)).Concat(SaslCapability).ToArray();
                    Reply(wanted.Length > 0 ? new IrcMessage("CAP", "REQ", string.Join(" ", wanted)) : new IrcMessage("CAP", "END"));
                    return;
                case "ACK":
                    lock (EnabledCapabilities)
                    {
                        foreach (string name in names)
                        {
                            if (name.StartsWith("-", StringComparison.Ordinal)) EnabledCapabilities.Remove(name.Substring(1));
                            else EnabledCapabilities.Add(name);
                        }
                    }

                    if (phase == Phase.Registering && !more && !StartSasl()) Reply(new IrcMessage("CAP", "END"));
                    return;
                case "NAK":
                    if (phase == Phase.Registering && !SaslRefusedCapability()) Reply(new IrcMessage("CAP", "END"));
                    return;
            }
        }

        private bool RetryNick(IrcMessage message)
        {
            if (++nickAttempt > MaxNickAttempts)
            {
                Fail($"The server refused the nick '{baseNick}' and {MaxNickAttempts} variants of it ({message.Command}: {message[message.Parameters.Count - 1]}).");
                return false;
            }

            if (message.Command == "432") baseNick = ValidNick(baseNick, nickAttempt);
            string candidate = baseNick + (nickAttempt == 1 ? "_" : nickAttempt.ToString(CultureInfo.InvariantCulture));
            Session.Name = candidate;
            Reply(new IrcMessage("NICK", candidate));
            return true;
        }

        /// <summary>After an erroneous-nick reply: letters, digits and IRC specials only, shortened so the suffix fits 9 characters.</summary>
        private static string ValidNick(string nick, int attempt)
        {
            string clean = new string(nick.Where(c => c < 0x80 && (char.IsLetterOrDigit(c) || "[]\\`_^{|}-".IndexOf(c) >= 0)).ToArray());
            if (clean.Length == 0 || char.IsDigit(clean[0]) || clean[0] == '-') clean = "pschat" + clean;
            int suffix = attempt == 1 ? 1 : attempt.ToString(CultureInfo.InvariantCulture).Length;
            return clean.Substring(0, Math.Min(clean.Length, Math.Max(1, 9 - suffix)));
        }

        private void JoinRequestedRooms()
        {
            var rooms = Session.RoomsToJoin.Length > 0 ? Session.RoomsToJoin : new[] { ChatSessionOptions.LobbyRoom };
            foreach (string entry in rooms)
            {
                // "#room key": a channel name cannot hold a space, so the rest is the key.
                string[] parts = entry.Split(new[] { ' ' }, 2, StringSplitOptions.RemoveEmptyEntries);
                if (parts.Length == 0) continue;
                string channel = NormaliseRoom(parts[0]);
                pendingJoins.Add(channel);
                Reply(parts.Length > 1 ? new IrcMessage("JOIN", channel, parts[1]) : new IrcMessage("JOIN", channel));
            }

            CompleteWhenJoined();
        }

        private void ForgetPendingJoin(string? channel)
        {
            if (channel == null) return;
            pendingJoins.RemoveAll(c => Support.SameName(c, channel));
            CompleteWhenJoined();
        }

        private void CompleteWhenJoined()
        {
            if (phase != Phase.Registering || !motdDone || pendingJoins.Count > 0) return;
            phase = Phase.Ready;
            ready.TrySetResult(true);
        }

        private void Fail(string reason)
        {
            if (phase == Phase.Registering) ready.TrySetException(new ChatProtocolException(reason));
        }
    }
}
