using System;
using System.Collections.Generic;
using System.Net.Sockets;
using System.Threading.Tasks;

namespace PSChat.Engine.Transport
{
    /// <summary>
    /// What moves bytes for a <see cref="LineConnection"/>: it reads and hands the bytes, the end of the
    /// stream or an error to the connection's state machine, runs the quiet-time check, writes batches,
    /// and tears the transport down. The receive side of a driver is serial: every call it makes into
    /// the connection's receive methods (<see cref="LineConnection.OnReceived"/>,
    /// <see cref="LineConnection.OnEndOfStream"/>, <see cref="LineConnection.OnQuiet"/>,
    /// <see cref="LineConnection.FinishReceive"/>) comes from one context at a time.
    /// Two drivers: <see cref="LoopDriver"/> (a socket on an epoll loop thread, Linux) and
    /// <see cref="StreamDriver"/> (any <see cref="System.IO.Stream"/> on the thread pool: a plain
    /// socket's NetworkStream, and later an SslStream).
    /// </summary>
    internal abstract class ConnectionDriver
    {
        protected ConnectionDriver(LineConnection connection) => Connection = connection;

        internal LineConnection Connection { get; }

        /// <summary>What the handler is told when the socket failed with <paramref name="error"/>.</summary>
        protected static string ReasonOf(SocketException error) =>
            error.SocketErrorCode == SocketError.ConnectionReset ? "connection reset by peer" : error.Message;

        /// <summary>Copies the segments one after another into <paramref name="into"/>; returns the length.</summary>
        protected static int Join(List<ArraySegment<byte>> segments, byte[] into)
        {
            int at = 0;
            foreach (var segment in segments)
            {
                Buffer.BlockCopy(segment.Array!, segment.Offset, into, at, segment.Count);
                at += segment.Count;
            }

            return at;
        }

        /// <summary>Starts receiving.</summary>
        public abstract void Start();

        /// <summary>
        /// Writes a whole batch; completes when every byte was taken (never loses a partial write).
        /// Called by one writer at a time.
        /// </summary>
        public abstract Task WriteAsync(List<ArraySegment<byte>> batch, long total);

        /// <summary>
        /// Closes the transport (any thread, once). The driver then ends its receive side with
        /// <see cref="LineConnection.FinishReceive"/> in its own context.
        /// </summary>
        public abstract void Shutdown();
    }
}
