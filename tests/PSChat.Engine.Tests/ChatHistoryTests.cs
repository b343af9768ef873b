using System;
using System.Collections.Generic;
using System.Linq;
using PSChat.Engine.History;
using PSChat.Engine.Irc;
using PSChat.Engine.Rooms;
using Xunit;

namespace PSChat.Engine.Tests
{
    /// <summary>Per-room history: the store's bounds, the CHATHISTORY selections, and the command on a live server.</summary>
    public class ChatHistoryTests
    {
        private const string HistoryCaps = "batch server-time message-tags draft/chathistory";

        private static readonly MemberIdentity Ann = new MemberIdentity("ann", "ann", "h");

        private static HistoryEntry Entry(ChatRoom room, int i, string text = "") =>
            new HistoryEntry(RoomEventKind.Message, room.Name, new DateTime(2026, 12, 3, 10, 0, 0, DateTimeKind.Utc).AddSeconds(i), "m" + i, Ann, text.Length > 0 ? text : "message " + i, null, 0);

        /// <summary>A store holding messages 0..count-1 of one room, a second apart.</summary>
        private static (HistoryStore Store, ChatRoom Room) Filled(int count)
        {
            var store = new HistoryStore(100, long.MaxValue, (_, _) => { });
            var room = new ChatRoom("#h");
            for (int i = 0; i < count; i++) store.Add(room, Entry(room, i));
            return (store, room);
        }

        private static int[] Picked(HistoryStore store, ChatRoom room, Func<RoomLog, (int, int)> select) =>
            store.Select(room, select).Select(e => int.Parse(e.MessageId.Substring(1), System.Globalization.CultureInfo.InvariantCulture)).ToArray();

        private static MessageReference Ref(string text)
        {
            Assert.True(MessageReference.TryParse(text, true, out var reference), text);
            return reference;
        }

        [Fact]
        public void ARoomKeepsItsNewestHistorySizeMessages()
        {
            var store = new HistoryStore(3, long.MaxValue, (_, _) => throw new InvalidOperationException("no memory eviction expected"));
            var room = new ChatRoom("#h");
            for (int i = 0; i < 5; i++) store.Add(room, Entry(room, i));

            Assert.Equal(new[] { 2, 3, 4 }, Picked(store, room, log => (0, log.Count)));
            Assert.Equal(3, store.Count);
        }

        [Fact]
        public void TheMemoryBoundEvictsTheServersOldestMessagesFirstAndReportsOnce()
        {
            var reports = new List<(int Evicted, bool First)>();
            int entryBytes = Entry(new ChatRoom("#x"), 0, "x").Bytes;
            var store = new HistoryStore(100, 3 * entryBytes, (n, first) => reports.Add((n, first)));
            var quiet = new ChatRoom("#quiet");
            var busy = new ChatRoom("#busy");
            store.Add(quiet, Entry(quiet, 0, "x"));
            store.Add(busy, Entry(busy, 1, "x"));
            store.Add(busy, Entry(busy, 2, "x"));
            store.Add(busy, Entry(busy, 3, "x"));
            store.Add(busy, Entry(busy, 4, "x"));

            Assert.Empty(Picked(store, quiet, log => (0, log.Count)));
            Assert.Equal(new[] { 2, 3, 4 }, Picked(store, busy, log => (0, log.Count)));
            Assert.Equal(3 * entryBytes, store.Bytes);
            Assert.Equal(new[] { (1, true), (1, false) }, reports);
        }

