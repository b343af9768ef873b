using System;
using Xunit;

namespace PSChat.Engine.Tests
{
    /// <summary>Every error path answers with its numeric, exactly as the modern IRC client protocol document words it.</summary>
    public class IrcNumericTests
    {
        [Theory]
        [InlineData("FOO bar", ":irc.test 421 bob FOO :Unknown command")]
        [InlineData("JOIN", ":irc.test 461 bob JOIN :Not enough parameters")]
        [InlineData("KICK #chan", ":irc.test 461 bob KICK :Not enough parameters")]
        [InlineData("PING", ":irc.test 461 bob PING :Not enough parameters")]
        [InlineData("PRIVMSG", ":irc.test 411 bob :No recipient given (PRIVMSG)")]
        [InlineData("PRIVMSG #chan", ":irc.test 412 bob :No text to send")]
        [InlineData("PRIVMSG nobody :hi", ":irc.test 401 bob nobody :No such nick/channel")]
        [InlineData("PRIVMSG #nochan :hi", ":irc.test 401 bob #nochan :No such nick/channel")]
        [InlineData("PRIVMSG #chan :hi", ":irc.test 404 bob #chan :Cannot send to channel")]
        [InlineData("JOIN bad", ":irc.test 403 bob bad :No such channel")]
        [InlineData("PART #nochan", ":irc.test 403 bob #nochan :No such channel")]
        [InlineData("PART #chan", ":irc.test 442 bob #chan :You're not on that channel")]
        [InlineData("TOPIC #chan :new", ":irc.test 442 bob #chan :You're not on that channel")]
        [InlineData("TOPIC #nochan", ":irc.test 403 bob #nochan :No such channel")]
        [InlineData("KICK #chan alice", ":irc.test 442 bob #chan :You're not on that channel")]
        [InlineData("MODE #chan +m", ":irc.test 442 bob #chan :You're not on that channel")]
        [InlineData("MODE #nochan", ":irc.test 403 bob #nochan :No such channel")]
        [InlineData("USER b 0 * :Bob", ":irc.test 462 bob :You may not reregister")]
        [InlineData("PASS secret", ":irc.test 462 bob :You may not reregister")]
        [InlineData("NICK", ":irc.test 431 bob :No nickname given")]
        [InlineData("NICK 1abc", ":irc.test 432 bob 1abc :Erroneus nickname")]
        [InlineData("NICK alice", ":irc.test 433 bob alice :Nickname is already in use")]
        [InlineData("NICK ALICE", ":irc.test 433 bob ALICE :Nickname is already in use")]
        [InlineData("INVITE nobody #chan", ":irc.test 401 bob nobody :No such nick/channel")]
        [InlineData("INVITE alice #nochan", ":irc.test 403 bob #nochan :No such channel")]
        [InlineData("INVITE carol #chan", ":irc.test 442 bob #chan :You're not on that channel")]
        [InlineData("WHOIS", ":irc.test 431 bob :No nickname given")]
        [InlineData("MODE alice +i", ":irc.test 502 bob :Cant change mode for other users")]
        [InlineData("MODE nobody", ":irc.test 401 bob nobody :No such nick/channel")]
        [InlineData("MODE bob +z", ":irc.test 501 bob :Unknown MODE flag")]
        [InlineData("MODE bob", ":irc.test 221 bob +")]
        [InlineData("MODE bob +i", ":bob!bob@127.0.0.1 MODE bob +i")]
        [InlineData("CAP FOO", ":irc.test 410 bob FOO :Invalid CAP command")]
        [InlineData("CAP REQ", ":irc.test 461 bob CAP :Not enough parameters")]
        [InlineData("AWAY :at lunch", ":irc.test 306 bob :You have been marked as being away")]
        [InlineData("AWAY", ":irc.test 305 bob :You are no longer marked as being away")]
        [InlineData("NAMES #nochan", ":irc.test 366 bob #nochan :End of /NAMES list")]
        [InlineData("NAMES", ":irc.test 366 bob * :End of /NAMES list")]
        [InlineData("MODE #chan b", ":irc.test 368 bob #chan :End of channel ban list")]
        [InlineData("TOPIC #chan", ":irc.test 442 bob #chan :You're not on that channel")]
        [InlineData("ISON nobody ALICE :carol x", ":irc.test 303 bob :alice carol")]
        [InlineData("ISON nobody", ":irc.test 303 bob :")]
        [InlineData("USERHOST alice nobody", ":irc.test 302 bob alice=+alice@127.0.0.1")]
        [InlineData("ISON", ":irc.test 461 bob ISON :Not enough parameters")]
        [InlineData("ADMIN", ":irc.test 423 bob irc.test :No administrative info available")]
        [InlineData("TIME other.server", ":irc.test 402 bob other.server :No such server")]
        [InlineData("VERSION *.server", ":irc.test 402 bob *.server :No such server")]
        [InlineData("INFO irc.*", ":irc.test 371 bob :PSChat-")]
        public void OutsiderGetsTheRightNumeric(string command, string expected)
        {
            using var fx = IrcBasicsTests.Irc();
            using var alice = IrcTestClient.Register(fx, "alice");
            using var carol = IrcTestClient.Register(fx, "carol");
            alice.Join("#chan");
            using var bob = IrcTestClient.Register(fx, "bob");

            bob.Send(command);

            string line = bob.NextLine();
            if (expected.EndsWith("PSChat-", StringComparison.Ordinal)) Assert.StartsWith(expected, line);
            else Assert.Equal(expected, line);
        }

