using Xunit;

namespace PSChat.Engine.Tests
{
    /// <summary>Issue 16, IRCv3 metadata (draft/metadata-3): METADATA GET, LIST, SET, CLEAR, SUB, SYNC and their notifications.</summary>
    public class IrcMetadataTests
    {
        private const string Caps = "draft/metadata-3 batch";

        [Fact]
        public void MetadataIsOfferedWithItsLimits()
        {
            using var fx = IrcBasicsTests.Irc(o => o.MaxMetadataKeys = 7);
            using var client = IrcTestClient.Connect(fx);

            client.Send("CAP LS 302");

            Assert.Contains(" draft/metadata-3=before-connect,maxsub=7,maxkey=7 ", " " + client.Expect("CAP")[2] + " ");
        }

        [Fact]
        public void SetThenGetAnswersInAMetadataBatch()
        {
            using var fx = IrcBasicsTests.Irc();
            using var foo = IrcTestClient.Register(fx, "foo", Caps);

            foo.Send("METADATA * SET Display-Name :Foo The First");
            Assert.Equal(":irc.test 761 foo foo display-name * :Foo The First", foo.NextLine());
            foo.Send("METADATA * GET display-name avatar");

            Assert.Equal(":irc.test BATCH +b1 metadata foo", foo.NextLine());
            Assert.Equal("@batch=b1 :irc.test 761 foo foo display-name * :Foo The First", foo.NextLine());
            Assert.Equal("@batch=b1 :irc.test 766 foo foo avatar :key not set", foo.NextLine());
            Assert.Equal(":irc.test BATCH -b1", foo.NextLine());
        }

        [Fact]
        public void OthersReadAUsersKeysAndWhoisShowsTheReadableOnes()
        {
            using var fx = IrcBasicsTests.Irc();
            using var foo = IrcTestClient.Register(fx, "foo", Caps);
            using var bar = IrcTestClient.Register(fx, "bar");
            foo.Send("METADATA * SET display-name :Foo");
            foo.Expect("761");
            foo.Send("METADATA * SET color :#c90076");
            foo.Expect("761");

            bar.Send("METADATA foo LIST");
            Assert.Equal(":irc.test 761 bar foo display-name * Foo", bar.NextLine());
            Assert.Equal(":irc.test 761 bar foo color * #c90076", bar.NextLine());
            bar.Send("WHOIS foo");
            bar.SkipTo("760");

            Assert.Equal(":irc.test 760 bar foo display-name * Foo", bar.LastLine);
            Assert.Equal("317", bar.Next().Command);
        }

        [Fact]
        public void AnUnknownTargetFailsWithoutABatch()
        {
            using var fx = IrcBasicsTests.Irc();
            using var foo = IrcTestClient.Register(fx, "foo", Caps);

            foo.Send("METADATA nobody LIST");

            Assert.Equal(":irc.test FAIL METADATA INVALID_TARGET nobody :invalid metadata target", foo.NextLine());
            foo.AssertNothingPending();
        }

        [Fact]
        public void OnlyTheOwnerAndChannelOperatorsMayChangeKeys()
        {
            using var fx = IrcBasicsTests.Irc();
            using var op = IrcTestClient.Register(fx, "op", Caps);
            using var bar = IrcTestClient.Register(fx, "bar", Caps);
            IrcTestClient.JoinAll("#chan", op, bar);

            bar.Send("METADATA op SET display-name :Not Op");
            Assert.Equal(":irc.test FAIL METADATA KEY_NO_PERMISSION op display-name :permission denied", bar.NextLine());
            bar.Send("METADATA op CLEAR");
            Assert.Equal(":irc.test FAIL METADATA KEY_NO_PERMISSION op * :permission denied", bar.NextLine());
            bar.Send("METADATA #chan SET url :http://x");
            Assert.Equal(":irc.test FAIL METADATA KEY_NO_PERMISSION #chan url :permission denied", bar.NextLine());
            op.Send("METADATA #chan SET url :http://x");
            Assert.Equal(":irc.test 761 op #chan url * http://x", op.NextLine());
            op.AssertNothingPending();
        }

        [Fact]
        public void SubscribersInTheChannelHearOfChangesAndOthersDoNot()
        {
            using var fx = IrcBasicsTests.Irc();
            using var foo = IrcTestClient.Register(fx, "foo", Caps);
            using var bar = IrcTestClient.Register(fx, "bar", Caps);
            using var quiet = IrcTestClient.Register(fx, "quiet", Caps);
            bar.Send("METADATA * SUB avatar display-name");
            Assert.Equal(":irc.test 770 bar avatar display-name", bar.NextLine());
            IrcTestClient.JoinAll("#chan", foo, bar, quiet);

            foo.Send("METADATA * SET display-name :Foo");
            foo.Expect("761");
            Assert.Equal(":irc.test 761 bar foo display-name * Foo", bar.NextLine());
            foo.Send("METADATA * SET display-name");
            Assert.Equal(":irc.test 766 foo foo display-name :key not set", foo.NextLine());
            Assert.Equal(":irc.test 766 bar foo display-name :key not set", bar.NextLine());

            quiet.AssertNothingPending();
            foo.AssertNothingPending();
        }