        [Fact]
        public void SelectionsFollowTheChatHistorySpec()
        {
            var (store, room) = Filled(10);
            var t4 = "timestamp=2026-12-03T10:00:04.000Z";

            Assert.Equal(new[] { 5, 6, 7, 8, 9 }, Picked(store, room, log => HistorySelection.Latest(log, MessageReference.None, 5)));
            Assert.Equal(new[] { 5, 6, 7, 8, 9 }, Picked(store, room, log => HistorySelection.Latest(log, Ref("msgid=m4"), 20)));
            Assert.Equal(new[] { 5, 6, 7, 8, 9 }, Picked(store, room, log => HistorySelection.Latest(log, Ref(t4), 20)));
            Assert.Equal(new[] { 0, 1, 2, 3 }, Picked(store, room, log => HistorySelection.Before(log, Ref("msgid=m4"), 20)));
            Assert.Equal(new[] { 2, 3 }, Picked(store, room, log => HistorySelection.Before(log, Ref(t4), 2)));
            Assert.Equal(new[] { 5, 6, 7 }, Picked(store, room, log => HistorySelection.After(log, Ref(t4), 3)));
            Assert.Equal(new[] { 7 }, Picked(store, room, log => HistorySelection.Around(log, Ref("msgid=m7"), 1)));
            Assert.Equal(new[] { 6, 7, 8 }, Picked(store, room, log => HistorySelection.Around(log, Ref("msgid=m7"), 3)));
            Assert.Equal(new[] { 1, 2, 3 }, Picked(store, room, log => HistorySelection.Between(log, Ref("msgid=m0"), Ref("msgid=m9"), 3)));
            Assert.Equal(new[] { 6, 7, 8 }, Picked(store, room, log => HistorySelection.Between(log, Ref("msgid=m9"), Ref("msgid=m0"), 3)));
            Assert.Equal(Enumerable.Range(1, 8).ToArray(), Picked(store, room, log => HistorySelection.Between(log, Ref("timestamp=2026-12-03T10:00:09.000Z"), Ref("timestamp=2026-12-03T10:00:00.000Z"), 20)));
            Assert.Empty(Picked(store, room, log => HistorySelection.After(log, Ref("msgid=unknown"), 20)));
        }

        [Fact]
        public void ALateJoinerGetsTheChannelsMessagesInAChatHistoryBatch()
        {
            using var fx = IrcBasicsTests.Irc();
            using var alice = IrcTestClient.Register(fx, "alice", "message-tags server-time echo-message");
            alice.Join("#h");
            var sent = new List<IrcMessage>();
            for (int i = 0; i < 3; i++)
            {
                alice.Send($"PRIVMSG #h :message {i}");
                sent.Add(alice.SkipTo("PRIVMSG"));
            }

            // Its lines run in order: once the PING is answered, the messages are recorded.
            alice.AssertNothingPending();

            using var bob = IrcTestClient.Register(fx, "bob", HistoryCaps);
            bob.Join("#h");
            bob.Send("CHATHISTORY LATEST #h * 10");

            var open = bob.Next();
            Assert.Equal("BATCH", open.Command);
            Assert.Equal(new[] { "chathistory", "#h" }, open.Parameters.Skip(1));
            string reference = open[0]!.Substring(1);
            foreach (var live in sent)
            {
                var replayed = bob.Next();
                Assert.Equal("PRIVMSG", replayed.Command);
                Assert.Equal(reference, replayed.Tags["batch"]);
                Assert.Equal(live.Tags["msgid"], replayed.Tags["msgid"]);
                Assert.Equal(live.Tags["time"], replayed.Tags["time"]);
                Assert.Equal(live.Parameters, replayed.Parameters);
                Assert.Equal("alice!alice@127.0.0.1", replayed.Source);
            }

            Assert.Equal(new[] { "-" + reference }, bob.Expect("BATCH"));
            bob.AssertNothingPending();
        }