        [Fact]
        public void VersionTimeAndInfoDescribeThisServer()
        {
            using var fx = IrcBasicsTests.Irc();
            using var bob = IrcTestClient.Register(fx, "bob");

            bob.Send("VERSION");
            var version = bob.Next();
            Assert.Equal("351", version.Command);
            Assert.Matches(@"^PSChat-\S+\.$", version[1]);
            Assert.Equal("irc.test", version[2]);

            bob.Send("TIME irc.test");
            var time = bob.Next();
            Assert.Equal("391", time.Command);
            Assert.Equal("irc.test", time[1]);
            Assert.Contains(DateTime.Now.Year.ToString(System.Globalization.CultureInfo.InvariantCulture), time[2]);

            bob.Send("INFO");
            Assert.Equal("371", bob.Next().Command);
            Assert.Equal("371", bob.Next().Command);
            var end = bob.Next();
            Assert.Equal("374", end.Command);
            Assert.Equal("End of INFO list", end[1]);
        }

        [Theory]
        [InlineData("MODE #chan +m", ":irc.test 482 bob #chan :You're not channel operator")]
        [InlineData("KICK #chan alice", ":irc.test 482 bob #chan :You're not channel operator")]
        [InlineData("TOPIC #chan :mine now", ":irc.test 482 bob #chan :You're not channel operator")]
        [InlineData("JOIN #chan", null)]
        [InlineData("TOPIC #chan", ":irc.test 331 bob #chan :No topic is set")]
        public void MemberWithoutOperatorGetsTheRightNumeric(string command, string? expected)
        {
            using var fx = IrcBasicsTests.Irc();
            using var alice = IrcTestClient.Register(fx, "alice");
            alice.Join("#chan");
            using var bob = IrcTestClient.Register(fx, "bob");
            bob.Join("#chan");

            bob.Send(command);

            if (expected != null) Assert.Equal(expected, bob.NextLine());
            bob.AssertNothingPending();
        }

        [Theory]
        [InlineData("MODE #chan +x", ":irc.test 472 alice x :is unknown mode char to me")]
        [InlineData("MODE #chan +o carol", ":irc.test 441 alice carol #chan :They aren't on that channel")]
        [InlineData("MODE #chan +v nobody", ":irc.test 401 alice nobody :No such nick/channel")]
        [InlineData("MODE #chan +o", ":irc.test 461 alice MODE :Not enough parameters")]
        [InlineData("MODE #chan +k", ":irc.test 461 alice MODE :Not enough parameters")]
        [InlineData("KICK #chan carol", ":irc.test 441 alice carol #chan :They aren't on that channel")]
        [InlineData("INVITE bob #chan", ":irc.test 443 alice bob #chan :is already on channel")]
        [InlineData("INVITE carol #chan", ":irc.test 341 alice carol #chan")]
        [InlineData("MODE #chan", ":irc.test 324 alice #chan +nt")]
        public void OperatorGetsTheRightNumeric(string command, string expected)
        {
            using var fx = IrcBasicsTests.Irc();
            using var alice = IrcTestClient.Register(fx, "alice");
            using var carol = IrcTestClient.Register(fx, "carol");
            alice.Join("#chan");
            using var bob = IrcTestClient.Register(fx, "bob");
            bob.Send("JOIN #chan");
            alice.SkipTo("JOIN");

            alice.Send(command);

            Assert.Equal(expected, alice.NextLine());
        }

