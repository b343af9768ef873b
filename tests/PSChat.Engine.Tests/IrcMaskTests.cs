using PSChat.Engine.Irc;
using Xunit;

namespace PSChat.Engine.Tests
{
    /// <summary>WHO and server masks: '*' and '?' after rfc1459 case folding, in time bounded by mask times name.</summary>
    public class IrcMaskTests
    {
        [Theory]
        [InlineData("*", "alice", true)]
        [InlineData("*", "", true)]
        [InlineData("", "", true)]
        [InlineData("", "a", false)]
        [InlineData("alice", "ALICE", true)]
        [InlineData("al?ce", "alice", true)]
        [InlineData("al?ce", "alce", false)]
        [InlineData("a*e", "alice", true)]
        [InlineData("a*e", "alicex", false)]
        [InlineData("*ice", "alice", true)]
        [InlineData("ali*", "alice", true)]
        [InlineData("*l*c*", "alice", true)]
        [InlineData("*x*", "alice", false)]
        [InlineData("a**e", "alice", true)]
        [InlineData("?*?", "a", false)]
        [InlineData("?*?", "ab", true)]
        [InlineData("[foo]", "{FOO}", true)]
        [InlineData("a.b", "axb", false)]
        [InlineData("*.local", "pschat.local", true)]
        [InlineData("*ab*abc", "abababc", true)]
        [InlineData("*ab*abc", "ababab", false)]
        public void MatchesLikeIrc(string mask, string name, bool expected) => Assert.Equal(expected, IrcNames.MatchesMask(mask, name));

        [Fact]
        public async System.Threading.Tasks.Task APatternThatMadeTheRegexBacktrackIsAnsweredAtOnce()
        {
            // Sixteen pairs took a backtracking regex minutes per nick (about 4x per two more pairs);
            // this matcher goes through it in at most mask x name steps.
            // The bound is only there to fail, not hang, on a matcher that backtracks.
            string nick = new string('a', 32);
            string mask = string.Concat(System.Linq.Enumerable.Repeat("*a", 16)) + "*b";
            var matching = System.Threading.Tasks.Task.Run(() => (IrcNames.MatchesMask(mask, nick), IrcNames.MatchesMask(mask.Substring(0, mask.Length - 1), nick)));
            Assert.Same(matching, await System.Threading.Tasks.Task.WhenAny(matching, System.Threading.Tasks.Task.Delay(System.TimeSpan.FromSeconds(10))));
            Assert.Equal((false, true), await matching);
        }
    }
}
