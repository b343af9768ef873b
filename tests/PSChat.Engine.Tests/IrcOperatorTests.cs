using System;
using System.Security;
using PSChat.Engine.Rooms;
using PSChat.Engine.Server;
using Xunit;

namespace PSChat.Engine.Tests
{
    /// <summary>Issue 16, conformance: IRC operators (OPER, KILL, WALLOPS, +o in WHO and WHOIS) and WHOWAS.</summary>
    public class IrcOperatorTests
    {
        internal static SecureString Secure(string text)
        {
            var secure = new SecureString();
            foreach (char c in text) secure.AppendChar(c);
            secure.MakeReadOnly();
            return secure;
        }

        internal static ServerFixture WithOperator(string hostMask = "*", Action<ChatServerOptions>? configure = null) => IrcBasicsTests.Irc(o =>
        {
            o.Operators = new[] { new OperatorAccount("operuser", Secure("operpassword"), hostMask) };
            configure?.Invoke(o);
        });

        [Fact]
        public void OperWithTheRightCredentialsGivesYoureOperAndUserModePlusO()
        {
            using var fx = WithOperator("*@127.0.0.1");
            using var baz = IrcTestClient.Register(fx, "baz");

            baz.Send("OPER operuser operpassword");

            Assert.Equal(":irc.test 381 baz :You are now an IRC operator", baz.NextLine());
            Assert.Equal(":irc.test MODE baz +o", baz.NextLine());
            baz.Send("MODE baz");
            Assert.Equal(":irc.test 221 baz +o", baz.NextLine());
        }

        [Fact]
        public void OperWithAWrongPasswordOrNameIsRefusedWith464AndARejectedEvent()
        {
            using var fx = WithOperator(configure: o => o.LoginFailureDelay = TimeSpan.Zero);
            using var baz = IrcTestClient.Register(fx, "baz");

            baz.Send("OPER operuser nottheoperpassword");
            Assert.Equal(":irc.test 464 baz :Password incorrect", baz.NextLine());
            baz.Send("OPER notanoperuser operpassword");
            Assert.Equal(":irc.test 464 baz :Password incorrect", baz.NextLine());
            baz.Send("OPER operuser");
            Assert.Equal(":irc.test 461 baz OPER :Not enough parameters", baz.NextLine());

            Assert.Contains("wrong OPER credentials", fx.WaitFor(ServerEventKind.Rejected, e => e.Name == "baz").Reason);
            baz.Send("MODE baz");
            Assert.Equal(":irc.test 221 baz +", baz.NextLine());
        }

        [Fact]
        public void OperFromAHostNoAccountAllowsGets491()
        {
            using var fx = WithOperator("*@192.0.2.1");
            using var baz = IrcTestClient.Register(fx, "baz");

            baz.Send("OPER operuser operpassword");

            Assert.Equal(":irc.test 491 baz :No O-lines for your host", baz.NextLine());
        }

        [Fact]
        public void AGuessRightAfterAWrongOperPasswordIsRefusedUnchecked()
        {
            using var fx = WithOperator(configure: o => o.LoginFailureDelay = TimeSpan.FromMinutes(5));
            using var baz = IrcTestClient.Register(fx, "baz");

            baz.Send("OPER operuser wrong");
            Assert.Equal(":irc.test 464 baz :Password incorrect", baz.NextLine());
            baz.Send("OPER operuser operpassword");

            Assert.StartsWith(":irc.test 464 baz :Too many failed logins from your address", baz.NextLine());
            Assert.Equal("LoginFailureDelayMilliseconds", fx.WaitFor(ServerEventKind.Limited, e => e.Name == "baz").Limit);
        }

        [Fact]
        public void KillNeedsAnOperatorAndDisconnectsIrcAndTextClients()
        {
            using var fx = WithOperator(configure: o => o.DetectTimeout = TimeSpan.FromMilliseconds(50));
            using var op = IrcTestClient.Register(fx, "ircop");
            using var alice = IrcTestClient.Register(fx, "alice");
            using var text = TestClient.Connect(fx.EndPoint);
            text.Write("carol:hello\n");
            fx.WaitFor(ServerEventKind.Message);

            alice.Send("KILL ircop :no");
            Assert.Equal(":irc.test 481 alice :Permission Denied- You're not an IRC operator", alice.NextLine());

            op.Send("OPER operuser operpassword");
            op.SkipTo("MODE");
            op.Send("KILL alice :spam");
            alice.SkipTo("ERROR");
            Assert.Equal("ERROR :Closing Link: 127.0.0.1 (Killed (ircop (spam)))", alice.LastLine);
            Assert.True(alice.Raw.WaitForClose());

            op.Send("KILL carol :also spam");
            Assert.True(text.WaitForClose());
            op.Send("KILL nobody");
            Assert.Equal(":irc.test 401 ircop nobody :No such nick/channel", op.NextLine());
        }

