using System;
using System.Text;
using Xunit;

namespace PSChat.Engine.Tests
{
    /// <summary>Issue 16, conformance: channel bans (+b), exceptions (+e), invite exceptions (+I), secret channels (+s), UTF8ONLY.</summary>
    public class IrcChannelListTests
    {
        [Fact]
        public void ABanKeepsAMatchingNickOutUntilItIsLifted()
        {
            using var fx = IrcBasicsTests.Irc();
            using var op = IrcTestClient.Register(fx, "chanop");
            using var bar = IrcTestClient.Register(fx, "Bar");
            op.Join("#chan");

            op.Send("MODE #chan +b bar");
            Assert.Equal(":chanop!chanop@127.0.0.1 MODE #chan +b bar!*@*", op.NextLine());
            bar.Send("JOIN #chan");
            Assert.Equal(":irc.test 474 Bar #chan :Cannot join channel (+b)", bar.NextLine());

            op.Send("MODE #chan -b BAR!*@*");
            Assert.Equal(":chanop!chanop@127.0.0.1 MODE #chan -b bar!*@*", op.NextLine());
            bar.Send("JOIN #chan");
            Assert.Equal(":Bar!Bar@127.0.0.1 JOIN #chan", bar.NextLine());
        }

        [Fact]
        public void AnExceptionLetsABannedNickIn()
        {
            using var fx = IrcBasicsTests.Irc();
            using var op = IrcTestClient.Register(fx, "chanop");
            using var bar = IrcTestClient.Register(fx, "Bar");
            op.Join("#chan");
            op.Send("MODE #chan +b ba*!*@*");
            op.Expect("MODE");
            op.Send("MODE #chan +e *ar!*@127.0.0.1");
            Assert.Equal(":chanop!chanop@127.0.0.1 MODE #chan +e *ar!*@127.0.0.1", op.NextLine());

            bar.Send("JOIN #chan");

            Assert.Equal(":Bar!Bar@127.0.0.1 JOIN #chan", bar.NextLine());
        }

        [Fact]
        public void TheBanListShowsEachMaskWithItsSetterAndTime()
        {
            using var fx = IrcBasicsTests.Irc();
            using var op = IrcTestClient.Register(fx, "chanop");
            op.Join("#chan");
            op.Send("MODE #chan +b bar!*@*");
            op.Expect("MODE");

            op.Send("MODE #chan +b");

            Assert.Matches(@"^:irc\.test 367 chanop #chan bar!\*@\* chanop!chanop@127\.0\.0\.1 \d+$", op.NextLine());
            Assert.Equal(":irc.test 368 chanop #chan :End of channel ban list", op.NextLine());
            op.Send("MODE #chan e");
            Assert.Equal(":irc.test 349 chanop #chan :End of channel exception list", op.NextLine());
        }

        [Fact]
        public void AnInviteExceptionLetsAMatchingNickIntoAnInviteOnlyChannel()
        {
            using var fx = IrcBasicsTests.Irc();
            using var op = IrcTestClient.Register(fx, "chanop");
            using var bar = IrcTestClient.Register(fx, "bar");
            op.Join("#chan");
            op.Send("MODE #chan +i");
            op.Expect("MODE");
            bar.Send("JOIN #chan");
            Assert.Equal(":irc.test 473 bar #chan :Cannot join channel (+i)", bar.NextLine());

            op.Send("MODE #chan +I bar!*@*");
            Assert.Equal(":chanop!chanop@127.0.0.1 MODE #chan +I bar!*@*", op.NextLine());
            bar.Send("JOIN #chan");

            Assert.Equal(":bar!bar@127.0.0.1 JOIN #chan", bar.NextLine());
            op.Expect("JOIN");
            op.Send("MODE #chan I");
            Assert.Matches(@"^:irc\.test 346 chanop #chan bar!\*@\* ", op.NextLine());
        }

