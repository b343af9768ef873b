using System;
using System.ComponentModel;
using System.Diagnostics;
using System.IO;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;
using PSChat.Engine.Tls;
using PSChat.Engine.Transport;

namespace PSChat.Engine.Server
{
    /// <summary>
    /// Admits connections to a chat server that has a certificate: TLS and plain clients share its port.
    /// The first byte decides, peeked without taking it and without holding a thread: a TLS ClientHello
    /// starts with 0x16, which no text or IRC line does. A TLS client gets an SslStream on the stream
    /// driver once its handshake is done; a plain one goes on the usual driver (or is refused when the
    /// server requires TLS). A client silent for the TlsDetectTimeout is a plain listener (TLS clients
    /// speak first), served off the loops because its peek is still pending; where TLS is
    /// required, one silent for the TlsHandshakeTimeout is refused. The whole
    /// handshake is bounded by TlsHandshakeTimeout, and a connection counts as a client (MaxClients)
    /// while it runs.
    /// </summary>
    internal sealed class TlsAdmission
    {
        private const int PeekBytes = 256;

        private readonly ChatServer server;
        private readonly X509Certificate2 certificate;
        private int handshaking;

        public TlsAdmission(ChatServer server, X509Certificate2 certificate)
        {
            this.server = server;
            this.certificate = certificate;
        }

        /// <summary>Connections still being sorted or in their handshake.</summary>
        public int Pending => Volatile.Read(ref handshaking);

        /// <summary>Sorts one accepted connection; never throws.</summary>
        public async Task AdmitAsync(Socket socket)
        {
            Interlocked.Increment(ref handshaking);
            int pending = 1;
            // Leaves the count before the connection is served or reported: whoever sees the event
            // (or the server's ClientCount) after that must not count it twice.
            void Sorted()
            {
                if (Interlocked.Exchange(ref pending, 0) == 1) Interlocked.Decrement(ref handshaking);
            }

            var clock = Stopwatch.StartNew();
            string remote = socket.RemoteEndPoint?.ToString() ?? "?";
            // The address gate counted this connection at accept; one that never becomes a client gives it back.
            var address = (socket.RemoteEndPoint as System.Net.IPEndPoint)?.Address;
            bool served = false;
            try
            {
                // Off the accept loop: a ClientHello already there would run the handshake's first
                // (signing) step inline, and a flood of them would hold up accepting.
                await Task.Yield();
                var first = new byte[PeekBytes];
                Task<int> peek = socket.ReceiveAsync(new ArraySegment<byte>(first), SocketFlags.Peek);
                TimeSpan timeout = server.Options.TlsHandshakeTimeout;
                // Where plain clients are refused, one has the whole handshake time to say something, so
                // that a slow plain client is refused in its own protocol's words, not as a listener.
                TimeSpan detect = server.Options.TlsDetectTimeout < timeout && !server.Options.RequireTls ? server.Options.TlsDetectTimeout : timeout;
                // Bytes already there when the wait ends count: on a busy machine the timer's turn can come
                // before the finished peek's, and a ClientHello taken for a plain line fails the client.
                if (!await Within(peek, detect).ConfigureAwait(false) && !(socket.Available > 0 && await Within(peek, detect).ConfigureAwait(false)))
                {
                    Observe(peek);
                    // A silent client is a plain listener; its pending peek keeps the socket off the loops.
                    var stream = StreamDriver.StreamOf(socket);
                    Sorted();
                    if (server.Options.RequireTls) server.RefusePlain(socket, stream, first, 0);
                    else served = Serve(socket, stream);
                    return;
                }

                int count = await peek.ConfigureAwait(false);
                if (count == 0)
                {
                    socket.Dispose();
                    return;
                }

                if (!TlsRecord.StartsHandshake(first, 0, count))
                {
                    Sorted();
                    if (server.Options.RequireTls) server.RefusePlain(socket, null, first, count);
                    else served = Serve(socket, null);
                    return;
                }

                served = await HandshakeAsync(socket, remote, timeout - clock.Elapsed, Sorted).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is SocketException || ex is ObjectDisposedException)
            {
                socket.Dispose();
            }
            finally
            {
                Sorted();
                if (!served) server.ReleaseAddress(address);
            }
        }

        private bool Serve(Socket socket, System.IO.Stream? stream)
        {
            server.Serve(socket, stream, null);
            return true;
        }

        /// <summary>The handshake, bounded in time; true when the connection became a client.</summary>
        private async Task<bool> HandshakeAsync(Socket socket, string remote, TimeSpan left, Action sorted)
        {
            var tls = new SslStream(StreamDriver.StreamOf(socket), leaveInnerStreamOpen: false, AcceptAnyClientCertificate);
            // Asking for a client certificate lets a client show one (for SASL EXTERNAL); none is fine too.
            Task handshake = tls.AuthenticateAsServerAsync(certificate, clientCertificateRequired: true, TlsRecord.Protocols, checkCertificateRevocation: false);
            if (!await Within(handshake, left).ConfigureAwait(false))
            {
                tls.Dispose();
                Observe(handshake);
                sorted();
                Fail(remote, $"no TLS handshake within {server.Options.TlsHandshakeTimeout.TotalSeconds:0.###} s", nameof(ChatServerOptions.TlsHandshakeTimeout));
                return false;
            }

            try
            {
                await handshake.ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is AuthenticationException || ex is IOException || ex is Win32Exception || ex is ObjectDisposedException)
            {
                tls.Dispose();
                sorted();
                Fail(remote, "TLS handshake failed: " + (ex.InnerException?.Message ?? ex.Message), null);
                return false;
            }

            sorted();
            server.Serve(socket, tls, TlsInfo.Of(tls));
            return true;
        }

        private void Fail(string remote, string reason, string? limit)
        {
            server.Limits.Add(LimitCounter.TlsHandshakeFailures);
            server.Raise(ServerEventKind.Rejected, e =>
            {
                e.Client = remote;
                e.Reason = reason;
                e.Limit = limit;
            });
        }

        /// <summary>The client's certificate is not checked here: whoever authenticates with it (SASL EXTERNAL) will.</summary>
        private static bool AcceptAnyClientCertificate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors) => true;

        private static async Task<bool> Within(Task task, TimeSpan time)
        {
            if (task.IsCompleted) return true;
            if (time <= TimeSpan.Zero) return false;
            using (var timer = new CancellationTokenSource())
            {
                bool done = await Task.WhenAny(task, Task.Delay(time, timer.Token)).ConfigureAwait(false) == task;
                timer.Cancel();
                return done;
            }
        }

        /// <summary>A task given up on may still fail (its socket closed under it): its error is expected.</summary>
        private static void Observe(Task task) =>
            task.ContinueWith(t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }
}
