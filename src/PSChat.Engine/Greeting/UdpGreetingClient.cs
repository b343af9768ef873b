using System;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using PSChat.Engine.Text;

namespace PSChat
{
    /// <summary>
    /// The tutorial's UDP greeting client: sends a name as one datagram and waits for the answer, with
    /// a timeout and retries. The socket is connected, so only the server's datagrams are taken; after
    /// a lost name it is replaced, so a late reply can never pass for the next name's.
    /// </summary>
    internal sealed class UdpGreetingClient : IDisposable
    {
        /// <summary>The largest UDP payload over IPv4.</summary>
        public const int MaxNameBytes = 65507;

        private readonly byte[] buffer = new byte[65536];
        private Socket? socket;
        private Task<int>? receiving;

        public UdpGreetingClient(IPEndPoint server) => Server = server ?? throw new ArgumentNullException(nameof(server));

        public IPEndPoint Server { get; }

        /// <summary>Greets one name.</summary>
        /// <param name="attempts">Sends in all (1 plus retries); a reply to any of them answers the name.</param>
        /// <exception cref="TimeoutException">No reply after every attempt.</exception>
        /// <exception cref="SocketException">The server's host said nobody listens on the port (ConnectionRefused).</exception>
        public async Task<GreetingReply> GreetAsync(string name, TimeSpan timeout, int attempts, CancellationToken cancel)
        {
            if (name == null) throw new ArgumentNullException(nameof(name));
            if (attempts < 1) throw new ArgumentOutOfRangeException(nameof(attempts));
            byte[] datagram = Encoding.UTF8.GetBytes(name);
            if (datagram.Length > MaxNameBytes) throw new ArgumentException($"'{Shorten(name)}' is {datagram.Length} bytes in UTF-8; a datagram holds at most {MaxNameBytes}.", nameof(name));

            bool refused = false;
            for (int attempt = 1; attempt <= attempts; attempt++)
            {
                var clock = Stopwatch.StartNew();
                try
                {
                    var current = Open();
                    current.Send(datagram);
                    receiving ??= current.ReceiveAsync(new ArraySegment<byte>(buffer), SocketFlags.None);
                    if (!await ArrivesInTime(receiving, timeout, cancel).ConfigureAwait(false)) continue;
                    var done = receiving;
                    receiving = null;
                    int count = await done.ConfigureAwait(false);
                    var reply = new GreetingReply(name, TextRules.LenientUtf8.GetString(buffer, 0, count), clock.Elapsed, Server);
                    // The other attempts may still be answered: a fresh socket keeps those replies from the next name.
                    if (attempt > 1) Close();
                    return reply;
                }
                catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionRefused || ex.SocketErrorCode == SocketError.ConnectionReset)
                {
                    // An ICMP "port unreachable" for an earlier datagram; the next attempt may still find a server.
                    refused = true;
                }
            }

            Close();
            if (refused) throw new SocketException((int)SocketError.ConnectionRefused);
            throw new TimeoutException($"No reply from {Server} to '{Shorten(name)}' after {attempts} attempt{(attempts == 1 ? string.Empty : "s")} of {timeout.TotalSeconds:0.###} s.");
        }

        public void Dispose() => Close();

        private static async Task<bool> ArrivesInTime(Task<int> receive, TimeSpan timeout, CancellationToken cancel)
        {
            using (var wait = CancellationTokenSource.CreateLinkedTokenSource(cancel))
            {
                var timer = Task.Delay(timeout, wait.Token);
                var first = await Task.WhenAny(receive, timer).ConfigureAwait(false);
                wait.Cancel();
                cancel.ThrowIfCancellationRequested();
                return first == receive;
            }
        }

        private Socket Open()
        {
            if (socket != null) return socket;
            socket = new Socket(Server.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            socket.Connect(Server);
            return socket;
        }

        private void Close()
        {
            socket?.Dispose();
            socket = null;
            // The receive still pending on the closed socket fails; observe that so it is not reported as unobserved.
            receiving?.ContinueWith(t => t.Exception, TaskContinuationOptions.OnlyOnFaulted);
            receiving = null;
        }

        private static string Shorten(string name) => name.Length <= 40 ? name : name.Substring(0, 40) + "...";
    }
}
