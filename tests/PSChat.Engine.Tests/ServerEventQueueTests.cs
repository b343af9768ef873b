using System.Threading;
using PSChat.Engine.Server;
using Xunit;

namespace PSChat.Engine.Tests
{
    /// <summary>The -Wait queue (issue 11, finding 13): bounded, drops counted, and messages cannot push out the events that matter.</summary>
    public class ServerEventQueueTests
    {
        [Fact]
        public void MessagesFillNineTenthsAndTheRestIsKeptForDisconnectsAndRefusals()
        {
            using var queue = new ServerEventQueue(20);
            var counters = new ChatServerCounters();

            int kept = 0;
            for (int i = 0; i < 50; i++)
            {
                if (queue.Add(new ServerEvent("s", ServerEventKind.Message), counters)) kept++;
            }

            Assert.Equal(18, kept);
            Assert.True(queue.Add(new ServerEvent("s", ServerEventKind.Disconnected), counters));
            Assert.True(queue.Add(new ServerEvent("s", ServerEventKind.Rejected), counters));
            Assert.False(queue.Add(new ServerEvent("s", ServerEventKind.Limited), counters));
            Assert.Equal(33, queue.Dropped);
            Assert.Equal(33, counters.DroppedEvents);

            // Taking one makes room again, in order.
            Assert.True(queue.TryTake(out var first, 0, CancellationToken.None));
            Assert.Equal(ServerEventKind.Message, first.Kind);
            Assert.True(queue.Add(new ServerEvent("s", ServerEventKind.Stopped), null));
            Assert.Equal(33, queue.Dropped);
        }
    }
}
