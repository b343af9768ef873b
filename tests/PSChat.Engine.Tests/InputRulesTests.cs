using System;
using System.Text;
using PSChat.Engine.Irc;
using PSChat.Engine.Text;
using Xunit;

namespace PSChat.Engine.Tests
{
    /// <summary>
    /// What a line and a name may hold (issue 11, finding 8): bare CR and NUL refused on IRC, user names,
    /// tag keys, nicks and channel names without controls or bidi overrides, C1 controls refused from text
    /// clients and stripped on the way to them, and an empty text line that is no message.
    /// </summary>
    public class InputRulesTests
    {
        [Fact]
        public void IrcLineWithABareCrIsRefusedAndNothingOfItIsRelayed()
        {
            using var fx = IrcBasicsTests.Irc();
            using var alice = IrcTestClient.Register(fx, "alice");
            using var bob = IrcTestClient.Register(fx, "bob");
            IrcTestClient.JoinAll("#t", alice, bob);

            alice.Send("PRIVMSG #t :hello\r:ChanServ!s@services PRIVMSG #t :identify now");

            Assert.Equal(":irc.test NOTICE alice :*** Line refused: it contains a CR that does not end the line", alice.NextLine());
            var rejected = fx.WaitFor(ServerEventKind.Rejected);
            Assert.Equal("alice", rejected.Name);
            Assert.Equal("line refused: it contains a CR that does not end the line", rejected.Reason);
            Assert.Equal(1, fx.Server.Limits.RejectedLines);
            bob.AssertNothingPending();
        }

        [Fact]
        public void IrcLineWithANulIsRefused()
        {
            using var fx = IrcBasicsTests.Irc();
            using var c = IrcTestClient.Connect(fx);

            c.Send("NICK usrps");
            c.Send("USER x\0@staff 0 * :Real");

            Assert.Equal(":irc.test NOTICE usrps :*** Line refused: it contains a NUL byte", c.NextLine());
            Assert.Equal(1, fx.Server.Limits.RejectedLines);
            c.AssertNothingPending();
        }

        [Theory]
        [InlineData("x@staff")]
        [InlineData("x\u001bz")]
        [InlineData("a!b")]
        [InlineData("caf\u00e9")]
        public void UserNameWithCharactersASourceCannotCarryIsRefused(string user)
        {
            using var fx = IrcBasicsTests.Irc();
            using var c = IrcTestClient.Connect(fx);

            c.Send("NICK usrps");
            c.Send($"USER {user} 0 * :Real");

            Assert.Equal(@":irc.test 468 usrps :Your username is not valid (letters, digits and - . _ ~ [ ] { } \ | ^ ` only)", c.NextLine());
            Assert.StartsWith("invalid user name: ", fx.WaitFor(ServerEventKind.Rejected).Reason);
            c.Send("USER ok 0 * :Real");
            Assert.Equal(":irc.test 001 usrps :Welcome to the PSChat Network, usrps!ok@127.0.0.1", c.NextLine());
        }

        [Theory]
        [InlineData("+a\u001bb")]
        [InlineData("+ab\u00e9")]
        [InlineData("+")]
        [InlineData("+vendor./")]
        public void MessageWithAnInvalidTagKeyIsRefusedAndNotRelayed(string key)
        {
            using var fx = IrcBasicsTests.Irc();
            using var alice = IrcTestClient.Register(fx, "alice", "message-tags");
            using var bob = IrcTestClient.Register(fx, "bob", "message-tags");
            IrcTestClient.JoinAll("#t", alice, bob);

            alice.Send($"@{key}=1 PRIVMSG #t :hi");

            var notice = alice.Next();
            Assert.Equal("NOTICE", notice.Command);
            Assert.StartsWith("*** Line refused: tag key '", notice[1]);
            Assert.True(alice.LastLine.IndexOf('\u001b') < 0, "the notice shows the key without its ESC");
            // Valid client tags (with a vendor) still pass, and are the next thing bob gets.
            alice.Send("@+example.com/reply-to=x;+typing=active PRIVMSG #t :hi");
            var message = bob.Next();
            Assert.Equal("PRIVMSG", message.Command);
            Assert.Equal("x", message.Tags["+example.com/reply-to"]);
            Assert.Equal("active", message.Tags["+typing"]);
        }

