using System;
using Xunit;

namespace PSChat.Engine.Tests
{
    public class IrcBasicsTests
    {
        internal static ServerFixture Irc(Action<ChatServerOptions>? configure = null) => new ServerFixture(o =>
        {
            o.Protocol = ChatProtocol.Auto;
            o.HostName = "irc.test";
            configure?.Invoke(o);
        });

        [Fact]
        public void RegistrationSendsTheWelcomeBurst()
        {
            using var fx = Irc();
            using var c = IrcTestClient.Connect(fx);
            c.Send("NICK alice");
            c.Send("USER al 0 * :Alice Liddell");

            Assert.Equal(":irc.test 001 alice :Welcome to the PSChat Network, alice!al@127.0.0.1", c.NextLine());
            Assert.StartsWith(":irc.test 002 alice :Your host is irc.test, running version PSChat-", c.NextLine());
            Assert.StartsWith(":irc.test 003 alice :This server was created ", c.NextLine());
            Assert.Matches(@"^:irc\.test 004 alice irc\.test PSChat-\S+ Biow CIbeiklmnostv Ibeklov$", c.NextLine());
            Assert.Equal(
                ":irc.test 005 alice AWAYLEN=390 BOT=B CASEMAPPING=rfc1459 CHANLIMIT=#:10 CHANMODES=Ibe,k,l,Cimnst CHANNELLEN=50 CHANTYPES=# CHATHISTORY=100 ELIST=MNU EXCEPTS=e INVEX=I KICKLEN=390 MAXLIST=beI:100 :are supported by this server",
                c.NextLine());
            Assert.Equal(
                ":irc.test 005 alice MAXTARGETS=4 MODES MONITOR=100 MSGREFTYPES=msgid,timestamp NETWORK=PSChat NICKLEN=32 PREFIX=(ov)@+ STATUSMSG=@+ TARGMAX=JOIN:,KICK:4,NAMES:4,PART:,PRIVMSG:4,NOTICE:4,TAGMSG:4,WHOIS:4 TOPICLEN=390 USERLEN=16 UTF8ONLY WHOX :are supported by this server",
                c.NextLine());
            Assert.Equal(":irc.test 251 alice :There are 1 users and 0 invisible on 1 servers", c.NextLine());
            Assert.Equal(":irc.test 254 alice 0 :channels formed", c.NextLine());
            Assert.Equal(":irc.test 255 alice :I have 1 clients and 0 servers", c.NextLine());
            Assert.Equal("265", c.Next().Command);
            Assert.Equal("266", c.Next().Command);
            Assert.Equal(":irc.test 422 alice :MOTD File is missing", c.NextLine());
        }

        [Fact]
        public void MotdLinesAreSentWhenConfigured()
        {
            using var fx = Irc(o => o.Motd = new[] { "be nice" });
            using var c = IrcTestClient.Connect(fx);
            c.Send("NICK alice");
            c.Send("USER al 0 * :Alice");
            c.SkipTo("375");
            Assert.Equal(":irc.test 375 alice :- irc.test Message of the day - ", c.LastLine);
            Assert.Equal(":irc.test 372 alice :- be nice", c.NextLine());
            Assert.Equal(":irc.test 376 alice :End of /MOTD command.", c.NextLine());
        }

        [Fact]
        public void JoinPrivmsgPartAndQuitReachTheOtherMember()
        {
            using var fx = Irc();
            using var a = IrcTestClient.Register(fx, "alice");
            using var b = IrcTestClient.Register(fx, "bob");

            a.Send("JOIN #room");
            Assert.Equal(":alice!alice@127.0.0.1 JOIN #room", a.NextLine());
            Assert.Equal(":irc.test 353 alice = #room @alice", a.NextLine());
            Assert.Equal(":irc.test 366 alice #room :End of /NAMES list", a.NextLine());

            b.Send("JOIN #room");
            Assert.Equal(":bob!bob@127.0.0.1 JOIN #room", a.NextLine());
            b.SkipTo("366");

            a.Send("PRIVMSG #room :hello there");
            Assert.Equal(":alice!alice@127.0.0.1 PRIVMSG #room :hello there", b.NextLine());

            b.Send("PRIVMSG alice :psst");
            Assert.Equal(":bob!bob@127.0.0.1 PRIVMSG alice psst", a.NextLine());

            b.Send("PART #room :gone fishing");
            Assert.Equal(":bob!bob@127.0.0.1 PART #room :gone fishing", a.NextLine());
            Assert.Equal(":bob!bob@127.0.0.1 PART #room :gone fishing", b.NextLine());

            b.Send("JOIN #room");
            a.Next();
            b.Send("QUIT :bye now");
            Assert.Equal(":bob!bob@127.0.0.1 QUIT :Quit: bye now", a.NextLine());
            b.SkipTo("ERROR");
            Assert.Equal("ERROR :Closing Link: 127.0.0.1 (Quit: bye now)", b.LastLine);
            Assert.True(b.Raw.WaitForClose());
        }

