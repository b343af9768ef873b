using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using PSChat.Engine.Rooms;
using Xunit;

namespace PSChat.Engine.Tests
{
    /// <summary>
    /// Members joining and parting one channel from several I/O threads at once: the room must never
    /// be dropped while someone is joining it, or the joiner lands in a room nobody else can reach.
    /// Run with PSCHAT_IO_LOOPS=4 (and 0) to spread the clients over more threads than this machine's cores.
    /// </summary>
    public class RoomRaceTests
    {
        private const string Channel = "#race";
        private const int Racers = 4;
        private const int PairsPerRound = 100;
        private const int Rounds = 20;

        [Theory]
        [InlineData(true)]
        [InlineData(false)]
        public async Task EveryoneWhoGotTheirJoinEchoIsListedAndHearsTheChannel(bool useIoLoop)
        {
            using var fx = IrcBasicsTests.Irc(o =>
            {
                o.UseIoLoop = useIoLoop;
                // A race of JOIN and PART bursts, not a test of flood control.
                o.FloodControl = false;
            });
            var racers = Enumerable.Range(0, Racers).Select(i => IrcTestClient.Register(fx, "racer" + i)).ToArray();
            using var checker = IrcTestClient.Register(fx, "checker");
            try
            {
                var random = new Random(1234);
                var inside = new bool[Racers];
                for (int round = 0; round < Rounds; round++)
                {
                    bool[] endInside = racers.Select(_ => random.Next(2) == 0).ToArray();
                    await Race(racers, endInside, inside, round);
                    string[] believers = Enumerable.Range(0, Racers).Where(i => inside[i]).Select(i => "racer" + i).ToArray();

                    var room = fx.Server.FindRoom(Channel);
                    Assert.Equal(Sorted(believers), Sorted(room?.Members.Select(m => m.Nick) ?? Array.Empty<string>()));
                    foreach (var member in room?.Members ?? Array.Empty<ChatMember>())
                    {
                        Assert.True(member.Rooms.Contains(room!), $"round {round}: {member.Nick} is in {Channel} but its own list says not");
                    }

                    foreach (var member in fx.Server.Members)
                    {
                        foreach (var joined in member.Rooms)
                        {
                            Assert.True(ReferenceEquals(fx.Server.FindRoom(joined.Name), joined), $"round {round}: {member.Nick} is in a {joined.Name} the server no longer lists");
                        }
                    }

                    Assert.Equal(Sorted(believers.Append("checker")), Sorted(JoinAndReadNames(checker)));
                    string marker = "marker" + round;
                    checker.Send($"PRIVMSG {Channel} :{marker}");
                    checker.Send("PART " + Channel);
                    checker.Expect("PART");
                    await Task.WhenAll(Enumerable.Range(0, Racers).Where(i => inside[i]).Select(i => Task.Factory.StartNew(
                        () => Assert.Equal(marker, racers[i].SkipTo("PRIVMSG")[1]),
                        TaskCreationOptions.LongRunning)));
                }
            }
            finally
            {
                foreach (var racer in racers) racer.Dispose();
            }
        }

        /// <summary>
        /// Each racer sends its pairs of JOIN and PART in one write (and a last JOIN when it is to end
        /// inside), then a PING; its own JOIN and PART echoes up to the PONG say where it ended.
        /// </summary>
        private static Task Race(IrcTestClient[] racers, bool[] endInside, bool[] inside, int round)
        {
            for (int i = 0; i < racers.Length; i++)
            {
                var burst = new StringBuilder();
                for (int k = 0; k < PairsPerRound; k++) burst.Append("JOIN ").Append(Channel).Append("\r\nPART ").Append(Channel).Append("\r\n");
                if (endInside[i]) burst.Append("JOIN ").Append(Channel).Append("\r\n");
                burst.Append("PING round").Append(round).Append("\r\n");
                racers[i].Raw.Write(burst.ToString());
            }

            return Task.WhenAll(Enumerable.Range(0, racers.Length).Select(i => Task.Factory.StartNew(
                () => inside[i] = ReadToPong(racers[i], "racer" + i, inside[i]),
                TaskCreationOptions.LongRunning)));
        }

        private static bool ReadToPong(IrcTestClient racer, string nick, bool inside)
        {
            while (true)
            {
                var message = racer.Next();
                if (message.Command == "PONG") return inside;
                if (message.SourceNick == nick && message.Command == "JOIN") inside = true;
                if (message.SourceNick == nick && message.Command == "PART") inside = false;
            }
        }

        /// <summary>Joins and returns the nicks of the names list that follows, without their prefixes.</summary>
        private static List<string> JoinAndReadNames(IrcTestClient checker)
        {
            checker.Send("JOIN " + Channel);
            checker.Expect("JOIN");
            var names = new List<string>();
            while (checker.SkipTo("353", "366") is { Command: "353" } reply)
            {
                names.AddRange(reply[3]!.Split(' ').Select(n => n.TrimStart('@', '+')));
            }

            return names;
        }

        private static string[] Sorted(IEnumerable<string> nicks) => nicks.OrderBy(n => n, StringComparer.Ordinal).ToArray();
    }
}
