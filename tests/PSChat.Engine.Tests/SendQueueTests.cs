using System;
using System.Collections.Generic;
using System.Linq;
using PSChat.Engine.Timing;
using PSChat.Engine.Transport;
using Xunit;

namespace PSChat.Engine.Tests
{
    /// <summary>
    /// The send queue without a socket, on a clock the test drives: who writes, when, and what "idle"
    /// means. A clock that starts at zero is a machine booted a moment ago.
    /// </summary>
    public class SendQueueTests
    {
        private static readonly TimeSpan Delay = TimeSpan.FromMilliseconds(8);

        private readonly ManualClock clock = new ManualClock(startTicks: 0);

        private SendQueue NewQueue(TimeSpan? delay = null, long maxBytes = 1024 * 1024) => new SendQueue(clock, maxBytes, delay ?? Delay);

        private static ArraySegment<byte> Message(int bytes, byte fill = (byte)'x') => new ArraySegment<byte>(Enumerable.Repeat(fill, bytes).ToArray());

        /// <summary>Plays the writer: takes what is queued and reports it written, as the connection does.</summary>
        private static List<ArraySegment<byte>> WriteAll(SendQueue queue)
        {
            var written = new List<ArraySegment<byte>>();
            var batch = new List<ArraySegment<byte>>();
            long total;
            while ((total = queue.TakeBatch(ref batch, out _)) > 0)
            {
                written.AddRange(batch);
                batch.Clear();
                queue.Written(total);
            }

            return written;
        }

        [Fact]
        public void ThePeerIsWrittenAtOnceInTheFirstMomentsAfterBoot()
        {
            // The old transport held this for the delay: "never written" looked like "written at time 0".
            var queue = NewQueue(TimeSpan.FromHours(1));
            Assert.Equal(SendAction.WriteNow, queue.Enqueue(Message(10), out _));
        }

        [Fact]
        public void APeerWrittenWithinTheDelayWaitsForTheRestOfIt()
        {
            var queue = NewQueue();
            Assert.Equal(SendAction.WriteNow, queue.Enqueue(Message(10), out _));
            WriteAll(queue);
            clock.Advance(TimeSpan.FromMilliseconds(3));

            Assert.Equal(SendAction.WriteAt, queue.Enqueue(Message(10), out var due));
            Assert.Equal(Delay.Ticks - TimeSpan.FromMilliseconds(3).Ticks, due.Ticks - clock.NowTicks);
            // One writer: later messages join the waiting one.
            Assert.Equal(SendAction.None, queue.Enqueue(Message(10), out _));
            Assert.True(queue.TryEndDelay(due.Delay));
            Assert.Equal(2, WriteAll(queue).Count);
        }

        [Fact]
        public void APeerNotWrittenForTheWholeDelayIsIdleAndWrittenAtOnce()
        {
            var queue = NewQueue();
            queue.Enqueue(Message(10), out _);
            WriteAll(queue);
            clock.Advance(Delay - TimeSpan.FromTicks(1));
            Assert.Equal(SendAction.WriteAt, queue.Enqueue(Message(10), out var due));
            Assert.True(queue.TryEndDelay(due.Delay));
            WriteAll(queue);

            clock.Advance(Delay);
            Assert.Equal(SendAction.WriteNow, queue.Enqueue(Message(10), out _));
        }

        [Fact]
        public void APeerThatSpokeSinceOurLastWriteGetsItsAnswerAtOnceOnce()
        {
            // A request and its reply: the peer answered what we wrote, so what we write back to it
            // does not wait out the delay. The write uses the flag up; the next message waits again.
            var queue = NewQueue(TimeSpan.FromHours(1));
            queue.Enqueue(Message(10), out _);
            WriteAll(queue);

            queue.PeerSpoke();
            Assert.Equal(SendAction.WriteNow, queue.Enqueue(Message(10), out _));
            Assert.Single(WriteAll(queue));

            Assert.Equal(SendAction.WriteAt, queue.Enqueue(Message(10), out _));
        }