        [Fact]
        public void ABannedMemberWithoutVoiceCannotSpeakButAVoicedOneCan()
        {
            using var fx = IrcBasicsTests.Irc();
            using var op = IrcTestClient.Register(fx, "chanop");
            using var bar = IrcTestClient.Register(fx, "bar");
            IrcTestClient.JoinAll("#chan", op, bar);
            op.Send("MODE #chan +b *!*@127.0.0.*");
            op.Expect("MODE");
            bar.Expect("MODE");

            bar.Send("PRIVMSG #chan :hello");
            Assert.Equal(":irc.test 404 bar #chan :Cannot send to channel", bar.NextLine());
            op.Send("MODE #chan +v bar");
            bar.Expect("MODE");
            bar.Send("PRIVMSG #chan :voiced");

            op.SkipTo("PRIVMSG");
            Assert.Equal(":bar!bar@127.0.0.1 PRIVMSG #chan voiced", op.LastLine);
        }

        [Fact]
        public void ABanAppliesToAPlainTextClientToo()
        {
            using var fx = IrcBasicsTests.Irc(o => o.DetectTimeout = TimeSpan.FromMilliseconds(50));
            using var text = TestClient.Connect(fx.EndPoint);
            text.Write("carol:here first\n");
            fx.WaitFor(ServerEventKind.Message);
            using var op = IrcTestClient.Register(fx, "alice");
            op.Join("#lobby");

            op.Send("MODE #lobby +b carol!*@*");
            op.Expect("MODE");
            text.Write("banned now\n");

            string line;
            do line = text.ReadLine(); while (!line.StartsWith("*** error", StringComparison.Ordinal));
            Assert.StartsWith("*** error: cannot send to #lobby: you are banned (+b)", line);
            op.AssertNothingPending();
        }

        [Fact]
        public void AFullListDraws478AndALimitedEvent()
        {
            using var fx = IrcBasicsTests.Irc(o => o.MaxListEntries = 2);
            using var op = IrcTestClient.Register(fx, "chanop");
            op.Join("#chan");

            op.Send("MODE #chan +bbb a b c");

            Assert.Equal(":irc.test 478 chanop #chan c!*@* :Channel list is full (at most 2 entries)", op.NextLine());
            Assert.Equal(":chanop!chanop@127.0.0.1 MODE #chan +bb a!*@* b!*@*", op.NextLine());
            Assert.Equal("MaxListEntries", fx.WaitFor(ServerEventKind.Limited, e => e.Name == "chanop").Limit);
        }

        [Fact]
        public void ASecretChannelIsListedAndNamedOnlyForItsMembers()
        {
            using var fx = IrcBasicsTests.Irc();
            using var first = IrcTestClient.Register(fx, "first");
            using var second = IrcTestClient.Register(fx, "second");
            first.Join("#gen");
            first.Send("MODE #gen +s");
            first.Expect("MODE");

            first.Send("NAMES #gen");
            Assert.Equal(":irc.test 353 first @ #gen @first", first.NextLine());
            second.Send("LIST");
            Assert.Equal("321", second.Next().Command);
            Assert.Equal("323", second.Next().Command);
            second.Send("NAMES #gen");
            Assert.Equal(":irc.test 366 second #gen :End of /NAMES list", second.NextLine());
            second.Send("WHO #gen");
            Assert.Equal("315", second.Next().Command);

            second.Join("#gen");
            second.Send("LIST");
            second.Expect("321");
            Assert.Equal(":irc.test 322 second #gen 2 :", second.NextLine());
        }

        [Fact]
        public void ALineThatIsNotUtf8IsRefusedWithFailInvalidUtf8()
        {
            using var fx = IrcBasicsTests.Irc();
            using var foo = IrcTestClient.Register(fx, "foo");
            using var bar = IrcTestClient.Register(fx, "bar");

            var line = new System.Collections.Generic.List<byte>(Encoding.ASCII.GetBytes("PRIVMSG bar hi"));
            line.AddRange(new byte[] { 0xAA, (byte)'\r', (byte)'\n' });
            foo.Raw.Write(line.ToArray());

            Assert.Equal(":irc.test FAIL PRIVMSG INVALID_UTF8 :Message rejected: this server takes UTF-8 only", foo.NextLine());
            bar.AssertNothingPending();
            Assert.Equal("line refused: not UTF-8", fx.WaitFor(ServerEventKind.Rejected, e => e.Name == "foo").Reason);
        }
    }
}
