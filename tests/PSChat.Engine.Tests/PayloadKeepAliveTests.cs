using System;
using System.Threading;
using System.Threading.Tasks;
using PSChat.Engine.Timing;
using Xunit;

namespace PSChat.Engine.Tests
{
    /// <summary>
    /// A large object to a server that reads slowly (ngircd's penalty time lets a flooding client through at
    /// about 1.5 KB a second): the session's PING waits behind the object for minutes, and a server that keeps
    /// taking bytes must not count as dead.
    /// </summary>
    public class PayloadKeepAliveTests
    {
        [Fact]
        public async Task AServerThatKeepsTakingAnObjectsBytesIsAliveThoughItSaysNothingPastTheKeepAliveTime()
        {
            var clock = new ManualClock();
            using var irc = new FakeIrcServer();
            var options = irc.Options("alice");
            options.PaceLinesPerSecond = 0;
            options.Clock = clock;
            options.Timeout = TimeSpan.FromSeconds(60);
            options.KeepAliveInterval = TimeSpan.FromSeconds(60);
            options.KeepAliveTimeout = TimeSpan.FromSeconds(30);
            options.KeepAliveCheckPeriod = TimeSpan.FromMilliseconds(10);
            // More than any kernel buffers on loopback, so the session always has bytes waiting.
            options.MaxPayloadBytes = 24 * 1024 * 1024;
            var connecting = irc.Connect(options);
            irc.AcceptRegistration();
            using var session = await connecting;

            var payload = new byte[options.MaxPayloadBytes];
            new Random(14).NextBytes(payload);
            var sending = Task.Run(() => session.SendEnvelope("big", payload, null, null, request: false, inReplyTo: null));
            var buffer = new byte[64 * 1024];
            irc.Client.Socket.ReceiveTimeout = 10000;

            // Eight steps of 20 s on the session's clock, 160 s in all, the server silent throughout: in each it
            // takes bytes until the session wrote more (a write completes when the kernel took all of it), and
            // the keepalive looks at least once after that.
            for (int step = 0; step < 8; step++)
            {
                clock.Advance(TimeSpan.FromSeconds(20));
                long sentBefore = session.BytesSentToServer;
                var reading = System.Diagnostics.Stopwatch.StartNew();
                while (session.BytesSentToServer == sentBefore)
                {
                    Assert.Equal(SessionState.Connected, session.State);
                    Assert.True(reading.Elapsed < TimeSpan.FromSeconds(30), "the session wrote more");
                    irc.Client.Socket.Receive(buffer);
                }

                long looks = session.KeepAliveLooks;
                Assert.True(SpinWait.SpinUntil(() => session.KeepAliveLooks > looks, 10000), "the keepalive looked");
                Assert.Equal(SessionState.Connected, session.State);
            }

            // (A server that stops taking bytes is still dead after the keepalive's time and what the backlog
            // buys; on loopback the kernel keeps trickling bytes in as it compacts its buffers, so that end is
            // not timed here.)
            session.Dispose();
            await Assert.ThrowsAnyAsync<Exception>(() => sending);
        }
    }
}
