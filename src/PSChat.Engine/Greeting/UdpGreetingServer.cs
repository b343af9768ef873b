using System;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using PSChat.Engine.Framing;
using PSChat.Engine.Greeting;
using PSChat.Engine.Text;

namespace PSChat
{
    /// <summary>
    /// The tutorial's UDP greeting service: every datagram X gets "Hello, X!" back to its sender, with
    /// X's bytes exactly as they came. One receive loop, no thread; a datagram longer than the limit
    /// gets no reply, an empty one is greeted like any other, and each sender is answered at most
    /// <see cref="GreetingServerOptions.RepliesPerSecond"/> times a second.
    /// </summary>
    public sealed class UdpGreetingServer : ServerBase
    {
        // More than the largest UDP payload (65527 bytes over IPv6), so no datagram is ever truncated.
        private const int MaxDatagram = 65536;

        private readonly Socket socket;
        private readonly IPEndPoint endPoint;
        private readonly ReplyTemplate reply;
        private readonly SenderBudget budget;
        private long received;
        private long replied;
        private long dropped;

        private UdpGreetingServer(GreetingServerOptions options, ReplyTemplate reply, Socket socket)
            : base(GreetingSockets.NameOf(options, "UdpGreeting", socket))
        {
            Options = options;
            this.socket = socket;
            endPoint = (IPEndPoint)socket.LocalEndPoint;
            this.reply = reply;
            budget = new SenderBudget(options.RepliesPerSecond, NowMilliseconds());
        }

        public GreetingServerOptions Options { get; }

        public override string Kind => "UdpGreeting";

        public override IPEndPoint EndPoint => endPoint;

        /// <summary>Senders heard from in the last second.</summary>
        public override int ClientCount => budget.Senders;

        public long DatagramsReceived => Interlocked.Read(ref received);

        public long RepliesSent => Interlocked.Read(ref replied);

        /// <summary>Datagrams not answered: too long, over a sender's budget, or the send buffer was full.</summary>
        public long DatagramsDropped => Interlocked.Read(ref dropped);

        /// <summary>Binds and starts answering. Throws <see cref="SocketException"/> when the port is taken.</summary>
        /// <param name="options">Copied, so later changes do not reach the server.</param>
        /// <param name="listener">Subscribed before anything happens, so it sees the Started event too.</param>
        /// <exception cref="FormatException">The reply format is not a format with {0}.</exception>
        public static UdpGreetingServer Start(GreetingServerOptions options, EventHandler<ServerEvent>? listener = null)
        {
            if (options == null) throw new ArgumentNullException(nameof(options));
            options = options.Clone();
            var reply = new ReplyTemplate(options.Reply ?? GreetingServerOptions.DefaultUdpReply);
            var socket = GreetingSockets.Bind(options, SocketType.Dgram, ProtocolType.Udp);
            // A full send buffer must drop a reply, never stall the loop that serves everyone.
            socket.Blocking = false;
            // Room for bursts while the loop is busy; the kernel caps it at its own maximum.
            socket.ReceiveBufferSize = 1024 * 1024;
            var server = new UdpGreetingServer(options, reply, socket);
            if (listener != null) server.EventRaised += listener;
            server.Raise(ServerEventKind.Started, e => e.Text = "listening on " + server.EndPoint + " (UDP)");
            _ = server.ReceiveLoopAsync();
            return server;
        }

        protected override void StopCore() => socket.Dispose();

        private async Task ReceiveLoopAsync()
        {
            var buffer = new byte[MaxDatagram];
            EndPoint anySender = new IPEndPoint(endPoint.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
            while (State == ServerState.Running)
            {
                SocketReceiveFromResult datagram;
                try
                {
                    datagram = await socket.ReceiveFromAsync(new ArraySegment<byte>(buffer), SocketFlags.None, anySender).ConfigureAwait(false);
                }
                catch (ObjectDisposedException)
                {
                    return;
                }
                catch (SocketException ex)
                {
                    if (State != ServerState.Running) return;
                    // Windows reports an earlier reply's "port unreachable" here; that sender is gone, nobody else is affected.
                    if (ex.SocketErrorCode == SocketError.ConnectionReset) continue;
                    Raise(ServerEventKind.Error, e => e.Reason = "receive failed: " + ex.Message);
                    continue;
                }

                Answer(buffer, datagram.ReceivedBytes, (IPEndPoint)datagram.RemoteEndPoint);
            }
        }

        /// <summary>The send budget's time: milliseconds on the monotonic clock, wrapping like TickCount.</summary>
        private static int NowMilliseconds() => unchecked((int)(Engine.Timing.MonotonicClock.System.NowTicks / TimeSpan.TicksPerMillisecond));

        private void Answer(byte[] buffer, int count, IPEndPoint sender)
        {
            Interlocked.Increment(ref received);
            if (!budget.TryCharge(sender, NowMilliseconds(), out bool firstRefusal))
            {
                Interlocked.Increment(ref dropped);
                if (firstRefusal) Reject(sender, $"more than {Options.RepliesPerSecond} datagrams in a second; the rest of this second gets no reply");
                return;
            }

            if (count > Options.MaxMessageLength)
            {
                Interlocked.Increment(ref dropped);
                Reject(sender, $"datagram of {count} bytes is longer than {Options.MaxMessageLength} bytes; no reply");
                return;
            }

            try
            {
                socket.SendTo(reply.Render(buffer, 0, count, LineTerminator.None), sender);
                Interlocked.Increment(ref replied);
            }
            catch (SocketException ex)
            {
                Interlocked.Increment(ref dropped);
                Reject(sender, "reply not sent: " + ex.Message);
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }

            Raise(ServerEventKind.Message, e =>
            {
                e.Client = sender.ToString();
                e.Protocol = "Udp";
                e.Text = TextRules.LenientUtf8.GetString(buffer, 0, count);
            });
        }

        private void Reject(IPEndPoint sender, string reason) => Raise(ServerEventKind.Rejected, e =>
        {
            e.Client = sender.ToString();
            e.Protocol = "Udp";
            e.Reason = reason;
        });
    }
}
