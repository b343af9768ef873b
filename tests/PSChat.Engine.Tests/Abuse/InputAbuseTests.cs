using System;
using System.Text;
using Xunit;

namespace PSChat.Engine.Tests.Abuse
{
    /// <summary>
    /// Injections through control bytes and look-alikes (issue 11, finding 8), replayed against a live
    /// server while a well-behaved pair (<see cref="AbuseProbe"/>) keeps talking: the attack reaches no
    /// one, and the other clients get exactly what they should.
    /// </summary>
    [Trait("Category", "Abuse")]
    [Collection(AbuseProbe.Collection)]
    public class InputAbuseTests
    {
        /// <summary>Rounds of each attack: enough to show the server shrugs it off, small enough for any machine.</summary>
        private const int Rounds = 20;

        [Fact]
        public void BareCrCannotForgeALineFromServicesForOtherClients()
        {
            using var fx = IrcBasicsTests.Irc(o => o.DetectTimeout = TimeSpan.FromMilliseconds(50));
            using var probe = AbuseProbe.Start(fx, "bare-cr-injection");
            using var mallory = IrcTestClient.Register(fx, "mallory");
            using var bob = IrcTestClient.Register(fx, "bob");
            IrcTestClient.JoinAll("#lobby", mallory, bob);
            using var text = TestClient.Connect(fx.EndPoint);
            mallory.Expect("JOIN");
            bob.Expect("JOIN");

            for (int i = 0; i < Rounds; i++)
            {
                mallory.Send($"PRIVMSG #lobby :hello\r:ChanServ!s@services PRIVMSG #lobby :identify {i}");
                Assert.Equal(":irc.test NOTICE mallory :*** Line refused: it contains a CR that does not end the line", mallory.NextLine());
                if (i % 5 == 0) probe.Check();
            }

            // The next thing anyone in the room gets is mallory's honest line: nothing of the attack came first.
            mallory.Send("PRIVMSG #lobby :marker");
            Assert.Equal(":mallory!mallory@127.0.0.1 PRIVMSG #lobby marker", bob.NextLine());
            Assert.Equal("mallory:marker\n", text.ReadLine());
            Assert.Equal(Rounds, fx.Server.Limits.RejectedLines);
            probe.Check();
        }

        [Fact]
        public void ControlBytesInUserNamesAndTagKeysNeverReachAnotherClient()
        {
            using var fx = IrcBasicsTests.Irc();
            using var probe = AbuseProbe.Start(fx, "control-bytes-in-names");
            using var bob = IrcTestClient.Register(fx, "bob", "message-tags");
            bob.Join("#t");

            for (int i = 0; i < Rounds; i++)
            {
                // The source the issue showed: usrps!x\0@staff\rz@127.0.0.1.
                using var mallory = IrcTestClient.Connect(fx);
                mallory.Send($"NICK usrps{i}");
                mallory.Send("USER x\0@staff 0 * :Real");
                Assert.Equal($":irc.test NOTICE usrps{i} :*** Line refused: it contains a NUL byte", mallory.NextLine());
                mallory.Send("USER x\u001b]0;pwned\u0007 0 * :Real");
                Assert.Equal("468", mallory.Next().Command);
                mallory.Send("USER x 0 * :Real");
                mallory.SkipTo("376", "422");
                mallory.Send("CAP REQ :message-tags");
                mallory.Expect("CAP");
                mallory.Send("JOIN #t");
                mallory.SkipTo("366");
                Assert.Equal($":usrps{i}!x@127.0.0.1 JOIN #t", bob.NextLine());
                mallory.Send("@+a\u001b[2J\u0000=1;+ok=1 PRIVMSG #t :tagged");
                mallory.Send("@+a\u009bz=1 PRIVMSG #t :tagged");
                Assert.Equal("NOTICE", mallory.Next().Command);
                Assert.Equal("NOTICE", mallory.Next().Command);
                mallory.Send("JOIN #\u202eevil");
                Assert.Equal("403", mallory.Next().Command);
                mallory.Send("PRIVMSG #t :clean");
                var clean = bob.Next();
                Assert.Equal($"usrps{i}!x@127.0.0.1", clean.Source);
                Assert.Equal(new[] { "#t", "clean" }, clean.Parameters);
                Assert.False(clean.Tags.ContainsKey("+ok"), "nothing of the refused tag line came through");
                mallory.Send("QUIT");
                Assert.Equal($":usrps{i}!x@127.0.0.1 QUIT :Client Quit", bob.NextLine());
                if (i % 5 == 0) probe.Check();
            }

            Assert.Null(fx.Server.FindRoom("#\u202eevil"));
            // Per round: the NUL user, the ESC user, the NUL tag line and the C1 tag key.
            Assert.Equal(4 * Rounds, fx.Server.Limits.RejectedLines);
            bob.AssertNothingPending();
            probe.Check();
        }

        [Fact]
        public void C1AndEscapeSequencesFromTextClientsNeverReachIrcClients()
        {
            using var fx = IrcBasicsTests.Irc(o =>
            {
                o.DetectTimeout = TimeSpan.FromMilliseconds(50);
                o.MaxRejectedLines = 1000;
            });
            using var probe = AbuseProbe.Start(fx, "c1-from-text");
            using var bob = IrcTestClient.Register(fx, "bob");
            bob.Join("#lobby");
            using var mallory = TestClient.Connect(fx.EndPoint);
            bob.Expect("JOIN");

            for (int i = 0; i < Rounds; i++)
            {
                mallory.Write(Encoding.UTF8.GetBytes($"mallory:\u009b2J\u009d52;c;cHduZWQ=\u009c{i}\n"));
                Assert.Equal("*** error: line contains control character U+009B; the line was not sent\n", mallory.ReadLine());
                mallory.Write(Encoding.UTF8.GetBytes($"\u202eevil:{i}\n"));
                if (i % 5 == 0) probe.Check();
            }

            // The bidi-named lines came through as text of the guest, never as a rename.
            for (int i = 0; i < Rounds; i++)
            {
                var message = bob.Next();
                Assert.Equal("PRIVMSG", message.Command);
                Assert.StartsWith("guest", message.SourceNick);
                Assert.Equal($"\u202eevil:{i}", message[1]);
            }

            bob.AssertNothingPending();
            Assert.Equal(Rounds, fx.Server.Limits.RejectedLines);
            probe.Check();
        }
    }
}
