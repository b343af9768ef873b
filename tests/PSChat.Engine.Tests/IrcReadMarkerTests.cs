using Xunit;

namespace PSChat.Engine.Tests
{
    /// <summary>Issue 16, IRCv3 draft/read-marker: MARKREAD get and set, the marker on JOIN, and its limit.</summary>
    public class IrcReadMarkerTests
    {
        [Fact]
        public void AMarkerOnlyMovesForward()
        {
            using var fx = IrcBasicsTests.Irc();
            using var alice = IrcTestClient.Register(fx, "alice", "draft/read-marker");

            alice.Send("MARKREAD #test");
            Assert.Equal(":irc.test MARKREAD #test *", alice.NextLine());
            alice.Send("MARKREAD #Test timestamp=2019-06-01T12:00:00.000Z");
            Assert.Equal(":irc.test MARKREAD #Test timestamp=2019-06-01T12:00:00.000Z", alice.NextLine());
            alice.Send("MARKREAD #test timestamp=2019-01-01T00:00:00.000Z");

            Assert.Equal(":irc.test MARKREAD #test timestamp=2019-06-01T12:00:00.000Z", alice.NextLine());
        }

        [Fact]
        public void JoinTellsTheMarkerBeforeTheEndOfNames()
        {
            using var fx = IrcBasicsTests.Irc();
            using var alice = IrcTestClient.Register(fx, "alice", "draft/read-marker");
            alice.Send("MARKREAD #test timestamp=2020-03-15T10:00:00.000Z");
            alice.Expect("MARKREAD");

            alice.Send("JOIN #test");

            alice.Expect("JOIN");
            Assert.Equal(":irc.test MARKREAD #test timestamp=2020-03-15T10:00:00.000Z", alice.NextLine());
            Assert.Equal("353", alice.Next().Command);
            Assert.Equal("366", alice.Next().Command);
        }

        [Fact]
        public void BadRequestsFailAsStandardReplies()
        {
            using var fx = IrcBasicsTests.Irc();
            using var alice = IrcTestClient.Register(fx, "alice", "draft/read-marker");

            alice.Send("MARKREAD");
            Assert.Equal(":irc.test FAIL MARKREAD NEED_MORE_PARAMS :MARKREAD needs a target", alice.NextLine());
            alice.Send("MARKREAD #test *");
            Assert.Equal(":irc.test FAIL MARKREAD INVALID_PARAMS #test :Use timestamp=<RFC 3339 UTC time>", alice.NextLine());
            alice.Send("MARKREAD #test timestamp=not-a-timestamp");
            Assert.Equal(":irc.test FAIL MARKREAD INVALID_PARAMS #test :Use timestamp=<RFC 3339 UTC time>", alice.NextLine());
        }

        [Fact]
        public void MarkersPastTheLimitFailAndRaiseALimitedEvent()
        {
            using var fx = IrcBasicsTests.Irc(o => o.MaxReadMarkers = 1);
            using var alice = IrcTestClient.Register(fx, "alice", "draft/read-marker");
            alice.Send("MARKREAD bob timestamp=2023-07-04T00:00:00.000Z");
            alice.Expect("MARKREAD");

            alice.Send("MARKREAD #two timestamp=2023-07-04T00:00:00.000Z");

            Assert.Equal(":irc.test FAIL MARKREAD LIMIT_REACHED #two :Read markers are kept for at most 1 targets", alice.NextLine());
            Assert.Equal("MaxReadMarkers", fx.WaitFor(ServerEventKind.Limited, e => e.Name == "alice").Limit);
        }
    }
}
