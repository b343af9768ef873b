using System;
using System.Collections.Concurrent;
using System.Globalization;
using System.Linq;
using System.Management.Automation.Host;
using System.Text;
using System.Threading;

namespace PSChat.Commands.Interactive
{
    /// <summary>
    /// The console chat of Enter-ChatRoom. The session's I/O thread only queues messages; everything that
    /// touches the console runs on the pipeline thread in <see cref="Run"/>, which keeps the line being
    /// typed intact by erasing it, printing what arrived above it, and drawing it again.
    /// </summary>
    internal sealed class InteractiveChat : IDisposable
    {
        /// <summary>How long to wait for a message before looking at the keyboard again.</summary>
        private static readonly TimeSpan KeyPollInterval = TimeSpan.FromMilliseconds(30);

        private const char CtrlC = '\x03';

        private const string Help =
            "Commands: /join #room, /part [#room], /msg nick text, /nick name (IRC), /who [#room] (IRC), /quit [reason], /help. " +
            "'exit' returns to PowerShell and keeps the session open.";

        private readonly ChatSession session;
        private readonly PSHostUserInterface ui;
        private readonly BlockingCollection<ChatMessage> incoming = new BlockingCollection<ChatMessage>(new ConcurrentQueue<ChatMessage>());
        private readonly StringBuilder typed = new StringBuilder();
        private readonly int consoleThreadId = Environment.CurrentManagedThreadId;
        private string room;
        private int drawnLength;

        public InteractiveChat(ChatSession session, PSHostUserInterface ui, string room)
        {
            this.session = session;
            this.ui = ui;
            this.room = room;
            session.MessageReceived += OnMessage;
        }

        private string Prompt => $"{room}> ";

        public void Dispose()
        {
            session.MessageReceived -= OnMessage;
            incoming.Dispose();
        }

        /// <summary>Chats until exit, /quit, Ctrl+C or the session closes; says which.</summary>
        public string Run(CancellationToken stopping)
        {
            Print($"*** Chatting as {session.Name} on {PSChat.Engine.Client.HostPort.Format(session.ComputerName, session.Port)} ({session.Protocol}). /help for commands, exit to leave.");
            while (!stopping.IsCancellationRequested)
            {
                while (incoming.TryTake(out var message)) Print(Render(message));
                if (session.State == SessionState.Closed)
                {
                    Print($"*** Session closed: {session.CloseReason}");
                    Erase();
                    return "session closed";
                }

                if (!ui.RawUI.KeyAvailable)
                {
                    try
                    {
                        if (incoming.TryTake(out var message, (int)KeyPollInterval.TotalMilliseconds, stopping)) Print(Render(message));
                    }
                    catch (OperationCanceledException)
                    {
                        break;
                    }

                    continue;
                }

                // Ctrl+C is taken as a key, not left to the host: depending on the console it either stops the
                // pipeline or is swallowed while keys are read, so leave the chat the same way everywhere.
                var key = ui.RawUI.ReadKey(ReadKeyOptions.NoEcho | ReadKeyOptions.IncludeKeyDown | ReadKeyOptions.AllowCtrlC);
                if (key.Character == CtrlC)
                {
                    Erase();
                    return "Ctrl+C";
                }

                string? line = Edit(key);
                if (line == null) continue;
                string? end = Submit(line);
                if (end != null) return end;
            }

            Erase();
            return "stopped";
        }

        private void OnMessage(object? sender, ChatMessageEventArgs e)
        {
            try
            {
                incoming.Add(e.Message);
            }
            catch (ObjectDisposedException)
            {
                // The chat ended while a message was arriving; Receive-ChatMessage still has it.
            }
        }

        /// <summary>Applies one key to the line being typed; returns the line when Enter completes it.</summary>
        private string? Edit(KeyInfo key)
        {
            const int Enter = 13, Backspace = 8, Escape = 27;
            if (key.VirtualKeyCode == Enter || key.Character == '\r' || key.Character == '\n')
            {
                string line = typed.ToString();
                typed.Clear();
                return line;
            }

            if (key.VirtualKeyCode == Backspace || key.Character == '\b' || key.Character == '\x7f')
            {
                if (typed.Length > 0)
                {
                    typed.Length--;
                    Redraw();
                }
            }
            else if (key.VirtualKeyCode == Escape)
            {
                typed.Clear();
                Redraw();
            }
            else if (!char.IsControl(key.Character))
            {
                typed.Append(key.Character);
                Write(key.Character.ToString());
                drawnLength++;
            }

            return null;
        }

