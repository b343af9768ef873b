using Xunit;

namespace PSChat.Engine.Tests
{
    /// <summary>Issue 16: WHOX (WHO mask %fields[,token] answers 354), STATUSMSG (PRIVMSG @#chan), HELP, LINKS, LIST searches (ELIST), no-CTCP channels (+C) and the INVITE list.</summary>
    public class IrcQueryExtensionTests
    {
        [Fact]
        public void WhoxListsTheFieldsInTheirOrderWhateverOrderTheyWereAskedIn()
        {
            using var fx = IrcBasicsTests.Irc();
            using var asker = IrcTestClient.Register(fx, "asker");
            using var cool = IrcTestClient.Register(fx, "cool");
            cool.Join("#chan");

            asker.Send("WHO cool %rnt,123");
            Assert.Equal(":irc.test 354 asker 123 cool :Real cool", asker.NextLine());
            Assert.Equal(":irc.test 315 asker cool :End of WHO list", asker.NextLine());
            asker.Send("WHO cool %tcuihsnfdlaor,9");

            Assert.Matches(@"^:irc\.test 354 asker 9 #chan cool 127\.0\.0\.1 127\.0\.0\.1 irc\.test cool H@ 0 \d+ 0 n/a :Real cool$", asker.NextLine());
        }

        [Fact]
        public void AStatusMessageReachesOnlyTheChannelsOperators()
        {
            using var fx = IrcBasicsTests.Irc();
            using var chanop = IrcTestClient.Register(fx, "chanop");
            using var joe = IrcTestClient.Register(fx, "joe");
            using var voiced = IrcTestClient.Register(fx, "voiced", "echo-message");
            IrcTestClient.JoinAll("#chan", chanop, joe, voiced);
            chanop.Send("MODE #chan +v voiced");
            chanop.Expect("MODE");
            joe.Expect("MODE");
            voiced.Expect("MODE");

            voiced.Send("PRIVMSG @#chan :for operators");

            Assert.Equal(":voiced!voiced@127.0.0.1 PRIVMSG @#chan :for operators", chanop.NextLine());
            Assert.Equal(":voiced!voiced@127.0.0.1 PRIVMSG @#chan :for operators", voiced.NextLine());
            joe.AssertNothingPending();
            chanop.Send("PRIVMSG +#chan :voices too");
            Assert.Equal(":chanop!chanop@127.0.0.1 PRIVMSG +#chan :voices too", voiced.NextLine());
            joe.AssertNothingPending();
        }

        [Fact]
        public void HelpTellsAboutACommandAndListsThemAllAndLinksListsNone()
        {
            using var fx = IrcBasicsTests.Irc();
            using var nick = IrcTestClient.Register(fx, "nick");

            nick.Send("HELPOP privmsg");
            Assert.Equal(":irc.test 704 nick PRIVMSG :PRIVMSG <target>[,<target>...] :text sends a message to channels or nicks (@#chan: its operators).", nick.NextLine());
            Assert.Equal(":irc.test 706 nick PRIVMSG :End of /HELP", nick.NextLine());
            nick.Send("HELP THISISNOTACOMMAND");
            Assert.Equal(":irc.test 524 nick THISISNOTACOMMAND :No help available on this topic", nick.NextLine());
            nick.Send("HELP");
            Assert.Equal("704", nick.Next().Command);
            Assert.Contains(" WHOWAS", nick.NextLine());
            Assert.Equal(":irc.test 706 nick index :End of /HELP", nick.NextLine());
            nick.Send("LINKS");
            Assert.Equal(":irc.test 365 nick * :End of /LINKS list", nick.NextLine());
        }

        [Fact]
        public void ListSearchesByMaskNotMaskAndUserCount()
        {
            using var fx = IrcBasicsTests.Irc();
            using var foo = IrcTestClient.Register(fx, "foo");
            using var bar = IrcTestClient.Register(fx, "bar");
            foo.Join("#chan1");
            foo.Join("#chan2");
            bar.Join("#chan2");

            Assert.Equal(new[] { "#chan2" }, Listed(bar, "LIST #c*n2"));
            Assert.Equal(new[] { "#chan1" }, Listed(bar, "LIST !*an2"));
            Assert.Equal(new[] { "#chan2" }, Listed(bar, "LIST >1"));
            Assert.Equal(new[] { "#chan1" }, Listed(bar, "LIST <2,#ch*"));
            Assert.Empty(Listed(bar, "LIST *an3"));
        }

        /// <summary>The channels a LIST answers with, in name order.</summary>
        private static string[] Listed(IrcTestClient client, string list)
        {
            client.Send(list);
            client.Expect("321");
            var names = new System.Collections.Generic.List<string>();
            for (var message = client.Next(); message.Command != "323"; message = client.Next()) names.Add(message.Parameters[1]);
            names.Sort(System.StringComparer.Ordinal);
            return names.ToArray();
        }

        [Fact]
        public void ANoCtcpChannelTakesActionsButNoOtherCtcp()
        {
            using var fx = IrcBasicsTests.Irc();
            using var chanop = IrcTestClient.Register(fx, "chanop");
            using var user = IrcTestClient.Register(fx, "user");
            IrcTestClient.JoinAll("#chan", chanop, user);
            chanop.Send("MODE #chan +C");
            Assert.Equal(":chanop!chanop@127.0.0.1 MODE #chan +C", chanop.NextLine());
            user.Expect("MODE");

            user.Send("PRIVMSG #chan :\u0001ACTION waves\u0001");
            user.Send("PRIVMSG #chan :\u0001PING 12345\u0001");

            Assert.Equal(":irc.test 404 user #chan :Cannot send CTCP to channel (+C)", user.NextLine());
            Assert.Equal(":user!user@127.0.0.1 PRIVMSG #chan :\u0001ACTION waves\u0001", chanop.NextLine());
            chanop.AssertNothingPending();
        }

        [Fact]
        public void InviteAloneListsTheChannelsYouAreInvitedTo()
        {
            using var fx = IrcBasicsTests.Irc();
            using var foo = IrcTestClient.Register(fx, "foo");
            using var bar = IrcTestClient.Register(fx, "bar");
            foo.Join("#chan");
            foo.Send("INVITE bar #chan");
            foo.Expect("341");
            bar.Expect("INVITE");

            bar.Send("INVITE");

            Assert.Equal(":irc.test 336 bar #chan", bar.NextLine());
            Assert.Equal(":irc.test 337 bar :End of /INVITE list", bar.NextLine());
        }
    }
}