        [Fact]
        public void APeerThatSpeaksWhileAWriteWaitsDoesNotStartASecondWriter()
        {
            var queue = NewQueue(TimeSpan.FromHours(1));
            queue.Enqueue(Message(10), out _);
            WriteAll(queue);
            Assert.Equal(SendAction.WriteAt, queue.Enqueue(Message(10), out var due));

            // It spoke with messages waiting for it: a busy listener (a flood's sender), not a conversation.
            queue.PeerSpoke();
            Assert.Equal(SendAction.None, queue.Enqueue(Message(10), out _));
            Assert.True(queue.TryEndDelay(due.Delay));
            Assert.Equal(2, WriteAll(queue).Count);
            Assert.Equal(SendAction.WriteAt, queue.Enqueue(Message(10), out _));
        }

        [Fact]
        public void AFloodPastEightKilobytesDoesNotWaitForTheDelay()
        {
            var queue = NewQueue(TimeSpan.FromHours(1));
            queue.Enqueue(Message(10), out _);
            WriteAll(queue);

            Assert.Equal(SendAction.WriteAt, queue.Enqueue(Message(4096), out var due));
            Assert.Equal(SendAction.None, queue.Enqueue(Message(4095), out _));
            Assert.Equal(SendAction.WriteNow, queue.Enqueue(Message(1), out _));
            // The writer is started once: the due time that comes later finds nothing to start.
            Assert.Equal(SendAction.None, queue.Enqueue(Message(1), out _));
            Assert.False(queue.TryEndDelay(due.Delay));
            Assert.Equal(4, WriteAll(queue).Count);
        }

        [Fact]
        public void WithoutADelayEveryFirstMessageStartsTheWriter()
        {
            var queue = NewQueue(TimeSpan.Zero);
            for (int i = 0; i < 3; i++)
            {
                Assert.Equal(SendAction.WriteNow, queue.Enqueue(Message(10), out _));
                Assert.Equal(SendAction.None, queue.Enqueue(Message(10), out _));
                Assert.Equal(2, WriteAll(queue).Count);
            }
        }

        [Fact]
        public void MessagesGoOutWholeAndInOrder()
        {
            var queue = NewQueue();
            var sent = Enumerable.Range(0, 50).Select(i => Message(i + 1, (byte)i)).ToList();
            foreach (var m in sent) queue.Enqueue(m, out _);
            Assert.Equal(sent, WriteAll(queue));
            Assert.Equal(0, queue.QueuedBytes);
            Assert.Equal(sent.Sum(m => m.Count), queue.SentBytes);
        }

        [Fact]
        public void AMessageThatWouldPassTheBoundOverflowsAndIsNotQueued()
        {
            // Room for two 60-byte messages and their entries, and 40 bytes more.
            var queue = NewQueue(maxBytes: 60 + 60 + 40 + (3 * SendQueue.EntryCostBytes));
            Assert.Equal(SendAction.WriteNow, queue.Enqueue(Message(60), out _));
            Assert.Equal(SendAction.None, queue.Enqueue(Message(60), out _));
            Assert.Equal(SendAction.Overflow, queue.Enqueue(Message(41), out _));
            Assert.Equal(120, queue.QueuedBytes);
            Assert.Equal(SendAction.None, queue.Enqueue(Message(40), out _));
        }

        [Fact]
        public void EmptyLinesCountAgainstTheBoundToo()
        {
            // Issue 11, finding 6: 6.3M empty lines to 20 silent clients grew the server by 530 MB, as a
            // one-byte message ("\n") cost one byte against the bound. Each entry costs memory; the bound
            // must hold what a client's queue costs, whatever the size of its messages.
            const int maxBytes = 64 * 1024;
            var queue = NewQueue(maxBytes: maxBytes);
            int accepted = 0;
            while (accepted <= maxBytes && queue.Enqueue(Message(1), out _) != SendAction.Overflow) accepted++;

            Assert.InRange(accepted, 1, maxBytes / 32);
            Assert.Equal(accepted, queue.QueuedMessages);

            // Written and discarded entries give their cost back.
            WriteAll(queue);
            Assert.Equal(0, queue.QueuedMessages);
            for (int i = 0; i < accepted; i++) Assert.NotEqual(SendAction.Overflow, queue.Enqueue(Message(1), out _));
            queue.Discard();
            Assert.Equal(0, queue.QueuedMessages);
        }

