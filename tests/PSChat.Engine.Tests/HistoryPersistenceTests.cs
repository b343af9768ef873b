using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using PSChat.Engine.History;
using PSChat.Engine.Irc;
using PSChat.Engine.Rooms;
using Xunit;

namespace PSChat.Engine.Tests
{
    /// <summary>-DataPath: history and channels in SQLite, served again by a server restarted on the same folder.</summary>
    public sealed class HistoryPersistenceTests : IDisposable
    {
        private readonly string folder = Path.Combine(Path.GetTempPath(), "pschat-history-" + Guid.NewGuid().ToString("N"));

        public void Dispose()
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }

        private ServerFixture Server() => IrcBasicsTests.Irc(o => o.DataPath = folder);

        [Fact]
        public void ARestartOnTheSameDataPathServesTheSameChannelsTopicsModesAndHistory()
        {
            var live = new List<IrcMessage>();
            using (var fx = Server())
            {
                using var alice = IrcTestClient.Register(fx, "alice", "message-tags server-time echo-message");
                alice.Join("#keep");
                alice.Send("TOPIC #keep :kept topic");
                alice.SkipTo("TOPIC");
                alice.Send("MODE #keep +k-t sesame");
                alice.SkipTo("MODE");
                for (int i = 0; i < 3; i++)
                {
                    alice.Send($"PRIVMSG #keep :message {i}");
                    live.Add(alice.SkipTo("PRIVMSG"));
                }

                alice.AssertNothingPending();
                fx.Server.Stop();
            }

            Assert.Equal("ok", HistoryDatabase.IntegrityCheck(folder));
            using var again = Server();
            var room = again.Server.FindRoom("#KEEP");
            Assert.NotNull(room);
            Assert.Equal("kept topic", room!.Topic);
            Assert.Equal("alice", room.TopicSetBy);
            using var bob = IrcTestClient.Register(again, "bob", "batch server-time message-tags draft/chathistory");
            bob.Send("JOIN #keep");
            Assert.Equal("475", bob.Next().Command);
            bob.Send("JOIN #keep sesame");
            bob.SkipTo("366");
            bob.Send("CHATHISTORY LATEST #keep * 10");
            Assert.Equal("BATCH", bob.Next().Command);
            foreach (var message in live)
            {
                var replayed = bob.Next();
                Assert.Equal(message.Parameters, replayed.Parameters);
                Assert.Equal(message.Tags["msgid"], replayed.Tags["msgid"]);
                Assert.Equal(message.Tags["time"], replayed.Tags["time"]);
            }

            Assert.Equal("BATCH", bob.Next().Command);
            bob.Send("MODE #keep");
            Assert.Equal(new[] { "bob", "#keep", "+kn", "sesame" }, bob.Expect("324"));
        }

        [Fact]
        public void ARedactedMessageIsGoneFromTheStoreSoARestartedServerNeverReplaysIt()
        {
            using (var fx = Server())
            {
                using var alice = IrcTestClient.Register(fx, "alice", "message-tags echo-message draft/message-redaction");
                alice.Join("#keep");
                alice.Send("PRIVMSG #keep :oops");
                string msgid = alice.SkipTo("PRIVMSG").Tags["msgid"]!;
                alice.Send("PRIVMSG #keep :kept");
                alice.SkipTo("PRIVMSG");
                alice.Send($"REDACT #keep {msgid}");
                alice.SkipTo("REDACT");
                Assert.DoesNotContain(fx.Server.History.Range(fx.Server.FindRoom("#keep")!, DateTime.MinValue, DateTime.MaxValue, 10), e => e.Text == "oops");
                fx.Server.Stop();
            }

            using var again = Server();
            using var bob = IrcTestClient.Register(again, "bob", "batch draft/chathistory");
            bob.Join("#keep");
            bob.Send("CHATHISTORY LATEST #keep * 10");
            Assert.Equal("BATCH", bob.Next().Command);
            var kept = bob.Next();
            Assert.Equal("PRIVMSG", kept.Command);
            Assert.Equal("kept", kept.Parameters[1]);
            Assert.Equal("BATCH", bob.Next().Command);
        }

        [Fact]
        public void ARestartOnTheSameDataPathKeepsBansExceptionsInviteExceptionsAndSecrecy()
        {
            string[] banList;
            using (var fx = Server())
            {
                using var op = IrcTestClient.Register(fx, "chanop");
                op.Join("#guarded");
                op.Send("MODE #guarded +sb bar");
                op.Expect("MODE");
                op.Send("MODE #guarded +b ba*!*@*");
                op.Expect("MODE");
                op.Send("MODE #guarded +e baz!*@*");
                op.Expect("MODE");
                op.Send("MODE #guarded +I qux!*@*");
                op.Expect("MODE");
                op.Send("MODE #guarded +b");
                banList = new[] { op.NextLine(), op.NextLine(), op.NextLine() };
                fx.Server.Stop();
            }

            using var again = Server();
            using var bar = IrcTestClient.Register(again, "bar");
            bar.Send("JOIN #guarded");
            Assert.Equal(":irc.test 474 bar #guarded :Cannot join channel (+b)", bar.NextLine());
            using var baz = IrcTestClient.Register(again, "baz");
            baz.Send("JOIN #guarded");
            Assert.Equal(":baz!baz@127.0.0.1 JOIN #guarded", baz.NextLine());
            baz.SkipTo("366");
            baz.Send("MODE #guarded +b");
            // The same masks, setters and times, as the first server listed them (to baz now).
            Assert.Equal(
                banList.Select(line => Regex.Replace(line, @"^(:\S+ \d{3}) chanop ", "$1 baz ")),
                new[] { baz.NextLine(), baz.NextLine(), baz.NextLine() });
            baz.Send("MODE #guarded +e");
            Assert.Matches(@"^:irc\.test 348 baz #guarded baz!\*@\* chanop!chanop@127\.0\.0\.1 \d+$", baz.NextLine());
            Assert.Equal(":irc.test 349 baz #guarded :End of channel exception list", baz.NextLine());
            baz.Send("MODE #guarded +I");
            Assert.Matches(@"^:irc\.test 346 baz #guarded qux!\*@\* chanop!chanop@127\.0\.0\.1 \d+$", baz.NextLine());
            Assert.Equal(":irc.test 347 baz #guarded :End of channel invite exception list", baz.NextLine());
            baz.Send("MODE #guarded");
            Assert.Equal(new[] { "baz", "#guarded", "+nst" }, baz.Expect("324"));
            bar.Send("LIST #guarded");
            Assert.Equal("321", bar.Next().Command);
            Assert.Equal("323", bar.Next().Command);
        }

