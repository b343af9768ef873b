using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using PSChat.Engine.Accounts;
using PSChat.Engine.Irc;
using Xunit;

namespace PSChat.Engine.Tests
{
    /// <summary>
    /// Issue 16, private messages: kept only if the server is told to (-KeepPrivateMessages), and then only
    /// between two logged-in accounts, for those two (README, privacy).
    /// </summary>
    public sealed class PrivateHistoryTests : IDisposable
    {
        private const string Caps = "batch draft/chathistory message-tags server-time";
        private readonly string folder = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "pschat-private-" + Guid.NewGuid().ToString("N"))).FullName;
        private readonly AccountFile store;

        public PrivateHistoryTests()
        {
            store = AccountFile.Open(Path.Combine(folder, "accounts.txt"));
            store.Save(ChatAccount.Create("ann", Secret.Of("ann-pass"), new string[0]));
            store.Save(ChatAccount.Create("ben", Secret.Of("ben-pass"), new string[0]));
        }

        public void Dispose() => Directory.Delete(folder, recursive: true);

        private ServerFixture Server(bool keep) => IrcBasicsTests.Irc(o =>
        {
            o.Accounts = store;
            o.LoginFailureDelay = TimeSpan.Zero;
            o.DataPath = Path.Combine(folder, "data");
            o.KeepPrivateMessages = keep;
        });

        /// <summary>Registers <paramref name="nick"/> logged in (SASL PLAIN) to the account of the same name.</summary>
        private static IrcTestClient LoggedIn(ServerFixture fx, string nick)
        {
            var c = IrcTestClient.Connect(fx);
            c.Send("CAP LS 302");
            c.Expect("CAP");
            c.Send("CAP REQ :sasl " + Caps);
            Assert.Equal("ACK", c.Expect("CAP")[1]);
            c.Send("NICK " + nick);
            c.Send($"USER {nick} 0 * :{nick}");
            c.Send("AUTHENTICATE PLAIN");
            c.Expect("AUTHENTICATE");
            c.Send("AUTHENTICATE " + Convert.ToBase64String(Encoding.UTF8.GetBytes("\0" + nick + "\0" + nick + "-pass")));
            c.SkipTo("903");
            c.Send("CAP END");
            c.SkipTo("376", "422");
            return c;
        }

        /// <summary>The messages of a CHATHISTORY LATEST reply (inside its batch).</summary>
        private static List<IrcMessage> Latest(IrcTestClient c, string target)
        {
            c.Send($"CHATHISTORY LATEST {target} * 10");
            var start = c.Next();
            Assert.Equal("BATCH", start.Command);
            Assert.StartsWith("+", start[0]);
            Assert.Equal(new[] { "chathistory", target }, new[] { start[1], start[2] });
            var messages = new List<IrcMessage>();
            for (var m = c.Next(); m.Command != "BATCH"; m = c.Next()) messages.Add(m);
            return messages;
        }

        private static string Show(IrcMessage m) => $"{m.Source} {m.Command} {string.Join(" ", m.Parameters)}";

        [Fact]
        public void WithKeepPrivateMessagesTwoAccountsReadTheirConversationBackAlsoAfterARestart()
        {
            var live = new List<IrcMessage>();
            using (var fx = Server(keep: true))
            {
                using var ann = LoggedIn(fx, "ann");
                using var ben = LoggedIn(fx, "ben");
                using var eve = IrcTestClient.Register(fx, "eve", Caps);
                ann.Send("PRIVMSG ben :hello ben");
                live.Add(ben.SkipTo("PRIVMSG"));
                ben.Send("NOTICE ann :hello ann");
                live.Add(ann.SkipTo("NOTICE"));
                eve.Send("PRIVMSG ann :eve is not logged in");
                ann.SkipTo("PRIVMSG");

                Assert.Equal(new[] { "ann!ann@127.0.0.1 PRIVMSG ben hello ben", "ben!ben@127.0.0.1 NOTICE ann hello ann" }, Latest(ann, "ben").ConvertAll(Show));
                Assert.Equal(Latest(ann, "ben").ConvertAll(Show), Latest(ben, "ANN").ConvertAll(Show));
                Assert.Empty(Latest(ann, "eve"));
                eve.Send("CHATHISTORY LATEST ann * 10");
                Assert.Equal(new[] { "CHATHISTORY", "INVALID_TARGET", "LATEST", "ann", "Messages could not be retrieved" }, eve.Expect("FAIL"));
                fx.Server.Stop();
            }

            using var again = Server(keep: true);
            using var benAgain = LoggedIn(again, "ben");
            var replayed = Latest(benAgain, "ann");
            Assert.Equal(live.ConvertAll(Show), replayed.ConvertAll(Show));
            Assert.Equal(live.ConvertAll(m => m.Tags["msgid"]), replayed.ConvertAll(m => m.Tags["msgid"]));
            Assert.Equal(live.ConvertAll(m => m.Tags["time"]), replayed.ConvertAll(m => m.Tags["time"]));
            // A conversation on disk makes no room.
            Assert.Null(again.Server.FindRoom("ann"));
            Assert.Null(again.Server.FindRoom("ben"));
        }

        [Fact]
        public void WithoutKeepPrivateMessagesLoggedInAccountsKeepNothing()
        {
            using var fx = Server(keep: false);
            using var ann = LoggedIn(fx, "ann");
            using var ben = LoggedIn(fx, "ben");
            ann.Send("PRIVMSG ben :hello ben");
            ben.SkipTo("PRIVMSG");

            ben.Send("CHATHISTORY LATEST ann * 10");

            Assert.Equal(new[] { "CHATHISTORY", "INVALID_TARGET", "LATEST", "ann", "Messages could not be retrieved" }, ben.Expect("FAIL"));
            Assert.Equal(0, fx.Server.HistoryCount);
        }
    }
}
