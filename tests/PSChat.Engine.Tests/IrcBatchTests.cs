using System.Linq;
using System.Text;
using PSChat.Engine.Irc;
using PSChat.Engine.Rooms;
using Xunit;

namespace PSChat.Engine.Tests
{
    /// <summary>The shared pieces of IRCv3 batch: tagging a line, and a room event as separate messages.</summary>
    public class IrcBatchTests
    {
        [Fact]
        public void WithBatchAddsTheTagAndKeepsTheOthers()
        {
            var message = IrcMessage.Parse("@time=2026-12-03T10:00:00.000Z;+x=1 :a!a@h PRIVMSG #c :hi")!;

            var tagged = IrcMember.WithBatch(message, "b1");

            Assert.Equal("@time=2026-12-03T10:00:00.000Z;+x=1;batch=b1 :a!a@h PRIVMSG #c hi\r\n", Encoding.UTF8.GetString(tagged.ToBytes()));
            Assert.Same(message, IrcMember.WithBatch(message, null));
        }

        [Fact]
        public void ToMessagesCarriesTheCapabilitiesTags()
        {
            var e = new RoomEvent(RoomEventKind.Message, null, new MemberIdentity("ann", "ann", "h"), "hello") { Target = "#c" };

            var plain = IrcEventEncoder.ToMessages(e, Capability.None).Single();
            var tagged = IrcEventEncoder.ToMessages(e, Capability.ServerTime | Capability.MessageTags).Single();

            Assert.Equal(":ann!ann@h PRIVMSG #c hello\r\n", Encoding.UTF8.GetString(plain.ToBytes()));
            Assert.True(tagged.Tags.ContainsKey("time"));
            Assert.Equal(e.MessageId, tagged.Tags["msgid"]);
        }

        [Fact]
        public void ToMessagesSplitsATextClientsLongMessageLikeTheLiveEncoding()
        {
            var e = new RoomEvent(RoomEventKind.Message, null, new MemberIdentity("ann", "ann", "h"), new string('x', 1200)) { Target = "#c" };

            var messages = IrcEventEncoder.ToMessages(e, Capability.None);

            Assert.True(messages.Count >= 3);
            Assert.Equal(new string('x', 1200), string.Concat(messages.Select(m => m.Parameters[1])));
            Assert.All(messages, m => Assert.True(m.ToBytes().Length <= IrcMessage.MaxLineBytes));
        }
    }
}
