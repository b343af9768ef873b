using System.Text.RegularExpressions;
using Xunit;

namespace PSChat.Engine.Tests
{
    /// <summary>Issue 16, IRCv3 draft/multiline on the server: one batch to clients that asked, its lines to the others.</summary>
    public class IrcMultilineTests
    {
        private const string Caps = "draft/multiline batch message-tags";

        [Fact]
        public void AMultilineMessageIsOneBatchForThoseThatAskedAndItsLinesForTheOthers()
        {
            using var fx = IrcBasicsTests.Irc();
            using var alice = IrcTestClient.Register(fx, "alice", Caps + " echo-message labeled-response");
            using var bob = IrcTestClient.Register(fx, "bob", Caps);
            using var carol = IrcTestClient.Register(fx, "carol", "message-tags");
            IrcTestClient.JoinAll("#test", alice, bob, carol);

            alice.Send("@label=xyz;+draft/reply=1 BATCH +123 draft/multiline #test");
            alice.Send("@batch=123 PRIVMSG #test hello");
            alice.Send("@batch=123 PRIVMSG #test :");
            alice.Send("@batch=123;draft/multiline-concat PRIVMSG #test :world");
            alice.Send("BATCH -123");

            var start = Regex.Match(bob.NextLine(), @"^@\+draft/reply=1;msgid=(\S+) :alice!alice@127\.0\.0\.1 BATCH \+(\w+) draft/multiline #test$");
            Assert.True(start.Success, bob.LastLine);
            string msgid = start.Groups[1].Value;
            string batch = start.Groups[2].Value;
            Assert.Equal($"@batch={batch} :alice!alice@127.0.0.1 PRIVMSG #test hello", bob.NextLine());
            Assert.Equal($"@batch={batch} :alice!alice@127.0.0.1 PRIVMSG #test :", bob.NextLine());
            Assert.Equal($"@batch={batch};draft/multiline-concat :alice!alice@127.0.0.1 PRIVMSG #test world", bob.NextLine());
            Assert.Equal($":alice!alice@127.0.0.1 BATCH -{batch}", bob.NextLine());
            Assert.Equal($"@+draft/reply=1;msgid={msgid} :alice!alice@127.0.0.1 PRIVMSG #test hello", carol.NextLine());
            Assert.Equal("@+draft/reply=1 :alice!alice@127.0.0.1 PRIVMSG #test world", carol.NextLine());
            carol.AssertNothingPending();
            Assert.Matches(@"^@\+draft/reply=1;msgid=" + Regex.Escape(msgid) + @";label=xyz :alice!alice@127\.0\.0\.1 BATCH \+\w+ draft/multiline #test$", alice.NextLine());
        }

        [Fact]
        public void ABlankLineCannotBeJoinedToTheOneBefore()
        {
            using var fx = IrcBasicsTests.Irc();
            using var alice = IrcTestClient.Register(fx, "alice", Caps);
            alice.Join("#test");

            alice.Send("BATCH +1 draft/multiline #test");
            alice.Send("@batch=1 PRIVMSG #test :hi");
            alice.Send("@batch=1;draft/multiline-concat PRIVMSG #test :");
            alice.Send("BATCH -1");

            Assert.StartsWith(":irc.test FAIL BATCH MULTILINE_INVALID :", alice.NextLine());
            alice.AssertNothingPending();
        }

        [Fact]
        public void ABatchOverItsBytesFailsAndRaisesALimitedEvent()
        {
            using var fx = IrcBasicsTests.Irc(o => o.MaxMultilineBytes = 10);
            using var alice = IrcTestClient.Register(fx, "alice", Caps);
            alice.Join("#test");

            alice.Send("BATCH +1 draft/multiline #test");
            alice.Send("@batch=1 PRIVMSG #test :0123456789");
            alice.Send("@batch=1 PRIVMSG #test :x");
            alice.Send("BATCH -1");

            Assert.Equal(":irc.test FAIL BATCH MULTILINE_MAX_BYTES 10 :Multiline batch over 10 bytes", alice.NextLine());
            alice.AssertNothingPending();
            Assert.Equal("MaxMultilineBytes", fx.WaitFor(ServerEventKind.Limited, e => e.Name == "alice").Limit);
        }
    }
}
