using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using PSChat.Engine.Irc;

namespace PSChat.Engine.Client
{
    /// <summary>
    /// One IRC command a script waits on (JOIN, PART, TOPIC, KICK, MODE, NICK, or a raw line) and the
    /// server's answer to it. A server answers a connection's commands in order, so the answer is the
    /// first line that says so: the echo of the command from us (success) or an error numeric naming
    /// what the command named (refusal). Commands whose success may be silent (MODE that changes
    /// nothing, a raw line) are followed by a PING with a token of their own: its PONG closes the
    /// answer, everything in between belongs to the command.
    /// </summary>
    internal sealed class IrcOperation
    {
        private readonly TaskCompletionSource<ChatCommandResult> outcome =
            new TaskCompletionSource<ChatCommandResult>(TaskCreationOptions.RunContinuationsAsynchronously);

        private readonly List<ChatMessage> replies = new List<ChatMessage>();
        private readonly List<ChatCommandRefusedException> refusals = new List<ChatCommandRefusedException>();
        private bool refusedLast;

        /// <param name="command">The command line sent (what error messages show).</param>
        /// <param name="verb">The IRC command whose echo from us means success (null: only the marker ends it).</param>
        /// <param name="subjects">Names an error numeric must name to belong to this command (its second parameter).</param>
        /// <param name="marker">The PING token that ends the answer, or null when the echo or an error always comes.</param>
        /// <param name="collects">Whether the answer's lines are kept as <see cref="ChatCommandResult.Replies"/> (a raw line).</param>
        public IrcOperation(IrcMessage command, string? verb, string[] subjects, string? marker, bool collects)
        {
            Command = command;
            Verb = verb;
            Subjects = subjects;
            Marker = marker;
            Collects = collects;
        }

        public IrcMessage Command { get; }

        public string? Verb { get; }

        public string[] Subjects { get; }

        public string? Marker { get; }

        public bool Collects { get; }

        /// <summary>When set, the echo must also carry this as its second parameter (KICK's nick).</summary>
        public string? EchoSecond { get; set; }

        public Task<ChatCommandResult> Task => outcome.Task;

        /// <summary>
        /// Looks at one line from the server (on the reader thread, under the protocol's lock). Returns
        /// whether the line answers this command; <paramref name="done"/> says whether the answer is complete.
        /// </summary>
        public bool Observe(IrcMessage message, IrcServerSupport support, string? ownNick, out bool done)
        {
            done = false;
            refusedLast = false;
            string command = message.Command;
            if (Marker != null && command == "PONG" && message.Parameters.Count > 0 && message.Parameters[message.Parameters.Count - 1] == Marker)
            {
                done = true;
                return true;
            }

            bool numeric = command.Length == 3 && char.IsDigit(command[0]) && char.IsDigit(command[1]) && char.IsDigit(command[2]);
            if (numeric && (command[0] == '4' || command[0] == '5') && NamesSubject(message, support))
            {
                refusedLast = true;
                refusals.Add(new ChatCommandRefusedException(Command.ToString(), command, message.Parameters.Count >= 3 ? message[1] : null, Trailing(message)));
                done = Marker == null || !Collects; // a raw line's answer goes on until its marker
                return true;
            }

            bool fromUs = message.Source != null && support.SameName(message.SourceNick, ownNick);
            if (Verb != null && fromUs && command == Verb && support.SameName(message[0], Subjects[0])
                && (EchoSecond == null || support.SameName(message[1], EchoSecond)))
            {
                done = Marker == null;
                return true;
            }

            // A raw line's answer: the server's own replies and what it echoes of ours, not other people's chat.
            return Collects && (numeric || fromUs);
        }

        /// <summary>Called by the session for each message the answer's lines became.</summary>
        public void Collect(ChatMessage message)
        {
            if (Collects && !refusedLast) replies.Add(message); // a refusal is reported as one, not as a reply
        }

        /// <summary>Ends the wait (on the reader thread, after the line that completed it was handled).</summary>
        public void Complete()
        {
            if (refusals.Count > 0 && !Collects)
            {
                outcome.TrySetException(refusals[0]);
                return;
            }

            outcome.TrySetResult(new ChatCommandResult(replies.ToArray(), refusals.ToArray()));
        }

        public void Fail(Exception exception) => outcome.TrySetException(exception);

        /// <summary>
        /// An error numeric belongs to this command when it names what the command named (a channel, a
        /// nick, the command itself); with a marker, any error before it does (the server answers in order).
        /// </summary>
        private bool NamesSubject(IrcMessage message, IrcServerSupport support)
        {
            if (Marker != null) return true;
            string? named = message[1];
            if (message.Parameters.Count < 3 || named == null) return false;
            if (string.Equals(named, Command.Command, StringComparison.OrdinalIgnoreCase)) return true;
            foreach (string subject in Subjects)
            {
                if (support.SameName(named, subject)) return true;
            }

            return false;
        }

        private static string Trailing(IrcMessage message) =>
            message.Parameters.Count > 1 ? message.Parameters[message.Parameters.Count - 1] : string.Empty;
    }
}