        /// <summary>Sends a line or runs a slash command; returns why the chat ends, or null to go on.</summary>
        private string? Submit(string line)
        {
            if (line.Trim() == "exit")
            {
                Erase();
                return "exit";
            }

            if (line.Trim().Length == 0)
            {
                Redraw();
                return null;
            }

            try
            {
                return line.StartsWith("/", StringComparison.Ordinal) ? Command(line) : Say(line);
            }
            catch (Exception ex) when (ex is NotSupportedException || ex is InvalidOperationException || ex is ArgumentException)
            {
                Print("*** " + ex.Message);
                return null;
            }
        }

        private string? Say(string text)
        {
            if (room.Length == 0 && session.Protocol == ChatProtocol.Irc)
            {
                Print("*** You are in no room: /join one to talk, or /msg nick text.");
                return null;
            }

            session.Send(text, room);
            Print($"{Time(DateTime.Now)} <{session.Name}> {text}");
            return null;
        }

        private string? Command(string line)
        {
            string[] words = line.Substring(1).Split(new[] { ' ' }, 2, StringSplitOptions.RemoveEmptyEntries);
            string verb = words.Length > 0 ? words[0].ToLowerInvariant() : string.Empty;
            string rest = words.Length > 1 ? words[1].Trim() : string.Empty;
            switch (verb)
            {
                case "join" when rest.Length > 0:
                    session.Join(rest);
                    room = rest;
                    Print($"*** Joining {rest}; lines now go there.");
                    return null;
                case "part":
                    string leaving = rest.Length > 0 ? rest : room;
                    session.Part(leaving);
                    Print($"*** Leaving {leaving}.");
                    if (string.Equals(leaving, room, StringComparison.OrdinalIgnoreCase))
                    {
                        // Lines must not go on into a room we left: the next joined room takes over, or none.
                        room = session.Rooms.FirstOrDefault(r => !string.Equals(r, leaving, StringComparison.OrdinalIgnoreCase)) ?? string.Empty;
                        Print(room.Length > 0 ? $"*** Lines now go to {room}." : "*** You are in no room now: /join one to talk.");
                    }

                    return null;
                case "msg" when rest.Contains(" "):
                    string[] target = rest.Split(new[] { ' ' }, 2);
                    session.Send(target[1], null, target[0]);
                    Print($"{Time(DateTime.Now)} -> *{target[0]}* {target[1]}");
                    return null;
                case "nick" when rest.Length > 0:
                    session.ChangeName(rest);
                    return null;
                case "who":
                    session.RequestMembers(rest.Length > 0 ? rest : room);
                    return null;
                case "quit":
                    session.Disconnect(rest.Length > 0 ? rest : "Leaving");
                    Print("*** Disconnected.");
                    Erase();
                    return "quit";
                case "help":
                    Print("*** " + Help);
                    return null;
                default:
                    Print($"*** Not understood: {line}. {Help}");
                    return null;
            }
        }

        /// <summary>One incoming message as a line, the room shown when it is not the current one.</summary>
        private string Render(ChatMessage m)
        {
            string where = string.IsNullOrEmpty(m.Room) || string.Equals(m.Room, room, StringComparison.OrdinalIgnoreCase) ? string.Empty : $"[{m.Room}] ";
            string body = m.Kind switch
            {
                ChatMessageKind.Message => m.Sender == null ? m.Text : $"<{m.Sender}> {m.Text}",
                ChatMessageKind.Private => $"*{m.Sender}* {m.Text}",
                ChatMessageKind.Notice => $"-{m.Sender}- {m.Text}",
                ChatMessageKind.System => "*** " + m.Text,
                _ => $"* {m.Sender} {m.Kind.ToString().ToLowerInvariant()} {m.Text}".TrimEnd(),
            };
            return $"{Time(m.Time)} {where}{body}";
        }

        private static string Time(DateTime time) => time.ToString("HH:mm:ss", CultureInfo.InvariantCulture);

        /// <summary>
        /// A line above the prompt; the typed text is drawn again below it. Whatever the line holds from
        /// others (a message, a name, a close reason) is shown by SafeText, so it cannot set the title, write
        /// the clipboard or move the cursor.
        /// </summary>
        private void Print(string line)
        {
            Erase();
            Write(SafeText.Render(line) + Environment.NewLine);
            Redraw();
        }

        private void Redraw()
        {
            Erase();
            string text = Prompt + typed;
            Write(text);
            drawnLength = text.Length;
        }

        private void Erase()
        {
            if (drawnLength == 0) return;
            Write("\r" + new string(' ', drawnLength) + "\r");
            drawnLength = 0;
        }

        private void Write(string text)
        {
            // The threading rule: only the pipeline thread that created the chat may touch the console.
            if (Environment.CurrentManagedThreadId != consoleThreadId) throw new InvalidOperationException("Enter-ChatRoom wrote to the console from a background thread.");
            ui.Write(text);
        }
    }
}
