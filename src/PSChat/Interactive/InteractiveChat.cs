using System;
using System.Collections.Concurrent;
using System.Globalization;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation.Host;
using System.Threading;
using System.Threading.Tasks;
using PSChat.Engine.Text;

namespace PSChat.Commands.Interactive
{
    /// <summary>
    /// The console chat of Enter-ChatRoom. The session's I/O thread only queues messages; everything that
    /// touches the console runs on the pipeline thread in <see cref="Run"/>, which keeps the line being
    /// typed intact by erasing it (all its rows when it wraps), printing what arrived above it, and
    /// drawing it again. The editing itself (cursor, history, completion, widths) is <see cref="LineEditor"/>'s.
    /// </summary>
    internal sealed class InteractiveChat : IDisposable
    {
        /// <summary>How long to wait for a message before looking at the keyboard again.</summary>
        private static readonly TimeSpan KeyPollInterval = TimeSpan.FromMilliseconds(30);

        private const char CtrlC = '\x03';
        private const char CtrlA = '\x01';
        private const char CtrlE = '\x05';
        private const char CtrlL = '\x0c';
        private const char CtrlU = '\x15';
        private const char CtrlW = '\x17';

        private static readonly string[] Commands = { "/join", "/part", "/msg", "/nick", "/who", "/quit", "/help" };

        private const string Help =
            "Commands: /join #room, /part [#room], /msg nick text, /nick name (IRC), /who [#room] (IRC), /quit [reason], /help. " +
            "'exit' returns to PowerShell and keeps the session open.";

        private readonly ChatSession session;
        private readonly PSHostUserInterface ui;
        private readonly BlockingCollection<ChatMessage> incoming = new BlockingCollection<ChatMessage>(new ConcurrentQueue<ChatMessage>());
        private readonly LineEditor editor = new LineEditor();
        private readonly int consoleThreadId = Environment.CurrentManagedThreadId;
        private readonly bool vt;
        private string room;

        /// <summary>Whether the prompt and line are on screen, and the row of the line's block the cursor is on.</summary>
        private bool drawn;
        private int drawnCursorRow;
        private int drawnRows;
        private int drawnTop;

        /// <summary>A /join waiting for the server's answer; the prompt moves to the room once it is in.</summary>
        private (string Room, Task Join)? joining;

        public InteractiveChat(ChatSession session, PSHostUserInterface ui, string room)
        {
            this.session = session;
            this.ui = ui;
            this.room = room;
            vt = ui.SupportsVirtualTerminal;
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
                while (incoming.TryTake(out var message)) Show(message);
                FinishJoin();
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
                        if (incoming.TryTake(out var message, (int)KeyPollInterval.TotalMilliseconds, stopping)) Show(message);
                    }
                    catch (OperationCanceledException)
                    {
                        break;
                    }

                    continue;
                }

                // Ctrl+C is taken as a key, not left to the host: depending on the console it either stops the
                // pipeline or is swallowed while keys are read, so leave the chat the same way everywhere.
                // Key-up events are read too (the Windows console reports them as available) and passed over:
                // asking for key-down only would block here until the next key-down, and messages would stop.
                var key = ui.RawUI.ReadKey(ReadKeyOptions.NoEcho | ReadKeyOptions.IncludeKeyDown | ReadKeyOptions.IncludeKeyUp | ReadKeyOptions.AllowCtrlC);
                if (!key.KeyDown) continue;
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
            const int Enter = 13, Backspace = 8, Tab = 9, Escape = 27, End = 35, Home = 36, Left = 37, Up = 38, Right = 39, Down = 40, Delete = 46;
            if (key.VirtualKeyCode == Enter || key.Character == '\r' || key.Character == '\n')
            {
                string line = editor.Submit();
                Redraw();
                return line;
            }

            switch (key.Character)
            {
                case '\b':
                case '\x7f':
                    editor.Backspace();
                    break;
                case '\t':
                    editor.Complete(Candidates);
                    break;
                case CtrlA:
                    editor.Home();
                    break;
                case CtrlE:
                    editor.End();
                    break;
                case CtrlU:
                    editor.KillToStart();
                    break;
                case CtrlW:
                    editor.KillWordBack();
                    break;
                case CtrlL:
                    ClearScreen();
                    return null;
                default:
                    switch (key.VirtualKeyCode)
                    {
                        case Backspace: editor.Backspace(); break;
                        case Tab: editor.Complete(Candidates); break;
                        case Escape: editor.Clear(); break;
                        case Left: editor.Left(); break;
                        case Right: editor.Right(); break;
                        case Home: editor.Home(); break;
                        case End: editor.End(); break;
                        case Up: editor.HistoryUp(); break;
                        case Down: editor.HistoryDown(); break;
                        case Delete: editor.Delete(); break;
                        default:
                            if (char.IsControl(key.Character) || key.Character == '\0') return null;
                            editor.Insert(key.Character.ToString());
                            break;
                    }

                    break;
            }