        [Fact]
        public void AJoinerGetsTheChannelsAndItsMembersSubscribedKeys()
        {
            using var fx = IrcBasicsTests.Irc();
            using var foo = IrcTestClient.Register(fx, "foo", Caps);
            using var bar = IrcTestClient.Register(fx, "bar", Caps);
            foo.Join("#chan");
            foo.Send("METADATA * SET display-name :Foo");
            foo.Expect("761");
            foo.Send("METADATA #chan SET display-name :Hash Channel");
            foo.Expect("761");
            bar.Send("METADATA * SUB display-name");
            bar.Expect("770");

            bar.Join("#chan");

            Assert.Equal(":irc.test BATCH +b1 metadata #chan", bar.NextLine());
            Assert.Equal("@batch=b1 :irc.test 761 bar #chan display-name * :Hash Channel", bar.NextLine());
            Assert.Equal("@batch=b1 :irc.test 761 bar foo display-name * Foo", bar.NextLine());
            Assert.Equal(":irc.test BATCH -b1", bar.NextLine());
            bar.Send("METADATA #chan SYNC");
            Assert.Equal(":irc.test BATCH +b2 metadata #chan", bar.NextLine());
        }

        [Fact]
        public void AnInviteOnlyChannelsKeysStayWithItsMembers()
        {
            using var fx = IrcBasicsTests.Irc();
            using var foo = IrcTestClient.Register(fx, "foo", Caps);
            using var bar = IrcTestClient.Register(fx, "bar", Caps);
            foo.Join("#chan");
            foo.Send("METADATA #chan SET display-name :Secret Plans");
            foo.Expect("761");

            bar.Send("METADATA #chan GET display-name");
            Assert.Equal(":irc.test FAIL METADATA KEY_NO_PERMISSION #chan display-name :permission denied: you are not on that channel", bar.NextLine());
            foo.Send("MODE #chan +s");
            foo.Expect("MODE");
            bar.Send("METADATA #chan LIST");
            Assert.Equal(":irc.test FAIL METADATA INVALID_TARGET #chan :invalid metadata target", bar.NextLine());
        }

        [Fact]
        public void KeysSetBeforeRegistrationComeInTheWelcomeBurst()
        {
            using var fx = IrcBasicsTests.Irc();
            using var foo = IrcTestClient.Connect(fx);
            foo.Send("CAP REQ :" + Caps);
            foo.Expect("CAP");

            foo.Send("METADATA * SET display-name :Early");
            Assert.Equal(":irc.test 761 * * display-name * Early", foo.NextLine());
            foo.Send("METADATA #chan LIST");
            Assert.Equal("451", foo.Next().Command);
            foo.Send("NICK foo");
            foo.Send("USER foo 0 * :Foo");
            foo.Send("CAP END");
            foo.SkipTo("376", "422");

            Assert.Equal(":irc.test BATCH +b1 metadata foo", foo.NextLine());
            Assert.Equal("@batch=b1 :irc.test 761 foo foo display-name * Early", foo.NextLine());
            Assert.Equal(":irc.test BATCH -b1", foo.NextLine());
        }

        [Fact]
        public void BadKeysAndLongValuesAreRefused()
        {
            using var fx = IrcBasicsTests.Irc();
            using var foo = IrcTestClient.Register(fx, "foo", Caps);

            foo.Send("METADATA * SET $url$ :x");
            Assert.Equal(":irc.test FAIL METADATA INVALID_KEY $url$ :invalid key", foo.NextLine());
            foo.Send("METADATA * SET display-name :" + new string('a', 301));
            Assert.Equal(":irc.test FAIL METADATA INVALID_VALUE display-name :value too long (at most 300 bytes)", foo.NextLine());
            foo.Send("METADATA * DESTROY");
            Assert.Equal(":irc.test FAIL METADATA INVALID_SUBCOMMAND DESTROY :invalid subcommand", foo.NextLine());
            foo.Send("METADATA * GET :");
            Assert.Equal(":irc.test BATCH +b1 metadata foo", foo.NextLine());
            Assert.Equal("@batch=b1 :irc.test FAIL METADATA INVALID_KEY * :invalid key", foo.NextLine());
        }

        [Fact]
        public void TooManyKeysOrSubscriptionsFailAndRaiseOneLimitedEvent()
        {
            using var fx = IrcBasicsTests.Irc(o => o.MaxMetadataKeys = 2);
            using var foo = IrcTestClient.Register(fx, "foo", Caps);

            foo.Send("METADATA * SET a :1");
            foo.Expect("761");
            foo.Send("METADATA * SET b :2");
            foo.Expect("761");
            foo.Send("METADATA * SET c :3");
            Assert.Equal(":irc.test FAIL METADATA LIMIT_REACHED foo :metadata limit reached (at most 2 keys)", foo.NextLine());
            foo.Send("METADATA * SET a :changed");
            foo.Expect("761");
            foo.Send("METADATA * SUB x y z w");
            Assert.Equal(":irc.test FAIL METADATA TOO_MANY_SUBS z :too many subscriptions (at most 2)", foo.NextLine());
            Assert.Equal(":irc.test 770 foo x y", foo.NextLine());
            foo.Send("METADATA * SUBS");
            Assert.Equal(":irc.test 772 foo x y", foo.NextLine());

            Assert.Equal("MaxMetadataKeys", fx.WaitFor(ServerEventKind.Limited, e => e.Name == "foo").Limit);
        }

        [Fact]
        public void ZeroKeysTurnsMetadataOff()
        {
            using var fx = IrcBasicsTests.Irc(o => o.MaxMetadataKeys = 0);
            using var foo = IrcTestClient.Register(fx, "foo");

            foo.Send("METADATA * SET a :1");

            Assert.Equal(":irc.test 421 foo METADATA :Unknown command", foo.NextLine());
        }
    }
}