        [Fact]
        public void TheCapabilityAndTheIsupportTokensAreOfferedAndTheLimitIsClamped()
        {
            using var fx = IrcBasicsTests.Irc(o => o.MaxHistoryLines = 2);
            using var alice = IrcTestClient.Register(fx, "alice");
            alice.Join("#h");
            for (int i = 0; i < 5; i++) alice.Send($"PRIVMSG #h :message {i}");
            alice.AssertNothingPending();
            var client = IrcTestClient.Connect(fx);
            client.Send("CAP LS 302");
            Assert.Contains("draft/chathistory", client.Expect("CAP")[2].Split(' '));
            client.Send("CAP REQ :batch draft/chathistory");
            Assert.Equal("ACK", client.Expect("CAP")[1]);
            client.Send("NICK bob");
            client.Send("USER bob 0 * :bob");
            client.Send("CAP END");
            var isupport = new List<string>();
            while (client.Next() is var m && m.Command != "376" && m.Command != "422")
            {
                if (m.Command == "005") isupport.AddRange(m.Parameters);
            }

            Assert.Contains("CHATHISTORY=2", isupport);
            Assert.Contains("MSGREFTYPES=msgid,timestamp", isupport);
            client.Join("#h");
            client.Send("CHATHISTORY LATEST #h * 50");
            Assert.Equal("BATCH", client.Next().Command);
            Assert.Equal("message 3", client.Expect("PRIVMSG")[1]);
            Assert.Equal("message 4", client.Expect("PRIVMSG")[1]);
            Assert.Equal("BATCH", client.Next().Command);
            client.AssertNothingPending();
        }

        [Fact]
        public void OnlyMembersReadAChannelsHistoryAndMistakesGetStandardReplies()
        {
            using var fx = IrcBasicsTests.Irc();
            using var alice = IrcTestClient.Register(fx, "alice");
            alice.Join("#h");
            alice.Send("PRIVMSG #h :secret");
            using var eve = IrcTestClient.Register(fx, "eve", HistoryCaps);

            eve.Send("CHATHISTORY LATEST #h * 10");
            Assert.Equal(":irc.test FAIL CHATHISTORY INVALID_TARGET LATEST #h :Messages could not be retrieved", eve.NextLine());
            eve.Send("CHATHISTORY LATEST #nowhere * 10");
            Assert.Equal(":irc.test FAIL CHATHISTORY INVALID_TARGET LATEST #nowhere :Messages could not be retrieved", eve.NextLine());
            eve.Join("#e");
            eve.Send("CHATHISTORY BEFORE #e * 10");
            Assert.StartsWith(":irc.test FAIL CHATHISTORY INVALID_PARAMS BEFORE * :Invalid message reference", eve.NextLine());
            eve.Send("CHATHISTORY LATEST #e * many");
            Assert.Equal(":irc.test FAIL CHATHISTORY INVALID_PARAMS LATEST many :Invalid limit", eve.NextLine());
            eve.Send("CHATHISTORY LATEST #h");
            Assert.Equal(":irc.test FAIL CHATHISTORY NEED_MORE_PARAMS LATEST :Missing parameters", eve.NextLine());
            eve.Send("CHATHISTORY FORGET #h");
            Assert.Equal(":irc.test FAIL CHATHISTORY UNKNOWN_COMMAND FORGET :Unknown subcommand", eve.NextLine());
            eve.AssertNothingPending();
        }

        [Fact]
        public void ARoomsHistoryGoesWithTheRoomSoALaterRoomOfTheSameNameStartsEmpty()
        {
            using var fx = IrcBasicsTests.Irc();
            using var alice = IrcTestClient.Register(fx, "alice", HistoryCaps);
            alice.Join("#h");
            alice.Send("PRIVMSG #h :before");
            alice.Send("PART #h");
            alice.Expect("PART");
            alice.Join("#h");

            alice.Send("CHATHISTORY LATEST #h * 10");
            Assert.Equal("BATCH", alice.Next().Command);
            Assert.Equal("BATCH", alice.Next().Command);
            alice.AssertNothingPending();
        }

        [Fact]
        public void HistorySizeZeroKeepsNothingAndOffersNoChatHistory()
        {
            using var fx = IrcBasicsTests.Irc(o => o.HistorySize = 0);
            using var alice = IrcTestClient.Register(fx, "alice");
            alice.Join("#h");
            alice.Send("PRIVMSG #h :hi");
            alice.Send("CHATHISTORY LATEST #h * 10");

            Assert.Equal(new[] { "alice", "CHATHISTORY", "Unknown command" }, alice.Expect("421"));
            Assert.Equal(0, fx.Server.HistoryCount);
        }

