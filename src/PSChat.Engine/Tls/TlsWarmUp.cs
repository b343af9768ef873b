using System;
using System.IO;
using System.Net.Security;
using System.Threading;
using System.Threading.Tasks;

namespace PSChat.Engine.Tls
{
    /// <summary>
    /// Makes a process's first ClientHello as quick as its later ones. The first TLS handshake in a
    /// process loads the TLS library and compiles the handshake code before its ClientHello goes out:
    /// a few hundred milliseconds, more on a loaded machine. A PSChat server that shares one port
    /// between TLS and plain clients gives a new connection <c>TlsDetectTimeout</c> to start its
    /// handshake, so a client that pays that cost after connecting can be taken for a plain one. The
    /// warm-up pays it once, before any socket is connected: a handshake written into a stream that
    /// keeps nothing and fails the first write (no byte leaves the process).
    /// </summary>
    internal static class TlsWarmUp
    {
        private static Task? done;

        /// <summary>Completes when the process has built one ClientHello; never fails.</summary>
        public static Task EnsureAsync()
        {
            Task? existing = Volatile.Read(ref done);
            if (existing != null) return existing;
            var started = Task.Run(RunAsync);
            return Interlocked.CompareExchange(ref done, started, null) ?? started;
        }

        /// <summary>True once the warm-up built a ClientHello (tests read it).</summary>
        internal static bool BuiltHello { get; private set; }

        private static async Task RunAsync()
        {
            var sink = new HelloSink();
            try
            {
                using (var tls = new SslStream(sink, leaveInnerStreamOpen: false, (_, _, _, _) => false))
                {
                    await tls.AuthenticateAsClientAsync("warm-up.invalid", null, TlsRecord.Protocols, checkCertificateRevocation: false).ConfigureAwait(false);
                }
            }
            catch (Exception)
            {
                // Expected: the sink refuses the ClientHello once it has seen it.
            }

            BuiltHello = sink.SawHello;
        }

        /// <summary>A stream that takes one write (the ClientHello), records that it came, and fails it.</summary>
        private sealed class HelloSink : Stream
        {
            public bool SawHello { get; private set; }

            public override bool CanRead => true;

            public override bool CanSeek => false;

            public override bool CanWrite => true;

            public override long Length => throw new NotSupportedException();

            public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

            public override void Write(byte[] buffer, int offset, int count)
            {
                SawHello |= TlsRecord.StartsHandshake(buffer, offset, count);
                throw new IOException("warm-up: nothing is sent");
            }

            public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
            {
                try
                {
                    Write(buffer, offset, count);
                    return Task.CompletedTask;
                }
                catch (IOException ex)
                {
                    return Task.FromException(ex);
                }
            }

            public override int Read(byte[] buffer, int offset, int count) => 0;

            public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => Task.FromResult(0);

            public override void Flush()
            {
            }

            public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

            public override void SetLength(long value) => throw new NotSupportedException();
        }
    }
}
