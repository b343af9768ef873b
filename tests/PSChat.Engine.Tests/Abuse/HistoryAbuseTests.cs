using System;
using System.Linq;
using PSChat.Engine.History;
using PSChat.Engine.Rooms;
using Xunit;

namespace PSChat.Engine.Tests.Abuse
{
    /// <summary>History replays are bounded by the requester's send queue, as LIST is.</summary>
    [Trait("Category", "Abuse")]
    public class HistoryAbuseTests
    {
        /// <summary>CHATHISTORY of 100 long messages, asked for 200 times by a client that never reads.</summary>
        [Fact]
        public void ChatHistoryRequestsFromAClientThatNeverReadsAreCutNotQueued()
        {
            using var fx = IrcBasicsTests.Irc(o => o.MaxSendQueue = 16384);
            using var probe = AbuseProbe.Start(fx, "irc-chathistory-flood");
            using var owner = IrcTestClient.Register(fx, "owner");
            owner.Join("#big");
            var room = fx.Server.FindRoom("#big")!;
            var who = new MemberIdentity("owner", "owner", "127.0.0.1");
            for (int i = 0; i < 100; i++)
            {
                fx.Server.History.Add(room, new HistoryEntry(RoomEventKind.Message, "#big", DateTime.UtcNow, "id" + i, who, new string('x', 400), null, 0));
            }

            using var attacker = TestClient.Connect(fx.EndPoint, receiveBuffer: 4096);
            attacker.Write("NICK hoarder\r\nUSER hoarder 0 * :x\r\nJOIN #big\r\n" + string.Concat(Enumerable.Repeat("CHATHISTORY LATEST #big * 100\r\n", 200)));
            fx.WaitFor(ServerEventKind.Limited, e => e.Name == "hoarder" && e.Limit == "MaxSendQueue");
            for (int i = 0; i < 3; i++) probe.Check();

            Assert.True(fx.Server.Limits.TruncatedReplies >= 1);
            Assert.Equal(0, fx.Server.Limits.SendQueueDisconnects);
            Assert.Contains(fx.Server.Clients, c => c is Irc.IrcMember { Nick: "hoarder" });
        }
    }
}
