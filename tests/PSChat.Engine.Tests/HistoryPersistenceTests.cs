using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
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