            Redraw();
            return null;
        }

        /// <summary>What Tab offers: commands for a first word with '/', rooms for '#', otherwise the nicks here first.</summary>
        private IEnumerable<string> Candidates(string word, bool first)
        {
            if (first && word.StartsWith("/", StringComparison.Ordinal)) return Commands;
            if (word.StartsWith("#", StringComparison.Ordinal) || word.StartsWith("&", StringComparison.Ordinal)) return session.Rooms;
            var nicks = (room.Length > 0 ? session.GetMembers(room) : new string[0]).Concat(session.GetMembers());
            return nicks.Where(n => !string.Equals(n, session.Name, StringComparison.OrdinalIgnoreCase));
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
                    if (session.Protocol != ChatProtocol.Irc)
                    {
                        session.Join(rest); // the protocol says why it has no rooms to join
                        return null;
                    }

                    // The prompt moves once the server let us in (FinishJoin); a refusal leaves it where it is.
                    string[] joinWords = rest.Split(new[] { ' ' }, 2, StringSplitOptions.RemoveEmptyEntries);
                    joining = (joinWords[0], session.JoinAsync(joinWords[0], joinWords.Length > 1 ? joinWords[1] : null));
                    Print($"*** Joining {joinWords[0]}.");
                    FinishJoin();
                    return null;
                case "part":
                    string leaving = rest.Length > 0 ? rest : room;
                    session.Part(leaving);
                    Print($"*** Leaving {leaving}.");
                    if (string.Equals(leaving, room, StringComparison.OrdinalIgnoreCase)) MoveOutOf(leaving);
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

        private void Show(ChatMessage message)
        {
            Print(Render(message));
            // Kicked out of the room the prompt shows: lines must not go on into it.
            if (message.Kind == ChatMessageKind.Kick && string.Equals(message.Target, session.Name, StringComparison.OrdinalIgnoreCase)
                && string.Equals(message.Room, room, StringComparison.OrdinalIgnoreCase))
            {
                MoveOutOf(room);
            }
        }

        /// <summary>Lines must not go on into a room we left: the next joined room takes over, or none.</summary>
        private void MoveOutOf(string left)
        {
            room = session.Rooms.FirstOrDefault(r => !string.Equals(r, left, StringComparison.OrdinalIgnoreCase)) ?? string.Empty;
            Print(room.Length > 0 ? $"*** Lines now go to {room}." : "*** You are in no room now: /join one to talk.");
        }

        /// <summary>A /join the server answered: the prompt moves to the room, or the refusal is shown.</summary>
        private void FinishJoin()
        {
            if (!(joining is (string target, Task join)) || !join.IsCompleted) return;
            joining = null;
            if (join.Exception?.InnerException is Exception failed)
            {
                Print("*** " + failed.Message);
                return;
            }

            room = session.Rooms.FirstOrDefault(r => string.Equals(r.TrimStart('#'), target.TrimStart('#'), StringComparison.OrdinalIgnoreCase)) ?? target;
            Print($"*** Now in {room}; lines go there.");
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

        /// <summary>Draws prompt and line (on as many rows as they take) and puts the cursor where the editor has it.</summary>
        private void Redraw()
        {
            Erase();
            int width = Width;
            var layout = editor.Layout(Prompt, width);
            if (!vt) drawnTop = ui.RawUI.CursorPosition.Y;
            Write(Prompt + editor.Text);
            if (vt)
            {
                // A last row filled to the edge leaves the terminal's cursor waiting at its end: go to the next row.
                if (layout.EndColumn == 0 && layout.EndRow > 0) Write("\r\n");
                int up = layout.EndRow - layout.CursorRow;
                Write((up > 0 ? $"\x1b[{up}A" : string.Empty) + "\r" + (layout.CursorColumn > 0 ? $"\x1b[{layout.CursorColumn}C" : string.Empty));
            }
            else
            {
                drawnTop = Math.Max(0, Math.Min(drawnTop, ui.RawUI.CursorPosition.Y - layout.EndRow));
                ui.RawUI.CursorPosition = new Coordinates(layout.CursorColumn, drawnTop + layout.CursorRow);
            }

            drawn = true;
            drawnCursorRow = layout.CursorRow;
            drawnRows = layout.Rows;
        }

        /// <summary>Takes prompt and line off the screen, every row of them, leaving the cursor where they began.</summary>
        private void Erase()
        {
            if (!drawn) return;
            drawn = false;
            if (vt)
            {
                Write((drawnCursorRow > 0 ? $"\x1b[{drawnCursorRow}A" : string.Empty) + "\r\x1b[J");
                return;
            }

            int width = Width;
            ui.RawUI.CursorPosition = new Coordinates(0, drawnTop);
            Write(new string(' ', Math.Max(1, drawnRows * width - 1)));
            ui.RawUI.CursorPosition = new Coordinates(0, drawnTop);
        }

        /// <summary>Ctrl+L: a clear screen with the line at the top.</summary>
        private void ClearScreen()
        {
            if (vt) Write("\x1b[H\x1b[2J");
            else ui.RawUI.SetBufferContents(new Rectangle(-1, -1, -1, -1), new BufferCell(' ', ui.RawUI.ForegroundColor, ui.RawUI.BackgroundColor, BufferCellType.Complete));
            if (!vt) ui.RawUI.CursorPosition = new Coordinates(0, 0);
            drawn = false;
            Redraw();
        }

        private int Width
        {
            get
            {
                int width = ui.RawUI.BufferSize.Width;
                return width > 0 ? width : 80;
            }
        }

        private void Write(string text)
        {
            // The threading rule: only the pipeline thread that created the chat may touch the console.
            if (Environment.CurrentManagedThreadId != consoleThreadId) throw new InvalidOperationException("Enter-ChatRoom wrote to the console from a background thread.");
            ui.Write(text);
        }
    }
}
