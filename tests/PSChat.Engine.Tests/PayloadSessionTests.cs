using System;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using PSChat.Engine.Client;
using PSChat.Engine.Timing;
using Xunit;

namespace PSChat.Engine.Tests
{
    /// <summary>Envelopes end to end: through a server without message tags (CTCP records) and through PSChat's (tags), with replies routed to their requester.</summary>
    public class PayloadSessionTests
    {
        private static ChatMessage Next(ChatSession session)
        {
            Assert.Equal(TakeResult.Taken, session.Receive(TimeSpan.FromSeconds(10), CancellationToken.None, out var message));
            return message!;
        }

        /// <summary>A session registered with a server that offers no capabilities (so no message tags), sending unpaced.</summary>
        private static async Task<ChatSession> ConnectedAsync(FakeIrcServer irc, int maxIncompletePayloads = 4, ManualClock? clock = null)
        {
            var options = irc.Options("alice");
            options.PaceLinesPerSecond = 0;
            options.MaxIncompletePayloads = maxIncompletePayloads;
            if (clock != null)
            {
                options.Clock = clock;
                options.KeepAliveInterval = TimeSpan.FromHours(1);
                options.KeepAliveCheckPeriod = TimeSpan.FromMilliseconds(10);
            }

            var connecting = irc.Connect(options);
            irc.AcceptRegistration();
            return await connecting;
        }

        private static byte[] RandomBytes(int count)
        {
            var bytes = new byte[count];
            new Random(14).NextBytes(bytes);
            return bytes;
        }

        [Fact]
        public async Task WithoutTagsEachRecordIsACtcpLineThatFitsARelayedIrcLineAndTheSummaryClosesIt()
        {
            using var irc = new FakeIrcServer();
            using var session = await ConnectedAsync(irc);

            byte[] payload = RandomBytes(3000);
            string id = session.SendEnvelope("[Demo] a summary", payload, null, null, request: true, inReplyTo: null);
            var lines = new System.Collections.Generic.List<string>();
            string closing;
            while ((closing = irc.Client.ReadLine().TrimEnd('\r', '\n')).Contains("\u0001PSCHAT ")) lines.Add(closing);
            Assert.True(lines.Count >= 9, $"3000 random bytes take several lines, not {lines.Count}");
            Assert.Equal($"PRIVMSG #lobby :[Demo] a summary [pschat#{id}]", closing);
            // What the server prepends when it relays: the source it showed us in our JOIN.
            string relayPrefix = ":alice!~alice@127.0.0.1 ";
            Assert.All(lines.Append(closing), l => Assert.True(Encoding.UTF8.GetByteCount(relayPrefix + l) <= 510, l));
            Assert.True(Encoding.UTF8.GetByteCount(relayPrefix + lines[1]) >= 500, "chunks use the line");

            // The same lines, relayed from bob with other people's chatter between them, come back as one message.
            irc.Send(":carol!c@h PRIVMSG #lobby :before");
            foreach (string line in lines)
            {
                irc.Send(":bob!b@h " + line);
                irc.Send(":carol!c@h PRIVMSG #lobby :between");
            }

            irc.Send(":bob!b@h " + closing);
            Assert.Equal("before", Next(session).Text);
            for (int i = 0; i < lines.Count; i++) Assert.Equal("between", Next(session).Text);
            var message = Next(session);
            Assert.Equal(ChatMessageKind.Message, message.Kind);
            Assert.Equal("bob", message.Sender);
            Assert.Equal("#lobby", message.Room);
            Assert.Equal("[Demo] a summary", message.Text);
            Assert.Equal(payload, message.Payload);
            Assert.Equal(id, message.RequestId);
            Assert.Equal(0, session.MessagesPending);
            Assert.Equal(0, session.PayloadsRefused);
        }

        [Fact]
        public async Task AClosingLineTypedByAPersonIsShownAsTextAndAnIncompletePayloadIsRefusedOnceAndCounted()
        {
            using var irc = new FakeIrcServer();
            using var session = await ConnectedAsync(irc);

            irc.Send(":carol!c@h PRIVMSG #lobby :look [pschat#abc]");
            Assert.Equal("look [pschat#abc]", Next(session).Text);

            irc.Send(":bob!b@h PRIVMSG #lobby :\u0001PSCHAT p:1:3:o,n=6:AAAA\u0001");
            irc.Send(":bob!b@h PRIVMSG #lobby :half [pschat#p]");
            var refusal = Next(session);
            Assert.Equal(ChatMessageKind.System, refusal.Kind);
            Assert.Equal("A payload from bob (#p) was refused: it ended after 1 of 3 chunks.", refusal.Text);
            var shown = Next(session);
            Assert.Equal("half [pschat#p]", shown.Text);
            Assert.False(shown.HasObject);
            Assert.Equal(1, session.PayloadsRefused);
        }

