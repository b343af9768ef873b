using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace PSChat.Engine.Tls
{
    /// <summary>
    /// Passes a stream through and keeps the first bytes read from it, so that a failed client handshake
    /// can say what the server sent instead (plain text, an alert, nothing).
    /// </summary>
    internal sealed class RecordingStream : Stream
    {
        private readonly Stream inner;
        private readonly byte[] first = new byte[128];
        private int recorded;

        public RecordingStream(Stream inner) => this.inner = inner;

        public int RecordedCount => Volatile.Read(ref recorded);

        public byte[] Recorded => first;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Record(buffer, offset, inner.Read(buffer, offset, count));

        public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            Record(buffer, offset, await inner.ReadAsync(buffer, offset, count, cancellationToken).ConfigureAwait(false));

        public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            inner.WriteAsync(buffer, offset, count, cancellationToken);

        public override void Flush() => inner.Flush();

        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }

        private int Record(byte[] buffer, int offset, int count)
        {
            int take = Math.Min(count, first.Length - recorded);
            if (take > 0)
            {
                Buffer.BlockCopy(buffer, offset, first, recorded, take);
                Volatile.Write(ref recorded, recorded + take);
            }

            return count;
        }
    }
}
