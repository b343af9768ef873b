using System.Linq;
using PSChat.Engine.Text;
using Xunit;

namespace PSChat.Engine.Tests
{
    /// <summary>Enter-ChatRoom's line editing without a console (issue 13, bug 11).</summary>
    public class LineEditorTests
    {
        private static LineEditor Typed(string text)
        {
            var editor = new LineEditor();
            editor.Insert(text);
            return editor;
        }

        [Fact]
        public void BackspaceTakesAWholeWideCharacterAndItsTwoColumns()
        {
            var editor = Typed("你好");
            Assert.Equal(4, editor.Layout(string.Empty, 80).EndColumn);
            Assert.True(editor.Backspace());
            Assert.Equal("你", editor.Text);
            Assert.Equal(2, editor.Layout(string.Empty, 80).EndColumn);
        }

        [Fact]
        public void BackspaceTakesASurrogatePairAndALetterWithItsMarksWhole()
        {
            var editor = Typed("a😀e\u0301");
            Assert.True(editor.Backspace());
            Assert.Equal("a😀", editor.Text);
            Assert.True(editor.Backspace());
            Assert.Equal("a", editor.Text);
        }

        [Fact]
        public void LeftRightHomeEndMoveTheCursorAndTypingInsertsThere()
        {
            var editor = Typed("helo");
            editor.Left();
            editor.Insert("l");
            Assert.Equal("hello", editor.Text);
            editor.Home();
            editor.Insert(">");
            editor.End();
            editor.Insert("!");
            Assert.Equal(">hello!", editor.Text);
            editor.Home();
            editor.Delete();
            Assert.Equal("hello!", editor.Text);
            Assert.False(editor.Left());
        }

        [Fact]
        public void CtrlUDeletesBeforeTheCursorAndCtrlWTheWordBeforeIt()
        {
            var editor = Typed("say hello  world");
            editor.KillWordBack();
            Assert.Equal("say hello  ", editor.Text);
            editor.KillWordBack();
            Assert.Equal("say ", editor.Text);
            editor.Insert("bye now");
            editor.Left();
            editor.Left();
            editor.Left();
            editor.KillToStart();
            Assert.Equal("now", editor.Text);
            Assert.Equal(0, editor.Cursor);
        }

        [Fact]
        public void UpAndDownWalkTheHistoryAndKeepTheDraft()
        {
            var editor = new LineEditor();
            foreach (string line in new[] { "one", "two", "two", "  " })
            {
                editor.Insert(line);
                editor.Submit();
            }

            Assert.Equal(new[] { "one", "two" }, editor.History);
            editor.Insert("draft");
            Assert.True(editor.HistoryUp());
            Assert.Equal("two", editor.Text);
            Assert.True(editor.HistoryUp());
            Assert.Equal("one", editor.Text);
            Assert.False(editor.HistoryUp());
            Assert.True(editor.HistoryDown());
            Assert.True(editor.HistoryDown());
            Assert.Equal("draft", editor.Text);
            Assert.Equal(5, editor.Cursor);
        }

        [Fact]
        public void TabCompletesTheWordBeforeTheCursorAndCyclesOnTheNextTab()
        {
            var editor = Typed("b");
            string[] nicks = { "alice", "bob", "Bea" };
            Assert.True(editor.Complete((word, first) => nicks));
            Assert.Equal("bob: ", editor.Text);
            Assert.True(editor.Complete((word, first) => nicks));
            Assert.Equal("Bea: ", editor.Text);
            editor.Insert("hi #d");
            Assert.True(editor.Complete((word, first) => first ? nicks : new[] { "#dev", "#ops" }));
            Assert.Equal("Bea: hi #dev ", editor.Text);
            editor.Insert("x");
            Assert.False(editor.Complete((word, first) => nicks));
        }

        [Fact]
        public void ALongLineWrapsAtTheWidthAndAWideCharacterThatDoesNotFitMovesDown()
        {
            var editor = Typed("abcdefgh");
            var layout = editor.Layout("#y> ", 10);
            Assert.Equal(2, layout.Rows);
            Assert.Equal((1, 2), (layout.CursorRow, layout.CursorColumn));
            editor.Home();
            layout = editor.Layout("#y> ", 10);
            Assert.Equal((0, 4), (layout.CursorRow, layout.CursorColumn));

            // 9 columns used, a wide character needs 2: it starts the next row, as terminals put it.
            var wide = Typed("12345你");
            layout = wide.Layout("#y> ", 10);
            Assert.Equal((1, 2), (layout.EndRow, layout.EndColumn));

            // Exactly full: the cursor is on the next row, where the next character will go.
            layout = Typed("123456").Layout("#y> ", 10);
            Assert.Equal((2, 1, 0), (layout.Rows, layout.EndRow, layout.EndColumn));
        }

        [Fact]
        public void ControlCharactersAreNotTyped()
        {
            var editor = Typed("a\u001b[2Jb\r\n");
            Assert.Equal("a[2Jb", editor.Text);
        }

        [Fact]
        public void WidthsFollowWcwidth()
        {
            Assert.Equal(1, DisplayWidth.Of('a'));
            Assert.Equal(2, DisplayWidth.Of('你'));
            Assert.Equal(2, DisplayWidth.Of('한'));
            Assert.Equal(2, DisplayWidth.Of(0x1F600));
            Assert.Equal(0, DisplayWidth.Of(0x0301));
            Assert.Equal(2, DisplayWidth.Of('Ａ'));
            Assert.Equal(6, DisplayWidth.Of("a你好e\u0301"));
            Assert.Equal(new[] { 1, 2 }, new[] { "é", "😀" }.Select(DisplayWidth.Of));
        }
    }
}
