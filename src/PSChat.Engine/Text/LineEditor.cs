using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace PSChat.Engine.Text
{
    /// <summary>Where a line being edited lands on a terminal of a given width: rows, cursor, end.</summary>
    public readonly struct EditorLayout
    {
        public EditorLayout(int rows, int cursorRow, int cursorColumn, int endRow, int endColumn)
        {
            Rows = rows;
            CursorRow = cursorRow;
            CursorColumn = cursorColumn;
            EndRow = endRow;
            EndColumn = endColumn;
        }

        /// <summary>Rows the prompt and the text take.</summary>
        public int Rows { get; }

        public int CursorRow { get; }

        public int CursorColumn { get; }

        /// <summary>Where the terminal's cursor is after writing prompt and text (a full last row puts it on the next).</summary>
        public int EndRow { get; }

        public int EndColumn { get; }
    }

    /// <summary>
    /// The line being typed in Enter-ChatRoom, with no console in sight: the text and a cursor that moves
    /// by whole characters (a surrogate pair, a letter with its combining marks), history (Up/Down, the
    /// draft kept), Ctrl+U, Ctrl+W, Tab completion that cycles, and the layout on a terminal of any
    /// width with wide (CJK) characters taking two columns and wrapping as terminals wrap them.
    /// </summary>
    public sealed class LineEditor
    {
        private readonly StringBuilder text = new StringBuilder();
        private readonly List<string> history = new List<string>();
        private readonly int historyLimit;
        private int historyIndex;
        private string draft = string.Empty;
        private Completion? completion;

        public LineEditor(int historyLimit = 200)
        {
            this.historyLimit = Math.Max(1, historyLimit);
        }

        public string Text => text.ToString();

        /// <summary>The cursor as an index into <see cref="Text"/>, always between whole characters.</summary>
        public int Cursor { get; private set; }

        public IReadOnlyList<string> History => history;

        /// <summary>Types text at the cursor; control characters are left out.</summary>
        public void Insert(string typed)
        {
            completion = null;
            string clean = new string(typed.Where(c => !char.IsControl(c)).ToArray());
            text.Insert(Cursor, clean);
            Cursor += clean.Length;
        }

        /// <summary>Deletes the character before the cursor (all of it: both halves of a pair, its marks).</summary>
        public bool Backspace()
        {
            completion = null;
            if (Cursor == 0) return false;
            int start = PreviousBoundary(Cursor);
            text.Remove(start, Cursor - start);
            Cursor = start;
            return true;
        }

        /// <summary>Deletes the character under the cursor.</summary>
        public bool Delete()
        {
            completion = null;
            if (Cursor >= text.Length) return false;
            text.Remove(Cursor, NextBoundary(Cursor) - Cursor);
            return true;
        }

        public bool Left()
        {
            completion = null;
            if (Cursor == 0) return false;
            Cursor = PreviousBoundary(Cursor);
            return true;
        }

        public bool Right()
        {
            completion = null;
            if (Cursor >= text.Length) return false;
            Cursor = NextBoundary(Cursor);
            return true;
        }

        public void Home()
        {
            completion = null;
            Cursor = 0;
        }

        public void End()
        {
            completion = null;
            Cursor = text.Length;
        }

        /// <summary>Ctrl+U: deletes everything before the cursor.</summary>
        public void KillToStart()
        {
            completion = null;
            text.Remove(0, Cursor);
            Cursor = 0;
        }

        /// <summary>Ctrl+W: deletes the word before the cursor, and the spaces between it and the cursor.</summary>
        public void KillWordBack()
        {
            completion = null;
            int start = Cursor;
            while (start > 0 && text[start - 1] == ' ') start--;
            while (start > 0 && text[start - 1] != ' ') start--;
            text.Remove(start, Cursor - start);
            Cursor = start;
        }

        /// <summary>Escape: the line is emptied.</summary>
        public void Clear()
        {
            completion = null;
            text.Clear();
            Cursor = 0;
            historyIndex = history.Count;
        }

        /// <summary>Up: the previous line sent; the line being typed is kept as the draft Down comes back to.</summary>
        public bool HistoryUp()
        {
            completion = null;
            if (historyIndex == 0) return false;
            if (historyIndex == history.Count) draft = Text;
            historyIndex--;
            Replace(history[historyIndex]);
            return true;
        }

        public bool HistoryDown()
        {
            completion = null;
            if (historyIndex >= history.Count) return false;
            historyIndex++;
            Replace(historyIndex == history.Count ? draft : history[historyIndex]);
            return true;
        }

        /// <summary>Enter: returns the line and empties it; a non-blank line different from the last goes into history.</summary>
        public string Submit()
        {
            string line = Text;
            if (line.Trim().Length > 0 && (history.Count == 0 || history[history.Count - 1] != line))
            {
                history.Add(line);
                if (history.Count > historyLimit) history.RemoveAt(0);
            }

            historyIndex = history.Count;
            draft = string.Empty;
            Clear();
            return line;
        }

        /// <summary>
        /// Tab: completes the word before the cursor with the first candidate that starts with it (any
        /// letter case); Tab again, with nothing typed in between, takes the next. <paramref name="candidates"/>
        /// gets the word and whether it is the line's first. A completed first word that is a nick gets ": ".
        /// </summary>
        public bool Complete(Func<string, bool, IEnumerable<string>> candidates)
        {
            if (completion == null)
            {
                int start = Cursor;
                while (start > 0 && text[start - 1] != ' ') start--;
                string word = text.ToString(start, Cursor - start);
                bool first = text.ToString(0, start).Trim().Length == 0;
                var matches = candidates(word, first)
                    .Where(c => c.StartsWith(word, StringComparison.OrdinalIgnoreCase) && c.Length > 0)
                    .Distinct(StringComparer.Ordinal)
                    .ToList();
                if (matches.Count == 0) return false;
                completion = new Completion(start, matches, first && !word.StartsWith("#", StringComparison.Ordinal) && !word.StartsWith("/", StringComparison.Ordinal));
            }
            else
            {
                completion.Next();
            }

            var current = completion;
            string inserted = current.Current + (current.AsNick ? ": " : " ");
            text.Remove(current.Start, Cursor - current.Start);
            text.Insert(current.Start, inserted);
            Cursor = current.Start + inserted.Length;
            completion = current; // the edit above is the completion's own
            return true;
        }

        /// <summary>Where prompt and text land on a terminal <paramref name="width"/> columns wide.</summary>
        public EditorLayout Layout(string prompt, int width)
        {
            width = Math.Max(1, width);
            string all = prompt + Text;
            int cursorAt = prompt.Length + Cursor;
            int row = 0, column = 0, cursorRow = 0, cursorColumn = 0;
            bool cursorPlaced = false;
            for (int i = 0; i < all.Length; i += char.IsSurrogatePair(all, i) ? 2 : 1)
            {
                int w = DisplayWidth.Of(DisplayWidth.CodePointAt(all, i));
                if (w > 0 && column + w > width)
                {
                    row++;
                    column = 0;
                }

                if (i == cursorAt)
                {
                    (cursorRow, cursorColumn, cursorPlaced) = (row, column, true);
                }

                column += w;
            }

            if (column >= width)
            {
                row++;
                column = 0;
            }

            if (!cursorPlaced) (cursorRow, cursorColumn) = (row, column);
            return new EditorLayout(row + 1, cursorRow, cursorColumn, row, column);
        }

        private void Replace(string line)
        {
            text.Clear().Append(line);
            Cursor = text.Length;
        }

        /// <summary>The start of the character that ends at <paramref name="index"/>: marks go with their letter, pairs stay whole.</summary>
        private int PreviousBoundary(int index)
        {
            string all = Text;
            int i = index;
            while (i > 0)
            {
                i -= i >= 2 && char.IsSurrogatePair(all[i - 2], all[i - 1]) ? 2 : 1;
                if (DisplayWidth.Of(DisplayWidth.CodePointAt(all, i)) > 0 || i == 0) break;
            }

            return i;
        }

        private int NextBoundary(int index)
        {
            string all = Text;
            int i = index + (char.IsSurrogatePair(all, index) ? 2 : 1);
            while (i < all.Length && DisplayWidth.Of(DisplayWidth.CodePointAt(all, i)) == 0) i += char.IsSurrogatePair(all, i) ? 2 : 1;
            return i;
        }

        private sealed class Completion
        {
            private readonly List<string> matches;
            private int index;

            public Completion(int start, List<string> matches, bool asNick)
            {
                Start = start;
                this.matches = matches;
                AsNick = asNick;
            }

            public int Start { get; }

            public bool AsNick { get; }

            public string Current => matches[index];

            public void Next() => index = (index + 1) % matches.Count;
        }
    }
}