        [Fact]
        public async Task APayloadWhoseSenderGoesQuietIsRefusedAtTheTimeoutWithoutWaitingForMoreTraffic()
        {
            using var irc = new FakeIrcServer();
            var clock = new ManualClock();
            using var session = await ConnectedAsync(irc, clock: clock);

            irc.Send(":bob!b@h TAGMSG #lobby");
            irc.Send(":bob!b@h PRIVMSG #lobby :\u0001PSCHAT q:1:2:o,n=3:AAAA\u0001");
            irc.Send(":carol!c@h PRIVMSG #lobby :marker");
            Assert.Equal("marker", Next(session).Text);
            clock.Advance(TimeSpan.FromSeconds(60));
            var refusal = Next(session);
            Assert.Equal(ChatMessageKind.System, refusal.Kind);
            Assert.Equal("A payload from bob (#q) was refused: no chunk of it came for 60 s (IncompletePayloadTimeout).", refusal.Text);
            Assert.Equal(1, session.PayloadsRefused);
        }

        [Fact]
        public async Task AFloodOfMalformedAndUnfinishedRecordsIsCountedButReportedOncePerSender()
        {
            using var irc = new FakeIrcServer();
            using var session = await ConnectedAsync(irc, maxIncompletePayloads: 2);

            for (int i = 0; i < 50; i++) irc.Send($":mallory!m@h PRIVMSG #lobby :\u0001PSCHAT id{i}:1:9:o,n=9:AAAA\u0001");
            for (int i = 0; i < 50; i++) irc.Send(":mallory!m@h PRIVMSG #lobby :\u0001PSCHAT garbage\u0001");
            irc.Send(":carol!c@h PRIVMSG #lobby :marker");
            Assert.Equal("A payload from mallory (#id2) was refused: mallory has 2 payloads in progress already (MaxIncompletePayloads).", Next(session).Text);
            Assert.Equal("marker", Next(session).Text);
            Assert.Equal(98, session.PayloadsRefused);
        }

        [Fact]
        public async Task ThroughPSChatsServerRecordsRideInTagsAndARepliesGoesToItsRequesterNotTheBuffer()
        {
            using var fx = IrcBasicsTests.Irc(o => o.FloodControl = false);
            ChatSessionOptions Options(string name) => new ChatSessionOptions { Port = fx.EndPoint.Port, Name = name, Protocol = ChatProtocol.Irc, Rooms = new[] { "#r" }, Timeout = TimeSpan.FromSeconds(10), PaceLinesPerSecond = 0 };
            using var asker = await ChatSession.ConnectAsync(Options("asker"), CancellationToken.None);
            using var responder = await ChatSession.ConnectAsync(Options("responder"), CancellationToken.None);
            using var talker = await ChatSession.ConnectAsync(Options("talker"), CancellationToken.None);
            Assert.Contains("message-tags", asker.Capabilities);

            byte[] question = RandomBytes(100_000);
            using var waiter = asker.SendRequest("how big?", question, "#r", null);
            talker.Send("chatter while the request travels", "#r");
            ChatMessage request;
            do request = Next(responder); while (request.RequestId == null);
            Assert.Equal("how big?", request.Text);
            Assert.Equal(question, request.Payload);
            Assert.Equal(waiter.RequestId, request.RequestId);

            request.Reply("100000 bytes");
            Assert.Equal(TakeResult.Taken, waiter.Replies.Take(TimeSpan.FromSeconds(10), CancellationToken.None, out var reply));
            Assert.Equal("100000 bytes", reply!.Text);
            Assert.Equal("responder", reply.Sender);
            Assert.Equal(waiter.RequestId, reply.InReplyTo);

            talker.Send("marker", "#r");
            ChatMessage seen;
            var texts = new System.Collections.Generic.List<string>();
            do
            {
                seen = Next(asker);
                texts.Add(seen.Text);
            }
            while (seen.Text != "marker");
            Assert.Contains("chatter while the request travels", texts);
            Assert.DoesNotContain("100000 bytes", texts);
        }
    }
}
