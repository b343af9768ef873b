using System;
using System.Collections.Concurrent;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using PSChat.Engine.Framing;
using PSChat.Engine.Transport;

namespace PSChat.Engine.Tests
{
    /// <summary>A connection handler for transport tests: records lines and the close, and can be told to fail.</summary>
    internal sealed class LineRecorder : ILineConnectionHandler
    {
        private int closedCount;

        public BlockingCollection<string> Lines { get; } = new BlockingCollection<string>();

        public TaskCompletionSource<string> Closed { get; } = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>How many times OnClosed came (the contract: once).</summary>
        public int ClosedCount => Volatile.Read(ref closedCount);

        /// <summary>Throws from OnLine for the lines it returns true for (a handler's bug).</summary>
        public Func<string, bool>? Throw { get; set; }

        public bool ThrowOnClose { get; set; }

        /// <summary>Runs for every line before it is recorded, on the thread that reads it.</summary>
        public Action<string>? OnEachLine { get; set; }

        public void OnLine(byte[] buffer, int offset, int count, LineTerminator terminator)
        {
            string line = Encoding.UTF8.GetString(buffer, offset, count);
            if (Throw?.Invoke(line) == true) throw new InvalidOperationException("handler bug on " + line);
            OnEachLine?.Invoke(line);
            Lines.Add(line);
        }

        public void OnOverlongLine(int bytesSeen) => Lines.Add("overlong " + bytesSeen);

        public void OnClosed(LineConnection connection, string reason)
        {
            Interlocked.Increment(ref closedCount);
            Closed.TrySetResult(reason);
            if (ThrowOnClose) throw new InvalidOperationException("handler bug on close");
        }
    }
}
