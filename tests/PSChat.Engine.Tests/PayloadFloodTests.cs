using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using PSChat.Engine.Client;
using PSChat.Engine.Client.Payloads;
using PSChat.Engine.Irc;
using Xunit;

namespace PSChat.Engine.Tests
{
    /// <summary>
    /// Objects through a PSChat server with its default flood control: the pschat.dev/payload capability
    /// budgets object chunks by bytes, and a session paces itself to what the server advertises.
    /// </summary>
    public class PayloadFloodTests
    {
        private static ChatSessionOptions Options(ServerFixture fx, string name) => new ChatSessionOptions
        {
            Port = fx.EndPoint.Port,
            Name = name,
            Protocol = ChatProtocol.Irc,
            Rooms = new[] { "#objects" },
            Timeout = TimeSpan.FromSeconds(30),
            // As Connect-ChatRoom to this machine: no pacing of lines of its own.
            PaceLinesPerSecond = 0,
        };

        private static byte[] RandomBytes(int count)
        {
            var bytes = new byte[count];
            new Random(14).NextBytes(bytes);
            return bytes;
        }

        [Fact]
        public async Task A1MBObjectThroughADefaultServerArrivesWholeWhileAnotherMemberChats()
        {
            using var fx = IrcBasicsTests.Irc();
            Assert.True(fx.Server.Options.FloodControl);
            using var receiver = await ChatSession.ConnectAsync(Options(fx, "receiver"), CancellationToken.None);
            using var sender = await ChatSession.ConnectAsync(Options(fx, "sender"), CancellationToken.None);
            using var chatter = await ChatSession.ConnectAsync(Options(fx, "chatter"), CancellationToken.None);
            Assert.Contains(PayloadCapability.Name, sender.Capabilities);

            // Random bytes: deflate cannot shrink them, so all of it (1.3 MB of base64) travels.
            byte[] big = RandomBytes(1024 * 1024);
            var chatting = Task.Run(() =>
            {
                // Past its line burst: the session paces itself under the server's line budget, in order.
                for (int i = 1; i <= 10; i++) chatter.Send("chatter " + i, "#objects");
            });
            var sending = Task.Run(() => sender.SendEnvelope("[Byte[]] 1 MB", big, "#objects", null, request: false, inReplyTo: null));
            await Task.WhenAll(chatting, sending);
            sender.Send("after big", "#objects");

            // The chatter's paced lines may still come after "after big".
            var messages = new List<ChatMessage>();
            while (!messages.Any(m => m.Text == "after big") || !messages.Any(m => m.Text == "chatter 10"))
            {
                Assert.Equal(TakeResult.Taken, receiver.Receive(TimeSpan.FromSeconds(60), CancellationToken.None, out var message));
                messages.Add(message!);
            }

            var objects = messages.Where(m => m.Payload != null).ToList();
            Assert.Single(objects);
            Assert.Equal(big, objects[0].Payload);
            Assert.Equal("[Byte[]] 1 MB", objects[0].Text);
            Assert.Equal(Enumerable.Range(1, 10).Select(i => "chatter " + i), messages.Where(m => m.Sender == "chatter" && m.Kind == ChatMessageKind.Message).Select(m => m.Text));
            Assert.Equal(0, receiver.PayloadsRefused);
            Assert.Equal(SessionState.Connected, sender.State);
            Assert.Equal(0, fx.Server.Limits.FloodDisconnects);
            Assert.Equal(0, fx.Server.Limits.PayloadDelayedChunks);
        }

        [Fact]
        public void TheCapabilityAdvertisesBothBudgetsButNotToAnExemptClientAndIsNotOfferedWithoutFloodControl()
        {
            using (var fx = IrcBasicsTests.Irc(o =>
            {
                o.PayloadRate = 2_000_000;
                o.FloodRate = 0.5;
                o.FloodBurst = 4;
            }))
            {
                using var client = IrcTestClient.Connect(fx);
                client.Send("CAP LS 302");
                Assert.Contains("pschat.dev/payload=rate=2000000,burst=500000,lines=0.5,line-burst=4", client.Expect("CAP")[2].Split(' '));
                using var exempt = IrcTestClient.Wrap(TestClient.Connect(fx.EndPoint, bound => fx.Server.ExemptFromFloodControl(bound)));
                exempt.Send("CAP LS 302");
                Assert.Contains("pschat.dev/payload", exempt.Expect("CAP")[2].Split(' '));
            }

            foreach (Action<ChatServerOptions> off in new Action<ChatServerOptions>[] { o => o.FloodControl = false, o => o.PayloadRate = 0 })
            {
                using var fx = IrcBasicsTests.Irc(off);
                using var client = IrcTestClient.Connect(fx);
                client.Send("CAP LS 302");
                Assert.DoesNotContain("pschat.dev/payload", client.Expect("CAP")[2]);
            }
        }

        [Theory]
        [InlineData("@+pschat=a:1:2:xyz TAGMSG #r", true)]
        [InlineData("@label=1;+pschat=a:1:2:xyz :me!u@h tagmsg #r", true)]
        [InlineData("@+pschat TAGMSG #r", true)]
        [InlineData("@+pschat=a:1:2:xyz PRIVMSG #r :hi", false)]
        [InlineData("@+pschatx=1 TAGMSG #r", false)]
        [InlineData("@+typing=active TAGMSG #r", false)]
        [InlineData("TAGMSG #r", false)]
        [InlineData("@+pschat=1 TAGMSG", false)]
        [InlineData("@+pschat=1 TAGMSGX #r", false)]
        public void OnlyATagmsgCarryingThePschatTagIsAPayloadLine(string line, bool chunk)
        {
            byte[] bytes = System.Text.Encoding.ASCII.GetBytes("xx" + line + "yy");
            Assert.Equal(chunk, PayloadCapability.IsChunk(bytes, 2, bytes.Length - 4));
        }

        [Theory]
        [InlineData("rate=1048576,burst=262144,lines=2,line-burst=10", 917504, 131072, 1.75, 5)]
        [InlineData("burst=100,rate=800", 700, 50, 0.0, 0)]
        [InlineData("rate=800,burst=100,lines=0.5,line-burst=1", 700, 50, 0.4375, 1)]
        [InlineData("rate=0,burst=10", null, null, null, null)]
        [InlineData("rate=x,burst=10", null, null, null, null)]
        [InlineData("", null, null, null, null)]
        public void ASessionPacesUnderWhatTheServerAdvertises(string value, int? rate, int? burst, double? lines, int? lineBurst)
        {
            var pace = PayloadPace.Under(value);
            Assert.Equal(rate, pace?.BytesPerSecond);
            Assert.Equal(burst, pace?.BurstBytes);
            Assert.Equal(lines, pace?.LinesPerSecond);
            Assert.Equal(lineBurst, pace?.LineBurst);
        }
    }
}