        [Fact]
        public void AnEmptyMessageIsNotQueued()
        {
            // A batch of nothing but empty messages would total 0 bytes, which the writer takes for
            // "nothing queued" while the queue still counts it as the writer: the queue would stall.
            var queue = NewQueue(TimeSpan.Zero);
            Assert.Equal(SendAction.None, queue.Enqueue(new ArraySegment<byte>(new byte[0]), out _));
            Assert.Equal(SendAction.WriteNow, queue.Enqueue(Message(1), out _));
            Assert.Single(WriteAll(queue));
        }

        [Fact]
        public void AClosingQueueRefusesMoreAndSaysWhenItHasDrained()
        {
            var queue = NewQueue(TimeSpan.FromHours(1));
            queue.Enqueue(Message(10), out _);
            WriteAll(queue);
            Assert.Equal(SendAction.WriteAt, queue.Enqueue(Message(10), out var due));

            // A goodbye does not wait out the delay: the waiting writer is started now.
            Assert.True(queue.BeginClose(out bool drained));
            Assert.False(drained);
            Assert.False(queue.TryEndDelay(due.Delay));
            Assert.Equal(SendAction.Closed, queue.Enqueue(Message(10), out _));

            var batch = new List<ArraySegment<byte>>();
            Assert.Equal(10, queue.TakeBatch(ref batch, out drained));
            queue.Written(10);
            batch.Clear();
            Assert.Equal(0, queue.TakeBatch(ref batch, out drained));
            Assert.True(drained);
        }

        [Fact]
        public void AnEmptyQueueClosesDrained()
        {
            Assert.False(NewQueue().BeginClose(out bool drained));
            Assert.True(drained);
        }

        [Fact]
        public void APausedQueueHoldsMessagesUntilResumedOrDiscarded()
        {
            var queue = NewQueue();
            queue.Pause();
            Assert.Equal(SendAction.None, queue.Enqueue(Message(10), out _));
            Assert.Equal(SendAction.None, queue.Enqueue(Message(10), out _));
            Assert.True(queue.Resume(discardQueued: false));
            Assert.Equal(2, WriteAll(queue).Count);

            queue.Pause();
            queue.Enqueue(Message(10), out _);
            Assert.False(queue.Resume(discardQueued: true));
            Assert.Equal(0, queue.QueuedBytes);
        }

        [Fact]
        public void DiscardDropsWhatIsQueuedAndRefusesMore()
        {
            var queue = NewQueue();
            queue.Enqueue(Message(10), out _);
            queue.Discard();
            Assert.Equal(0, queue.QueuedBytes);
            Assert.Equal(SendAction.Closed, queue.Enqueue(Message(10), out _));
            var batch = new List<ArraySegment<byte>>();
            Assert.Equal(0, queue.TakeBatch(ref batch, out bool drained));
            Assert.True(drained);
        }

        [Fact]
        public void ListsGrownByABurstAreGivenBackWhenTheQueueEmpties()
        {
            var queue = NewQueue(TimeSpan.Zero);
            var batch = new List<ArraySegment<byte>>();
            for (int i = 0; i < 1000; i++) queue.Enqueue(Message(1), out _);
            Assert.Equal(1000, queue.TakeBatch(ref batch, out _));
            var grown = batch;
            Assert.True(grown.Capacity >= 1000);
            grown.Clear();
            queue.Written(1000);
            for (int i = 0; i < 1000; i++) queue.Enqueue(Message(1), out _);
            Assert.Equal(1000, queue.TakeBatch(ref batch, out _));
            batch.Clear();
            queue.Written(1000);

            // Both lists went through the burst; once the queue is empty neither keeps its size.
            Assert.Equal(0, queue.TakeBatch(ref batch, out _));
            Assert.True(batch.Capacity <= SendQueue.KeepCapacity);
            queue.Enqueue(Message(1), out _);
            Assert.Equal(1, queue.TakeBatch(ref batch, out _));
            Assert.True(batch.Capacity < 1000, "the queue list kept the burst's size");
        }

        [Fact]
        public void AFailedWriterGivesTheWriterUp()
        {
            var queue = NewQueue(TimeSpan.Zero);
            Assert.Equal(SendAction.WriteNow, queue.Enqueue(Message(10), out _));
            queue.ReleaseWriter();
            Assert.Equal(SendAction.WriteNow, queue.Enqueue(Message(10), out _));
        }
    }
}
