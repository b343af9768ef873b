using System;
using System.IO;
using System.Linq;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using PSChat.Engine.Timing;
using PSChat.Engine.Transport;
using Xunit;

namespace PSChat.Engine.Tests.Abuse
{
    /// <summary>
    /// The payload path (issue 14): object chunks have a byte budget of their own (pschat.dev/payload), so it
    /// must not become a way around flood control, nor a way to flood a room. Replayed against a live server
    /// while a well-behaved pair (<see cref="AbuseProbe"/>) keeps talking.
    /// </summary>
    [Trait("Category", "Abuse")]
    [Collection(AbuseProbe.Collection)]
    public class PayloadAbuseTests
    {
        /// <summary>A chunk as a PSChat session sends it: most of a client tag's 4094 bytes.</summary>
        private static readonly string Chunk = "@+pschat=" + new string('A', 3800) + " TAGMSG #room";

        [Fact]
        public async Task ChunksFasterThanPayloadRateAreHeldThenDroppedForExcessFloodAndTheRoomGetsOneBurst()
        {
            // A clock that never moves: the budget never earns anything back, so what runs is exactly one burst.
            var clock = new ManualClock();
            using var fx = IrcBasicsTests.Irc(o => o.Clock = clock);
            using var probe = AbuseProbe.Start(fx, "payload-chunk-flood");
            using var bob = IrcTestClient.Register(fx, "bob", "message-tags");
            using var mallory = IrcTestClient.Register(fx, "mallory", "message-tags pschat.dev/payload");
            IrcTestClient.JoinAll("#room", bob, mallory);
            probe.Check();

            // 2 MB of chunks as fast as the socket takes them: eight bursts' worth.
            string sixteen = string.Concat(Enumerable.Repeat(Chunk + "\r\n", 16));
            var blast = Task.Run(() =>
            {
                try
                {
                    for (int i = 0; i < 2 * 1024 * 1024 / sixteen.Length; i++) mallory.Raw.Write(sixteen);
                }
                catch (Exception ex) when (ex is IOException || ex is ObjectDisposedException || ex is SocketException)
                {
                    // The server dropped mallory mid-blast, as it should (or the test closed the socket after).
                }
            });

            var notice = mallory.SkipTo("NOTICE");
            Assert.StartsWith("*** Object chunks held back: you sent more than 1048576 bytes a second (PayloadRate)", notice[1]);
            var limited = fx.WaitFor(ServerEventKind.Limited, e => e.Name == "mallory", AbuseProbe.LivenessMs);
            Assert.Equal("PayloadRate", limited.Limit);
            probe.Check();
            Assert.Contains("Excess Flood", mallory.SkipTo("ERROR")[0]);
            var dropped = fx.WaitFor(ServerEventKind.Disconnected, e => e.Name == "mallory", AbuseProbe.LivenessMs);
            Assert.Equal("MaxReceiveQueue", dropped.Limit);
            probe.Check();

            // The room got exactly the chunks one burst pays for, then mallory's exit, then nothing.
            int burstLines = FloodLimits.PayloadBurstOf(ChatServerOptions.DefaultPayloadRate) / Chunk.Length;
            for (int i = 0; i < burstLines; i++) Assert.Equal("TAGMSG", bob.Next(AbuseProbe.LivenessMs).Command);
            Assert.Equal("QUIT", bob.Next(AbuseProbe.LivenessMs).Command);
            bob.AssertNothingPending();
            Assert.Equal(1, fx.Server.Limits.FloodDisconnects);
            Assert.True(fx.Server.Limits.PayloadDelayedChunks > 0);
            mallory.Dispose();
            Assert.Same(blast, await Task.WhenAny(blast, Task.Delay(AbuseProbe.LivenessMs)));
            await blast;
            probe.Check();
        }

        [Fact]
        public async Task ChunksToAMemberThatDoesNotReadAreDroppedForItInsteadOfDroppingIt()
        {
            // A rate no sender here reaches: the attack is a fast sender in the room of a slow reader.
            using var fx = IrcBasicsTests.Irc(o =>
            {
                o.MaxSendQueue = 256 * 1024;
                o.PayloadRate = 256 * 1024 * 1024;
            });
            using var probe = AbuseProbe.Start(fx, "payload-chunks-to-a-slow-reader");
            using var stuck = IrcTestClient.Register(IrcTestClient.Wrap(TestClient.Connect(fx.EndPoint, receiveBuffer: 4096)), "stuck", "message-tags");
            using var reader = IrcTestClient.Register(fx, "reader", "message-tags");
            using var mallory = IrcTestClient.Register(fx, "mallory", "message-tags pschat.dev/payload");
            IrcTestClient.JoinAll("#room", stuck, reader, mallory);
            probe.Check();

            // Chunks until the server drops some for the stuck member, however much the kernel buffers on this
            // machine, sent no faster than the reader reads (it must never be the slow one, even on a loaded machine).
            int read = 0;
            var reading = Task.Run(() =>
            {
                while (reader.Next(AbuseProbe.LivenessMs).Command == "TAGMSG") Interlocked.Increment(ref read);
            });
            int sent = 0;
            while (fx.Server.Limits.TagMessagesDropped == 0)
            {
                Assert.True(sent < 50_000, "no chunk was ever dropped for the stuck member");
                if (sent % 16 == 0) Assert.True(SpinWait.SpinUntil(() => Volatile.Read(ref read) >= sent - 16, AbuseProbe.LivenessMs), "the reader fell behind");
                mallory.Send(Chunk);
                sent++;
            }

            var limited = fx.WaitFor(ServerEventKind.Limited, e => e.Name == "stuck", AbuseProbe.LivenessMs);
            Assert.Equal("MaxSendQueue", limited.Limit);
            probe.Check();
            for (int i = 0; i < 64; i++) mallory.Send(Chunk);
            mallory.Send("PRIVMSG #room :marker");
            Assert.Same(reading, await Task.WhenAny(reading, Task.Delay(AbuseProbe.LivenessMs)));
            await reading;
            Assert.Equal(sent + 64, read);
            var stuckConnection = fx.ConnectionOf(stuck.Raw);
            Assert.False(stuckConnection.IsClosed);
            Assert.True(stuckConnection.QueuedCost <= fx.Server.Options.MaxSendQueue, $"{stuckConnection.QueuedCost} bytes queued");
            probe.Check();

            // The stuck member reads at last: it was told, it is still in the room, and the marker reaches it.
            Assert.Contains("TAGMSGs to you (object chunks) are being dropped", stuck.SkipTo("NOTICE")[1]);
            var marker = stuck.SkipTo("PRIVMSG");
            while (marker[1] != "marker") marker = stuck.SkipTo("PRIVMSG");
            Assert.Equal(0, fx.Server.Limits.SendQueueDisconnects);
            Assert.True(fx.Server.Limits.TagMessagesDropped >= 64);
            probe.Check();
        }
    }
}
