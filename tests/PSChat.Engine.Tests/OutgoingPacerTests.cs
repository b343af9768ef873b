using System;
using System.Collections.Generic;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using PSChat.Engine.Client;
using PSChat.Engine.Timing;
using Xunit;

namespace PSChat.Engine.Tests
{
    public class OutgoingPacerTests
    {
        private static byte[] Line(string text) => Encoding.ASCII.GetBytes(text);

        [Fact]
        public void ABurstGoesAtOnceThenOneLinePerIntervalInOrder()
        {
            var clock = new ManualClock(0);
            var sent = new List<string>();
            using var pacer = new OutgoingPacer(3, 2, clock, b => sent.Add(Encoding.ASCII.GetString(b)), useTimer: false);
            for (int i = 1; i <= 6; i++) pacer.Enqueue(Line("m" + i));
            Assert.Equal(new[] { "m1", "m2", "m3" }, sent);
            Assert.Equal(3, pacer.Waiting);
            Assert.Equal(TimeSpan.FromMilliseconds(500), pacer.NextIn());

            clock.Advance(TimeSpan.FromMilliseconds(499));
            pacer.Pump();
            Assert.Equal(3, sent.Count);
            clock.Advance(TimeSpan.FromMilliseconds(1));
            pacer.Pump();
            Assert.Equal("m4", sent[3]);
            clock.Advance(TimeSpan.FromSeconds(10));
            pacer.Pump();
            Assert.Equal(new[] { "m1", "m2", "m3", "m4", "m5", "m6" }, sent);

            // After a quiet spell the budget is a full burst again, not more.
            clock.Advance(TimeSpan.FromSeconds(10));
            for (int i = 7; i <= 11; i++) pacer.Enqueue(Line("m" + i));
            Assert.Equal(9, sent.Count);
            Assert.Equal(2, pacer.Waiting);
        }

        [Fact]
        public void ALineNeverOvertakesOneThatWaits()
        {
            var clock = new ManualClock(0);
            var sent = new List<string>();
            using var pacer = new OutgoingPacer(1, 1, clock, b => sent.Add(Encoding.ASCII.GetString(b)), useTimer: false);
            pacer.Enqueue(Line("a"));
            pacer.Enqueue(Line("b"));
            clock.Advance(TimeSpan.FromSeconds(1));
            // A token is there now, but "b" waits ahead of "c".
            pacer.Enqueue(Line("c"));
            Assert.Equal(new[] { "a" }, sent);
            pacer.Pump();
            Assert.Equal(new[] { "a", "b" }, sent);
        }

        [Fact]
        public void AFullQueueRefusesWithAClearMessage()
        {
            using var pacer = new OutgoingPacer(1, 1, new ManualClock(0), _ => { }, useTimer: false) { MaxWaiting = 2 };
            pacer.Enqueue(Line("sent"));
            pacer.Enqueue(Line("w1"));
            pacer.Enqueue(Line("w2"));
            var ex = Assert.Throws<InvalidOperationException>(() => pacer.Enqueue(Line("w3")));
            Assert.Contains("lines already wait to be sent", ex.Message);
        }

        [Fact]
        public async Task AnIrcSessionPacesItsMessagesButAnswersPingAtOnce()
        {
            using var irc = new FakeIrcServer();
            var clock = new ManualClock(0);
            var options = irc.Options("alice");
            options.Clock = clock;
            options.PaceBurst = 2;
            options.PaceLinesPerSecond = 1;
            var connecting = irc.Connect(options);
            irc.AcceptRegistration();
            using var session = await connecting;

            session.Send("one\ntwo\nthree\nfour", "#lobby");
            irc.Expect("PRIVMSG #lobby one");
            irc.Expect("PRIVMSG #lobby two");
            Assert.Equal(2, session.SendsPending);
            // The server's PING is answered ahead of the waiting lines.
            irc.Send("PING :are-you-there");
            irc.Expect("PONG are-you-there");
            clock.Advance(TimeSpan.FromSeconds(1));
            irc.Expect("PRIVMSG #lobby three");
            clock.Advance(TimeSpan.FromSeconds(1));
            irc.Expect("PRIVMSG #lobby four");

            // Disconnect sends what waits, then the goodbye.
            session.Send("five\nsix\nseven", "#lobby");
            session.Disconnect("bye");
            foreach (string line in new[] { "PRIVMSG #lobby five", "PRIVMSG #lobby six", "PRIVMSG #lobby seven", "QUIT bye" })
            {
                clock.Advance(TimeSpan.FromSeconds(1));
                irc.Expect(line);
            }

            await session.Completion;
        }
    }
}