        [Fact]
        public void SecondKeyIsRefusedWithKeySet()
        {
            using var fx = IrcBasicsTests.Irc();
            using var alice = IrcTestClient.Register(fx, "alice");
            alice.Join("#chan");
            alice.Send("MODE #chan +k one");
            Assert.Equal(":alice!alice@127.0.0.1 MODE #chan +k one", alice.NextLine());
            alice.Send("MODE #chan +k two");
            Assert.Equal(":irc.test 467 alice #chan :Channel key already set", alice.NextLine());
        }

        [Theory]
        [InlineData("+k sesame", "JOIN #chan", ":irc.test 475 bob #chan :Cannot join channel (+k)")]
        [InlineData("+k sesame", "JOIN #chan wrong", ":irc.test 475 bob #chan :Cannot join channel (+k)")]
        [InlineData("+l 1", "JOIN #chan", ":irc.test 471 bob #chan :Cannot join channel (+l)")]
        [InlineData("+i", "JOIN #chan", ":irc.test 473 bob #chan :Cannot join channel (+i)")]
        [InlineData("+k sesame", "JOIN #chan sesame", ":bob!bob@127.0.0.1 JOIN #chan")]
        public void ChannelModesGuardTheDoor(string modes, string join, string expected)
        {
            using var fx = IrcBasicsTests.Irc();
            using var alice = IrcTestClient.Register(fx, "alice");
            alice.Join("#chan");
            alice.Send("MODE #chan " + modes);
            alice.Expect("MODE");
            using var bob = IrcTestClient.Register(fx, "bob");

            bob.Send(join);

            Assert.Equal(expected, bob.NextLine());
        }

        [Fact]
        public void InviteLetsTheInviteeThroughInviteOnly()
        {
            using var fx = IrcBasicsTests.Irc();
            using var alice = IrcTestClient.Register(fx, "alice");
            using var bob = IrcTestClient.Register(fx, "bob");
            alice.Join("#chan");
            alice.Send("MODE #chan +i");
            alice.Expect("MODE");

            alice.Send("INVITE bob #chan");

            Assert.Equal(":irc.test 341 alice bob #chan", alice.NextLine());
            Assert.Equal(":alice!alice@127.0.0.1 INVITE bob #chan", bob.NextLine());
            bob.Send("JOIN #chan");
            Assert.Equal(":bob!bob@127.0.0.1 JOIN #chan", bob.NextLine());
        }

        [Fact]
        public void ModeratedChannelRefusesTheUnvoicedUntilVoiced()
        {
            using var fx = IrcBasicsTests.Irc();
            using var alice = IrcTestClient.Register(fx, "alice");
            using var bob = IrcTestClient.Register(fx, "bob");
            IrcTestClient.JoinAll("#chan", alice, bob);
            alice.Send("MODE #chan +m");
            bob.Expect("MODE");

            bob.Send("PRIVMSG #chan :hello?");
            Assert.Equal(":irc.test 404 bob #chan :Cannot send to channel", bob.NextLine());

            alice.Send("MODE #chan +v bob");
            Assert.Equal(":alice!alice@127.0.0.1 MODE #chan +v bob", bob.NextLine());
            bob.Send("PRIVMSG #chan :hello!");
            Assert.Equal(":alice!alice@127.0.0.1 MODE #chan +m", alice.NextLine());
            Assert.Equal(":alice!alice@127.0.0.1 MODE #chan +v bob", alice.NextLine());
            Assert.Equal(":bob!bob@127.0.0.1 PRIVMSG #chan hello!", alice.NextLine());
        }

        [Fact]
        public void ClientStillRegisteringCannotBeAddressed()
        {
            using var fx = IrcBasicsTests.Irc();
            using var early = IrcTestClient.Connect(fx);
            early.Send("NICK early");
            using var bob = IrcTestClient.Register(fx, "bob");

            bob.Send("PRIVMSG early :hi");
            Assert.Equal(":irc.test 401 bob early :No such nick/channel", bob.NextLine());
            bob.Send("NICK early");
            Assert.Equal(":irc.test 433 bob early :Nickname is already in use", bob.NextLine());
        }