        [Fact]
        public void PingGetsPong()
        {
            using var fx = Irc();
            using var a = IrcTestClient.Register(fx, "alice");
            a.Send("PING :token 1");
            Assert.Equal(":irc.test PONG irc.test :token 1", a.NextLine());
        }

        [Fact]
        public void IdleClientIsPingedAndDroppedWhenItDoesNotAnswer()
        {
            // On a clock the test moves: however slowly this machine registers and joins, no PING
            // comes before the test lets the interval pass.
            var clock = new Timing.ManualClock();
            var pastDeadline = TimeSpan.FromMilliseconds(201);
            using var fx = Irc(o =>
            {
                o.PingInterval = TimeSpan.FromMilliseconds(200);
                o.PingTimeout = TimeSpan.FromMilliseconds(200);
                o.Clock = clock;
            });
            using var a = IrcTestClient.Register(fx, "alice");
            using var b = IrcTestClient.Register(fx, "bob");
            IrcTestClient.JoinAll("#r", a, b);

            clock.Advance(pastDeadline);
            b.SkipTo("PING");
            Assert.Equal("PING irc.test", b.LastLine);
            a.SkipTo("PING");
            b.Send("PONG irc.test");
            b.Send("PING marker");
            b.SkipTo("PONG");
            clock.Advance(pastDeadline);
            b.SkipTo("QUIT");
            Assert.Equal(":alice!alice@127.0.0.1 QUIT :Ping timeout: 0 seconds", b.LastLine);
            Assert.True(a.Raw.WaitForClose());
        }

        [Fact]
        public void StoppingTheServerSendsErrorAndCloses()
        {
            using var fx = Irc();
            using var a = IrcTestClient.Register(fx, "alice");

            fx.Server.Stop();

            Assert.Equal("ERROR :Closing Link: 127.0.0.1 (server is shutting down)", a.NextLine());
            Assert.True(a.Raw.WaitForClose());
        }

        [Fact]
        public void UnregisteredClientIsDroppedAfterTheRegistrationTimeout()
        {
            using var fx = Irc(o => o.RegistrationTimeout = TimeSpan.FromMilliseconds(200));
            using var c = IrcTestClient.Connect(fx);
            c.Send("NICK slow");
            Assert.Equal("ERROR :Closing Link: 127.0.0.1 (Registration timed out)", c.NextLine());
            Assert.True(c.Raw.WaitForClose());
        }

        [Fact]
        public void AMessageToAListGoesToEachTargetInTurnSkippingEmptyOnes()
        {
            using var fx = Irc();
            using var a = IrcTestClient.Register(fx, "alice");
            using var b = IrcTestClient.Register(fx, "bob");
            IrcTestClient.JoinAll("#room", a, b);

            a.Send("PRIVMSG #room,,BOB,nobody :hi all");
            Assert.Equal(":alice!alice@127.0.0.1 PRIVMSG #room :hi all", b.NextLine());
            Assert.Equal(":alice!alice@127.0.0.1 PRIVMSG bob :hi all", b.NextLine());
            Assert.Equal(":irc.test 401 alice nobody :No such nick/channel", a.NextLine());

            // Lists of no names (only commas, or empty) draw no reply.
            a.Send("PRIVMSG , :anyone?");
            a.Send("JOIN :");
            a.AssertNothingPending();
        }
    }
}
