using Xunit;

namespace PSChat.Engine.Tests
{
    /// <summary>Issue 16, IRCv3 draft/message-redaction: REDACT by the sender or an operator, relayed to those that asked, gone from CHATHISTORY.</summary>
    public class IrcRedactTests
    {
        [Fact]
        public void TheSenderRedactsAMessageAndHistoryNoLongerReplaysIt()
        {
            using var fx = IrcBasicsTests.Irc();
            using var alice = IrcTestClient.Register(fx, "alice", "message-tags echo-message draft/message-redaction");
            using var bob = IrcTestClient.Register(fx, "bob", "draft/message-redaction");
            using var carol = IrcTestClient.Register(fx, "carol");
            IrcTestClient.JoinAll("#chan", alice, bob, carol);
            alice.Send("PRIVMSG #chan :oops");
            string msgid = alice.Next().Tags["msgid"]!;
            bob.Expect("PRIVMSG");
            carol.Expect("PRIVMSG");

            bob.Send($"REDACT #chan {msgid}");
            Assert.Equal($":irc.test FAIL REDACT REDACT_FORBIDDEN #chan {msgid} :You may only redact your own messages", bob.NextLine());
            alice.Send($"REDACT #chan {msgid} :typo");

            Assert.Equal($":alice!alice@127.0.0.1 REDACT #chan {msgid} typo", alice.NextLine());
            Assert.Equal($":alice!alice@127.0.0.1 REDACT #chan {msgid} typo", bob.NextLine());
            carol.AssertNothingPending();
            alice.Send("PRIVMSG #chan :kept");
            alice.Expect("PRIVMSG");
            bob.Expect("PRIVMSG");
            bob.Send("CHATHISTORY LATEST #chan * 10");
            Assert.Equal(":alice!alice@127.0.0.1 PRIVMSG #chan kept", bob.NextLine());
            bob.AssertNothingPending();
            alice.Send($"REDACT #chan {msgid}");
            Assert.Equal($":irc.test FAIL REDACT UNKNOWN_MSGID #chan {msgid} :This message does not exist or is too old", alice.NextLine());
        }

        [Fact]
        public void OnlyAChannelYouAreInTakesRedactions()
        {
            using var fx = IrcBasicsTests.Irc();
            using var alice = IrcTestClient.Register(fx, "alice", "draft/message-redaction");

            alice.Send("REDACT #nowhere someid");

            Assert.Equal(":irc.test FAIL REDACT INVALID_TARGET #nowhere :You can only redact messages of a channel you are in", alice.NextLine());
        }
    }
}