        [Theory]
        [InlineData("#\u202eevil")]
        [InlineData("#a\u0085b")]
        [InlineData("#zero\u200bwidth")]
        [InlineData("#bad\ufffd")]
        [InlineData("#nb\u00a0sp")]
        public void ChannelNameWithAControlOrBidiOverrideCannotBeJoined(string name)
        {
            using var fx = IrcBasicsTests.Irc();
            using var alice = IrcTestClient.Register(fx, "alice");

            alice.Send("JOIN " + name);

            var reply = alice.Next();
            Assert.Equal("403", reply.Command);
            Assert.Null(fx.Server.FindRoom(name));
            // Names in other scripts are no look-alikes of this kind and still work.
            alice.Send("JOIN #caf\u00e9,#\u65e5\u672c");
            Assert.Equal(":alice!alice@127.0.0.1 JOIN #caf\u00e9", alice.NextLine());
            alice.SkipTo("366");
            Assert.Equal(":alice!alice@127.0.0.1 JOIN #\u65e5\u672c", alice.NextLine());
        }

        [Theory]
        [InlineData("abc\n")]
        public void NickEndingInALineFeedIsInvalid(string nick)
        {
            Assert.False(IrcNames.IsValidNick(nick));
        }

        [Fact]
        public void TextLineWithAC1ControlIsRefused()
        {
            using var fx = new ServerFixture();
            using var a = fx.Join();
            using var b = fx.Join();

            a.Write(Encoding.UTF8.GetBytes("alice:\u009b31mred\n"));

            Assert.Equal("*** error: line contains control character U+009B; the line was not sent\n", a.ReadLine());
            Assert.Equal(1, fx.Server.Limits.RejectedLines);
            b.AssertNothingBefore("alice:after\n", () => a.Write("alice:after\n"));
        }

        [Fact]
        public void IrcTextReachesTextClientsWithoutC1Controls()
        {
            using var fx = IrcBasicsTests.Irc(o => o.DetectTimeout = TimeSpan.FromMilliseconds(50));
            using var alice = IrcTestClient.Register(fx, "alice");
            alice.Join("#lobby");
            using var text = TestClient.Connect(fx.EndPoint);
            alice.Expect("JOIN");

            alice.Send("PRIVMSG #lobby :a\u009b2Jb\u0090c");

            Assert.Equal("alice:a2Jbc\n", text.ReadLine());
        }

        [Fact]
        public void EmptyTextLineIsNoMessageAndNoRefusal()
        {
            using var fx = IrcBasicsTests.Irc(o =>
            {
                o.DetectTimeout = TimeSpan.FromMilliseconds(50);
                o.MaxRejectedLines = 2;
            });
            using var alice = IrcTestClient.Register(fx, "alice");
            alice.Join("#lobby");
            using var text = TestClient.Connect(fx.EndPoint);
            using var other = TestClient.Connect(fx.EndPoint);
            alice.Expect("JOIN");
            alice.Expect("JOIN");

            text.Write("\n\r\n\n");
            text.Write("carol:\n");
            text.Write("carol:hi\n");

            Assert.EndsWith(" NICK carol", alice.NextLine());
            Assert.Equal(":carol!text@127.0.0.1 PRIVMSG #lobby hi", alice.NextLine());
            Assert.Equal("carol:hi\n", other.ReadLine());
            text.AssertNothingBefore("bob:marker\n", () => other.Write("bob:marker\n"));
            Assert.Equal(0, fx.Server.Limits.RejectedLines);
        }

        [Fact]
        public void TextSenderNameWithABidiOverrideIsNoName()
        {
            Assert.False(TextRules.TrySplitSender("\u202eevil:hi", out _, out string text));
            Assert.Equal("\u202eevil:hi", text);
        }
    }
}