        [Fact]
        public void LinesAfterQuitInTheSameReadAreIgnored()
        {
            using var fx = IrcBasicsTests.Irc();
            using var alice = IrcTestClient.Register(fx, "alice");
            alice.Join("#chan");
            using var bob = IrcTestClient.Register(fx, "bob");
            bob.Join("#chan");
            alice.Expect("JOIN");

            bob.Raw.Write("QUIT :bye\r\nPRIVMSG #chan :ghost\r\n");

            Assert.Equal(":bob!bob@127.0.0.1 QUIT :Quit: bye", alice.NextLine());
            alice.AssertNothingPending();
        }

        [Fact]
        public void UnregisteredClientGetsNotRegistered()
        {
            using var fx = IrcBasicsTests.Irc();
            using var c = IrcTestClient.Connect(fx);
            c.Send("NICK early");
            c.Send("JOIN #chan");
            Assert.Equal(":irc.test 451 early :You have not registered", c.NextLine());
            c.Send("WHATEVER");
            Assert.Equal(":irc.test 451 early :You have not registered", c.NextLine());
        }

        [Fact]
        public void LineOver512BytesIsRefusedButTagsDoNotCount()
        {
            using var fx = IrcBasicsTests.Irc();
            using var a = IrcTestClient.Register(fx, "alice");
            // "PRIVMSG alice :" is 15 bytes: 495 more make 510, the most a line may have before CR LF.
            a.Send("PRIVMSG alice :" + new string('x', 496));
            Assert.Equal(":irc.test 417 alice :Input line was too long", a.NextLine());

            a.Send("@+tag=" + new string('t', 1000) + " PING :" + new string('y', 503));
            // The PONG echoes the token, cut so the reply fits 512 bytes too.
            Assert.Equal(":irc.test PONG irc.test " + new string('y', 486), a.NextLine());
        }

        [Fact]
        public void WrongPasswordIsRefusedAndClosed()
        {
            using var fx = IrcBasicsTests.Irc(o => o.Password = Secret.Of("sesame"));
            using var c = IrcTestClient.Connect(fx);
            c.Send("PASS nope");
            c.Send("NICK alice");
            c.Send("USER a 0 * :A");
            Assert.Equal(":irc.test 464 alice :Password incorrect", c.NextLine());
            Assert.Equal("ERROR :Closing Link: 127.0.0.1 (Bad password)", c.NextLine());
            Assert.True(c.Raw.WaitForClose());
        }

        [Fact]
        public void APlainTextClientCannotBypassThePassword()
        {
            using var fx = IrcBasicsTests.Irc(o =>
            {
                o.Password = Secret.Of("sesame");
                o.DetectTimeout = TimeSpan.FromMilliseconds(20);
            });
            using var alice = IrcTestClient.Connect(fx);
            alice.Send("PASS sesame");
            alice.Send("NICK alice");
            alice.Send("USER a 0 * :A");
            alice.SkipTo("376", "422");
            alice.Join("#lobby");
            using var lurker = TestClient.Connect(fx.EndPoint);
            using var text = TestClient.Connect(fx.EndPoint);

            alice.Send("PRIVMSG #lobby :secret");
            text.Write("carol:let me in\n");

            const string refusal = "*** error: this server needs a password, which only IRC clients can give\n";
            Assert.Equal(refusal, text.ReadLine());
            Assert.True(text.WaitForClose());
            // The PONG shows the server handled the secret; the lurker's first line then draws its refusal.
            alice.AssertNothingPending();
            lurker.AssertNothingBefore(refusal, () => lurker.Write("dave:hello?\n"));
        }

        [Fact]
        public void RightPasswordRegisters()
        {
            using var fx = IrcBasicsTests.Irc(o => o.Password = Secret.Of("sesame"));
            using var c = IrcTestClient.Connect(fx);
            c.Send("PASS sesame");
            c.Send("NICK alice");
            c.Send("USER a 0 * :A");
            Assert.Equal("001", c.Next().Command);
        }
    }
}
