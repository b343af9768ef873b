using System;
using System.Buffers;

namespace PSChat.Engine.Framing
{
    /// <summary>How a line ended on the wire.</summary>
    internal enum LineTerminator
    {
        /// <summary>No line end: the line was taken after the quiet time or at end of stream.</summary>
        None,
        /// <summary><c>\n</c>.</summary>
        Lf,
        /// <summary><c>\r\n</c>.</summary>
        CrLf,
    }

    /// <summary>Receives what a <see cref="LineFramer"/> cuts out of a byte stream.</summary>
    internal interface ILineSink
    {
        /// <summary>A whole line, without its terminator. The bytes are only valid during the call.</summary>
        void OnLine(byte[] buffer, int offset, int count, LineTerminator terminator);

        /// <summary>A line grew past the limit; its bytes up to the next line end are dropped.</summary>
        void OnOverlongLine(int bytesSeen);
    }

    /// <summary>
    /// Cuts a byte stream into lines ending in LF or CRLF. Bytes of an unfinished line are kept in a
    /// pooled buffer that is returned as soon as the line completes, so an idle connection holds none.
    /// A line longer than the limit is reported once and skipped up to its line end.
    /// </summary>
    internal sealed class LineFramer : IDisposable
    {
        private readonly int maxLineBytes;
        private byte[]? partial;
        private int partialCount;
        private bool discarding;
        private bool stopped;

        public LineFramer(int maxLineBytes)
        {
            if (maxLineBytes < 1) throw new ArgumentOutOfRangeException(nameof(maxLineBytes));
            this.maxLineBytes = maxLineBytes;
        }

        public int MaxLineBytes => maxLineBytes;

        /// <summary>True when bytes of an unterminated line are waiting.</summary>
        public bool HasPartial => partialCount > 0;

        /// <summary>
        /// Cuts no more lines, from the next one on (also within the <see cref="Feed"/> running now): the
        /// connection was dropped, and the rest of its read must cost nothing.
        /// </summary>
        public void Stop() => stopped = true;

        public void Feed(byte[] data, int offset, int count, ILineSink sink)
        {
            int end = offset + count;
            int start = offset;
            while (start < end && !stopped)
            {
                int lf = Array.IndexOf(data, (byte)'\n', start, end - start);
                if (lf < 0)
                {
                    Append(data, start, end - start, sink);
                    return;
                }

                int segment = lf - start;
                if (discarding)
                {
                    discarding = false;
                }
                else if (partialCount == 0)
                {
                    Emit(data, start, segment, terminated: true, sink);
                }
                else if (partialCount + segment > maxLineBytes + 1)
                {
                    int seen = partialCount + segment;
                    Release();
                    sink.OnOverlongLine(seen);
                }
                else
                {
                    Buffer.BlockCopy(data, start, EnsureCapacity(partialCount + segment), partialCount, segment);
                    partialCount += segment;
                    byte[] line = partial!;
                    int lineCount = partialCount;
                    partialCount = 0;
                    Emit(line, 0, lineCount, terminated: true, sink);
                    ReleaseIfEmpty();
                }

                start = lf + 1;
            }
        }

        /// <summary>Takes the unterminated bytes as a line of their own (quiet time or end of stream).</summary>
        public void FlushPartial(ILineSink sink)
        {
            if (discarding)
            {
                discarding = false;
                return;
            }

            if (partialCount == 0) return;
            byte[] line = partial!;
            int lineCount = partialCount;
            partialCount = 0;
            Emit(line, 0, lineCount, terminated: false, sink);
            ReleaseIfEmpty();
        }

        public void Dispose() => Release();

        private void Append(byte[] data, int start, int count, ILineSink sink)
        {
            if (discarding) return;
            int total = partialCount + count;
            // One byte of slack: a CR may still turn out to be half of the terminator.
            if (total > maxLineBytes + 1)
            {
                Release();
                discarding = true;
                sink.OnOverlongLine(total);
                return;
            }

            Buffer.BlockCopy(data, start, EnsureCapacity(total), partialCount, count);
            partialCount = total;
        }

        private void Emit(byte[] buffer, int offset, int count, bool terminated, ILineSink sink)
        {
            var terminator = terminated ? LineTerminator.Lf : LineTerminator.None;
            if (count > 0 && buffer[offset + count - 1] == (byte)'\r')
            {
                count--;
                terminator = LineTerminator.CrLf;
            }

            if (count > maxLineBytes)
            {
                sink.OnOverlongLine(count);
                return;
            }

            sink.OnLine(buffer, offset, count, terminator);
        }

        private byte[] EnsureCapacity(int needed)
        {
            if (partial == null)
            {
                partial = ArrayPool<byte>.Shared.Rent(Math.Max(needed, 256));
            }
            else if (partial.Length < needed)
            {
                byte[] bigger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, partial.Length * 2));
                Buffer.BlockCopy(partial, 0, bigger, 0, partialCount);
                ArrayPool<byte>.Shared.Return(partial);
                partial = bigger;
            }

            return partial;
        }

        private void ReleaseIfEmpty()
        {
            if (partialCount == 0) Release();
        }

        private void Release()
        {
            partialCount = 0;
            if (partial != null)
            {
                ArrayPool<byte>.Shared.Return(partial);
                partial = null;
            }
        }
    }
}
