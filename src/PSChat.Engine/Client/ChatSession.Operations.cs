using System;
using System.Threading;
using System.Threading.Tasks;
using PSChat.Engine.Client;
using PSChat.Engine.Irc;

namespace PSChat
{
    /// <summary>
    /// IRC operations a script waits on: each sends its command (paced like everything the session
    /// sends) and completes when the server answers it, with a <see cref="ChatCommandRefusedException"/>
    /// when the server refuses it (e.g. 482, not a channel operator), a <see cref="TimeoutException"/>
    /// when no answer comes within <see cref="ChatSessionOptions.Timeout"/>, and an
    /// <see cref="InvalidOperationException"/> when the connection closes first. Every name is checked
    /// before anything is sent (<see cref="ClientNames"/>).
    /// </summary>
    public sealed partial class ChatSession
    {
        /// <summary>
        /// Who is in a room (or in any of the session's rooms, for none) as the server told: its NAMES reply
        /// on joining, then joins, parts, kicks, quits and nick changes. Empty on a text session.
        /// </summary>
        public string[] GetMembers(string? room = null) =>
            (protocol as IrcClientProtocol)?.Members(room) ?? new string[0];

        /// <summary>Joins a room; completes at once when the session is in it already.</summary>
        public Task JoinAsync(string room, string? key = null, CancellationToken cancel = default)
        {
            ClientNames.CheckRoom(room, nameof(room));
            if (key != null) ClientNames.CheckKey(key, nameof(key));
            return RunAsync(irc => irc.StartJoin(room, key), cancel);
        }

        /// <summary>Leaves a room.</summary>
        public Task PartAsync(string room, string? reason = null, CancellationToken cancel = default)
        {
            ClientNames.CheckRoom(room, nameof(room));
            if (reason != null) ClientNames.CheckOneLine(reason, nameof(reason), "part reason");
            return RunAsync(irc => irc.StartPart(room, reason), cancel);
        }

        /// <summary>Sets a room's topic (an empty topic clears it).</summary>
        public Task SetTopicAsync(string room, string topic, CancellationToken cancel = default)
        {
            ClientNames.CheckRoom(room, nameof(room));
            if (topic == null) throw new ArgumentNullException(nameof(topic));
            ClientNames.CheckOneLine(topic, nameof(topic), "topic");
            return RunAsync(irc => irc.StartTopic(room, topic), cancel);
        }

        /// <summary>Removes someone from a room (IRC KICK); needs channel operator status.</summary>
        public Task KickAsync(string room, string nick, string? reason = null, CancellationToken cancel = default)
        {
            ClientNames.CheckRoom(room, nameof(room));
            ClientNames.CheckNick(nick, nameof(nick));
            if (reason != null) ClientNames.CheckOneLine(reason, nameof(reason), "kick reason");
            return RunAsync(irc => irc.StartKick(room, nick, reason), cancel);
        }

        /// <summary>Changes modes of a room (or of the session's own nick): e.g. "+o" with "bob", or "+t".</summary>
        public Task SetModeAsync(string target, string modes, string[]? arguments = null, CancellationToken cancel = default)
        {
            if (target == null) throw new ArgumentNullException(nameof(target));
            if (target.Length > 0 && "#&!+".IndexOf(target[0]) >= 0) ClientNames.CheckRoom(target, nameof(target));
            else ClientNames.CheckNick(target, nameof(target));
            ClientNames.CheckModes(modes, nameof(modes));
            var given = arguments ?? new string[0];
            foreach (string argument in given) ClientNames.CheckWord(argument, nameof(arguments), "mode argument");
            return RunAsync(irc => irc.StartMode(target, modes, given), cancel);
        }

        /// <summary>Takes another nick; <see cref="Name"/> has changed when the task completes.</summary>
        public Task ChangeNameAsync(string name, CancellationToken cancel = default)
        {
            ClientNames.CheckNick(name, nameof(name));
            return RunAsync(irc => irc.StartNick(name), cancel);
        }

        /// <summary>
        /// Sends one raw IRC line as given and collects the server's answer to it (its numerics, and its
        /// echo of what we did); error numerics are in <see cref="ChatCommandResult.Refusals"/>, not thrown.
        /// </summary>
        public async Task<ChatCommandResult> SendCommandAsync(string line, CancellationToken cancel = default)
        {
            var parsed = ClientNames.CheckRawLine(line, nameof(line));
            return await RunAsync(irc => irc.StartRaw(line, parsed), cancel).ConfigureAwait(false)
                ?? new ChatCommandResult(new ChatMessage[0], new ChatCommandRefusedException[0]);
        }

        private async Task<ChatCommandResult?> RunAsync(Func<IrcClientProtocol, IrcOperation?> start, CancellationToken cancel)
        {
            EnsureOpen();
            if (!(protocol is IrcClientProtocol irc))
            {
                throw new NotSupportedException($"Session {Id} speaks the {Protocol} protocol, which has no such command; connect with -Protocol Irc.");
            }

            var link = LinkClosed;
            var operation = start(irc);
            if (operation == null) return null; // nothing to do: already so
            using (var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel))
            {
                var timeout = Task.Delay(Options.Timeout, stop.Token);
                var first = await Task.WhenAny(operation.Task, link, timeout).ConfigureAwait(false);
                stop.Cancel();
                if (first == operation.Task) return await operation.Task.ConfigureAwait(false);
                irc.Forget(operation);
                cancel.ThrowIfCancellationRequested();
                if (first == link)
                {
                    throw new InvalidOperationException($"Session {Id}'s connection closed before the server answered '{operation.Command}': {LinkCloseReason}.");
                }

                string waiting = SendsPending > 0 ? $" ({SendsPending} line(s) are still waiting their turn to be sent: see -MessagesPerSecond on Connect-ChatRoom)" : string.Empty;
                throw new TimeoutException($"The server did not answer '{operation.Command}' within {Options.Timeout.TotalSeconds:0.#} s{waiting}.");
            }
        }
    }
}
