using System;
using System.IO;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Xunit;

namespace PSChat.Engine.Tests
{
    /// <summary>A raw TCP client for tests: writes exact bytes, reads with deadlines.</summary>
    internal sealed class TestClient : IDisposable
    {
        private readonly TcpClient tcp;
        private readonly Stream stream;
        private byte[] pending = new byte[65536];
        private int pendingStart;
        private int pendingEnd;

        private TestClient(TcpClient tcp, Stream? stream = null)
        {
            this.tcp = tcp;
            // Each write goes out at once: with Nagle's algorithm a small write waits for the server's
            // delayed ACK of the last one (40 ms on Linux), which round trips would measure instead of the server.
            tcp.NoDelay = true;
            this.stream = stream ?? tcp.GetStream();
        }

        /// <summary>Connects and runs a TLS handshake that trusts any server certificate, showing <paramref name="clientCertificate"/> when given.</summary>
        public static TestClient ConnectTls(IPEndPoint endPoint, X509Certificate2? clientCertificate = null)
        {
            var tcp = new TcpClient(endPoint.AddressFamily);
            tcp.Connect(endPoint);
            var tls = new SslStream(tcp.GetStream());
            var certificates = clientCertificate == null ? null : new X509CertificateCollection { clientCertificate };
            tls.AuthenticateAsClient(new SslClientAuthenticationOptions
            {
                TargetHost = "localhost",
                ClientCertificates = certificates,
                RemoteCertificateValidationCallback = (_, _, _, _) => true,
            });
            return new TestClient(tcp, tls);
        }

        public static TestClient Connect(IPEndPoint endPoint, int receiveBuffer = 0)
        {
            var tcp = new TcpClient(endPoint.AddressFamily);
            if (receiveBuffer > 0) tcp.ReceiveBufferSize = receiveBuffer;
            tcp.Connect(endPoint);
            return new TestClient(tcp);
        }

        /// <summary>Connects from a local end point that <paramref name="bound"/> learns before the connection is made.</summary>
        public static TestClient Connect(IPEndPoint endPoint, Action<IPEndPoint> bound)
        {
            var tcp = new TcpClient(endPoint.AddressFamily);
            tcp.Client.Bind(new IPEndPoint(endPoint.Address, 0));
            bound((IPEndPoint)tcp.Client.LocalEndPoint!);
            tcp.Connect(endPoint);
            return new TestClient(tcp);
        }

        /// <summary>Wraps a connection accepted by a test's own listener (a scripted server).</summary>
        public static TestClient FromAccepted(TcpClient accepted) => new TestClient(accepted);

        public Socket Socket => tcp.Client;

        public void Write(string text) => Write(Encoding.UTF8.GetBytes(text));

        public void Write(byte[] bytes) => stream.Write(bytes, 0, bytes.Length);

        /// <summary>Reads until the buffer holds a line end, returning the line with its terminator.</summary>
        public string ReadLine(int timeoutMs = 5000)
        {
            var deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
            int searched = 0;
            while (true)
            {
                int from = pendingStart + searched;
                int lf = Array.IndexOf(pending, (byte)'\n', from, pendingEnd - from);
                if (lf >= 0) return Take(lf + 1 - pendingStart);
                searched = pendingEnd - pendingStart;
                if (!Fill(deadline)) throw new TimeoutException("no line within " + timeoutMs + " ms; have: " + Encoding.UTF8.GetString(pending, pendingStart, pendingEnd - pendingStart));
            }
        }

        /// <summary>Reads exactly <paramref name="count"/> bytes (for messages without a line end).</summary>
        public string ReadExactly(int count, int timeoutMs = 5000)
        {
            var deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
            while (pendingEnd - pendingStart < count)
            {
                if (!Fill(deadline)) throw new TimeoutException($"only {pendingEnd - pendingStart} of {count} bytes within {timeoutMs} ms");
            }

            return Take(count);
        }

        /// <summary>
        /// Proves that nothing reached this client before a marker: <paramref name="causeMarker"/> makes
        /// the server send <paramref name="marker"/> (a whole line), which must be the very next thing
        /// read. A quiet window cannot prove that nothing comes (on a slow machine it passes for the
        /// wrong reason); a marker the server must send after it can.
        /// </summary>
        public void AssertNothingBefore(string marker, Action causeMarker)
        {
            causeMarker();
            Assert.Equal(marker, ReadLine());
        }

        /// <summary>True when the server closed the connection within the timeout (data before the close is kept).</summary>
        public bool WaitForClose(int timeoutMs = 5000)
        {
            var deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
            try
            {
                while (Fill(deadline))
                {
                }

                return false;
            }
            catch (EndOfStreamException)
            {
                return true;
            }
            catch (IOException)
            {
                return true;
            }
        }

        public void Dispose() => tcp.Dispose();

        /// <summary>Waits for one read; a read that outlives the deadline is kept for the next call, so no byte is lost.</summary>
        private bool Fill(DateTime deadline)
        {
            if (inflight == null) inflight = stream.ReadAsync(inflightBuffer, 0, inflightBuffer.Length);
            try
            {
                if (!inflight.Wait(Remaining(deadline))) return false;
            }
            catch (AggregateException ex) when (ex.InnerException is IOException io)
            {
                inflight = null;
                throw io;
            }

            int n = inflight.Result;
            inflight = null;
            if (n == 0) throw new EndOfStreamException("server closed the connection");
            if (pending.Length - pendingEnd < n)
            {
                int have = pendingEnd - pendingStart;
                var next = have + n > pending.Length ? new byte[(have + n) * 2] : pending;
                Buffer.BlockCopy(pending, pendingStart, next, 0, have);
                pending = next;
                pendingStart = 0;
                pendingEnd = have;
            }

            Buffer.BlockCopy(inflightBuffer, 0, pending, pendingEnd, n);
            pendingEnd += n;
            return true;
        }

        private readonly byte[] inflightBuffer = new byte[65536];
        private Task<int>? inflight;

        private string Take(int count)
        {
            string text = Encoding.UTF8.GetString(pending, pendingStart, count);
            pendingStart += count;
            if (pendingStart == pendingEnd) pendingStart = pendingEnd = 0;
            return text;
        }

        private static int Remaining(DateTime deadline) => Math.Max(0, (int)(deadline - DateTime.UtcNow).TotalMilliseconds);
    }
}