        [Fact]
        public void WallopsReachesOnlyClientsWithPlusWAndNeedsAnOperator()
        {
            using var fx = WithOperator();
            using var op = IrcTestClient.Register(fx, "nick1");
            using var quiet = IrcTestClient.Register(fx, "nick2");
            using var listener = IrcTestClient.Register(fx, "nick3");
            listener.Send("MODE nick3 +w");
            Assert.Equal(":nick3!nick3@127.0.0.1 MODE nick3 +w", listener.NextLine());

            quiet.Send("WALLOPS :not allowed");
            Assert.Equal(":irc.test 481 nick2 :Permission Denied- You're not an IRC operator", quiet.NextLine());
            op.Send("OPER operuser operpassword");
            op.SkipTo("MODE");
            op.Send("WALLOPS :hi everyone");

            Assert.Equal(":nick1!nick1@127.0.0.1 WALLOPS :hi everyone", listener.NextLine());
            Assert.Equal(":nick1!nick1@127.0.0.1 WALLOPS :hi everyone", op.NextLine());
            quiet.AssertNothingPending();
        }

        [Fact]
        public void AnOperatorShowsAsStarInWhoAnd313InWhois()
        {
            using var fx = WithOperator();
            using var op = IrcTestClient.Register(fx, "coolNick");
            using var other = IrcTestClient.Register(fx, "otherNick");
            op.Send("OPER operuser operpassword");
            op.SkipTo("MODE");

            other.Send("WHO coolNick");
            Assert.Equal(":irc.test 352 otherNick * coolNick 127.0.0.1 irc.test coolNick H* :0 Real coolNick", other.NextLine());
            other.SkipTo("315");
            other.Send("WHOIS coolNick");
            other.SkipTo("313");
            Assert.Equal(":irc.test 313 otherNick coolNick :is an IRC operator", other.LastLine);
        }

        [Fact]
        public void WhowasTellsWhoHadANickMostRecentFirstAndHonoursTheCount()
        {
            using var fx = IrcBasicsTests.Irc();
            using var asker = IrcTestClient.Register(fx, "nick1");
            using (var first = IrcTestClient.Register(fx, "nick2")) first.Send("QUIT :bye");
            fx.WaitFor(ServerEventKind.Disconnected, e => e.Name == "nick2");
            using (var second = IrcTestClient.Register(fx, "renamer"))
            {
                second.Send("NICK nick2");
                second.Expect("NICK");
                second.Send("NICK other");
                second.Expect("NICK");
            }

            asker.Send("WHOWAS nick2");
            Assert.Equal(":irc.test 314 nick1 nick2 renamer 127.0.0.1 * :Real renamer", asker.NextLine());
            Assert.StartsWith(":irc.test 312 nick1 nick2 irc.test :", asker.NextLine());
            Assert.Equal(":irc.test 314 nick1 nick2 nick2 127.0.0.1 * :Real nick2", asker.NextLine());
            Assert.StartsWith(":irc.test 312 nick1 nick2 irc.test :", asker.NextLine());
            Assert.Equal(":irc.test 369 nick1 nick2 :End of WHOWAS", asker.NextLine());

            asker.Send("WHOWAS NICK2 1");
            Assert.Equal(":irc.test 314 nick1 nick2 renamer 127.0.0.1 * :Real renamer", asker.NextLine());
            asker.Next();
            Assert.Equal(":irc.test 369 nick1 NICK2 :End of WHOWAS", asker.NextLine());

            asker.Send("WHOWAS nobody");
            Assert.Equal(":irc.test 406 nick1 nobody :There was no such nickname", asker.NextLine());
            Assert.Equal(":irc.test 369 nick1 nobody :End of WHOWAS", asker.NextLine());
        }

        [Fact]
        public void WhowasKeepsAtMostItsCapacityAndEightEntriesPerNick()
        {
            var history = new WhowasHistory(10);
            for (int i = 0; i < 20; i++) history.Record(new MemberIdentity("loop", "u" + i, "h"), "r");
            for (int i = 0; i < 5; i++) history.Record(new MemberIdentity("n" + i, "u", "h"), "r");

            var loop = history.Find("loop", 0);
            Assert.Equal(5, loop.Count);
            Assert.Equal("u19", loop[0].Identity.User);
            Assert.Single(history.Find("n4", 0));
            for (int i = 0; i < 5; i++) history.Record(new MemberIdentity("m" + i, "u", "h"), "r");
            Assert.Empty(history.Find("loop", 0));
            Assert.Single(history.Find("n0", 0));
            history.Record(new MemberIdentity("last", "u", "h"), "r");
            Assert.Empty(history.Find("n0", 0));
            Assert.Single(history.Find("n1", 0));
        }

        [Fact]
        public void WhowasWithACapacityOfZeroRemembersNothing()
        {
            var history = new WhowasHistory(0);
            history.Record(new MemberIdentity("gone", "u", "h"), "r");
            Assert.Empty(history.Find("gone", 0));
        }
    }
}