        [Fact]
        public void PrivateMessagesAreNeitherKeptNorWrittenNorReadBack()
        {
            using (var fx = Server())
            {
                using var alice = IrcTestClient.Register(fx, "alice", "batch draft/chathistory");
                using var bob = IrcTestClient.Register(fx, "bob", "batch draft/chathistory");
                alice.Join("#open");
                alice.Send("PRIVMSG #open :said in the open");
                alice.Send("PRIVMSG bob :a secret for bob");
                alice.Send("NOTICE bob :a private notice");
                Assert.Equal("a secret for bob", bob.Expect("PRIVMSG")[1]);
                Assert.Equal("a private notice", bob.Expect("NOTICE")[1]);

                bob.Send("CHATHISTORY LATEST alice * 10");
                Assert.Equal(new[] { "CHATHISTORY", "INVALID_TARGET", "LATEST", "alice", "Messages could not be retrieved" }, bob.Expect("FAIL"));
                alice.Send("CHATHISTORY TARGETS timestamp=2000-01-01T00:00:00.000Z timestamp=2100-01-01T00:00:00.000Z 10");
                Assert.Equal("BATCH", alice.Next().Command);
                Assert.Equal(new[] { "TARGETS", "#open" }, alice.Expect("CHATHISTORY").Take(2));
                Assert.Equal("BATCH", alice.Next().Command);
                Assert.Equal(1, fx.Server.HistoryCount);
                fx.Server.Stop();
            }

            using var database = HistoryDatabase.Open(folder, 10, 10, TimeSpan.Zero, () => new List<StoredChannel>(), (_, _) => { });
            var kept = database.Rooms().SelectMany(r => database.LoadMessages(r.Room, 100)).Select(e => e.Text);
            Assert.Equal(new[] { "said in the open" }, kept);
        }

        [Fact]
        public void AChannelWrittenOnlyWithItsMessagesComesBackWithANewChannelsModes()
        {
            // The writer never ran its channel pass (as when the process dies within a second of the room's
            // first message): the room's row is the one its messages' batch made.
            var who = new MemberIdentity("ann", "ann", "h");
            using (var database = HistoryDatabase.Open(folder, 10, 10, TimeSpan.Zero, () => new List<StoredChannel>(), (_, _) => { }))
            {
                database.Enqueue(new HistoryEntry(RoomEventKind.Message, "#fresh", DateTime.UtcNow, "m1", who, "first", null, 0));
            }

            using var fx = Server();
            using var bob = IrcTestClient.Register(fx, "bob");
            bob.Send("MODE #fresh");

            Assert.Equal(new[] { "bob", "#fresh", "+nt" }, bob.Expect("324"));
        }

        [Fact]
        public void WithADataPathAnEmptiedChannelIsKept()
        {
            using var fx = Server();
            using var alice = IrcTestClient.Register(fx, "alice", "batch draft/chathistory");
            alice.Join("#stay");
            alice.Send("PRIVMSG #stay :still here");
            alice.Send("PART #stay");
            alice.Expect("PART");
            alice.Join("#stay");

            alice.Send("CHATHISTORY LATEST #stay * 10");
            Assert.Equal("BATCH", alice.Next().Command);
            Assert.Equal("still here", alice.Expect("PRIVMSG")[1]);
            Assert.Equal("BATCH", alice.Next().Command);
        }

        [Fact]
        public void MessagesPastMaxPendingWritesAreNotQueuedAndTheFirstTimeIsReported()
        {
            var reports = new List<(int Count, bool First)>();
            var who = new MemberIdentity("ann", "ann", "h");
            using var database = HistoryDatabase.Open(folder, 2, 10, TimeSpan.Zero, () => new List<StoredChannel>(), (n, first) => reports.Add((n, first)));
            for (int i = 0; i < 4; i++) database.Enqueue(new HistoryEntry(RoomEventKind.Message, "#q", DateTime.UtcNow, "m" + i, who, "x", null, 0));

            Assert.Equal(2, database.Pending);
            Assert.Equal(new[] { (1, true), (1, false) }, reports);
        }

        [Fact]
        public void ADataPathThatIsAFileCannotBeUsedAndTheServerSaysWhy()
        {
            Directory.CreateDirectory(folder);
            string file = Path.Combine(folder, "not-a-folder");
            File.WriteAllText(file, "x");

            var error = Assert.Throws<IOException>(() => ChatServer.Start(new ChatServerOptions { Port = 0, DataPath = file }));
            Assert.Contains(file, error.Message);
        }
    }
}