        [Fact]
        public void TargetsListsTheRequestersChannelsByTheirNewestMessage()
        {
            using var fx = IrcBasicsTests.Irc();
            using var alice = IrcTestClient.Register(fx, "alice", HistoryCaps + " echo-message");
            alice.Join("#one");
            alice.Join("#two");
            alice.Send("PRIVMSG #two :first");
            string first = alice.SkipTo("PRIVMSG").Tags["time"]!;
            // Server times have millisecond resolution: two messages in the same millisecond tie, and the
            // order of a tie is not defined. The test needs the second message to be newer.
            var firstTime = DateTime.Parse(first, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.RoundtripKind).ToUniversalTime();
            System.Threading.SpinWait.SpinUntil(() => DateTime.UtcNow >= firstTime.AddMilliseconds(2));
            alice.Send("PRIVMSG #one :second");
            string second = alice.SkipTo("PRIVMSG").Tags["time"]!;

            alice.Send("CHATHISTORY TARGETS timestamp=2000-01-01T00:00:00.000Z timestamp=2100-01-01T00:00:00.000Z 10");
            var open = alice.Next();
            Assert.Equal(new[] { "draft/chathistory-targets" }, open.Parameters.Skip(1));
            Assert.Equal(new[] { "TARGETS", "#two", first }, alice.Expect("CHATHISTORY"));
            Assert.Equal(new[] { "TARGETS", "#one", second }, alice.Expect("CHATHISTORY"));
            Assert.Equal("BATCH", alice.Next().Command);
        }

        [Fact]
        public void GetHistoryReturnsChatMessagesOfARoomBetweenTimes()
        {
            using var fx = IrcBasicsTests.Irc();
            using var alice = IrcTestClient.Register(fx, "alice");
            alice.Join("#ops");
            alice.Send("PRIVMSG #ops :one");
            alice.Send("NOTICE #ops :two");
            alice.AssertNothingPending();

            var all = fx.Server.GetHistory("#OPS", DateTime.MinValue, DateTime.MaxValue, 10)!;

            Assert.Equal(new[] { "one", "two" }, all.Select(m => m.Text));
            Assert.Equal(new[] { ChatMessageKind.Message, ChatMessageKind.Notice }, all.Select(m => m.Kind));
            Assert.All(all, m => Assert.Equal("#ops", m.Room));
            Assert.All(all, m => Assert.Equal("alice", m.Sender));
            Assert.Equal(new[] { "two" }, fx.Server.GetHistory("#ops", DateTime.MinValue, DateTime.MaxValue, 1)!.Select(m => m.Text));
            Assert.Empty(fx.Server.GetHistory("#ops", DateTime.UtcNow.AddHours(1), DateTime.MaxValue, 10)!);
            Assert.Null(fx.Server.GetHistory("#nowhere", DateTime.MinValue, DateTime.MaxValue, 10));
        }
    
        [Fact]
        public void ATextClientThatJoinsIsSentTheLastTextHistoryLinesAsTextLines()
        {
            using var fx = new ServerFixture(o => o.TextHistoryLines = 2);
            using var a = fx.Join();
            a.Write("alice:one\nalice:two\nalice:three\n");
            for (int i = 0; i < 3; i++) fx.WaitFor(ServerEventKind.Message);

            using var late = fx.Join();

            Assert.Equal("alice:two\n", late.ReadLine());
            Assert.Equal("alice:three\n", late.ReadLine());
            late.AssertNothingBefore("alice:live\n", () => a.Write("alice:live\n"));
        }

        [Fact]
        public void ByDefaultATextClientThatJoinsIsSentNoHistory()
        {
            using var fx = new ServerFixture();
            using var a = fx.Join();
            a.Write("alice:one\n");
            fx.WaitFor(ServerEventKind.Message);

            using var late = fx.Join();

            late.AssertNothingBefore("alice:live\n", () => a.Write("alice:live\n"));
            Assert.Equal(2, fx.Server.HistoryCount);
        }
    }
}
