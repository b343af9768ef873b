using System;
using System.Buffers.Text;
using System.Collections.Generic;
using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;

namespace PSChat.Bench
{
    /// <summary>The two line protocols the load generator speaks.</summary>
    public enum WireProtocol
    {
        Irc,
        Text,
    }

    /// <summary>Decides whether a received line is the one a client waits for.</summary>
    public delegate bool LinePredicate(ReadOnlySpan<byte> line);

    /// <summary>
    /// One load-generating client: an async receive loop that cuts lines, counts bench messages and
    /// records their latency from the send timestamp carried in the body.
    /// </summary>
    public sealed class BenchClient : IDisposable
    {
        /// <summary>Marks a bench message; the send timestamp (Stopwatch ticks) follows it.</summary>
        public static ReadOnlySpan<byte> Marker => "BENCH "u8;

        private readonly Socket socket;
        private readonly SslStream? tls;
        private readonly byte[] buffer;
        private readonly WireProtocol protocol;
        private int filled;
        private LinePredicate? waitFor;
        private TaskCompletionSource<bool>? waiter;
        private long received;
        private long lastReceiveTicks;

        private BenchClient(Socket socket, SslStream? tls, WireProtocol protocol, int bufferBytes, string nick)
        {
            this.socket = socket;
            this.tls = tls;
            this.protocol = protocol;
            buffer = new byte[bufferBytes];
            Nick = nick;
        }

        public string Nick { get; }

        /// <summary>Latencies in microseconds, when recording is on.</summary>
        public List<int>? Latencies { get; private set; }

        public long Received => Volatile.Read(ref received);

        public long LastReceiveTicks => Volatile.Read(ref lastReceiveTicks);

        /// <summary>Why the server closed the connection, or null while it is open.</summary>
        public string? ClosedBy { get; private set; }

        /// <param name="useTls">Speak TLS (any server certificate is accepted: the bench measures, it does not trust).</param>
        public static async Task<BenchClient> ConnectAsync(IPEndPoint server, WireProtocol protocol, string nick, int bufferBytes, bool useTls, CancellationToken cancel)
        {
            var socket = new Socket(server.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            SslStream? tls = null;
            try
            {
                await socket.ConnectAsync(server, cancel).ConfigureAwait(false);
                if (useTls)
                {
                    tls = new SslStream(new NetworkStream(socket, ownsSocket: true));
                    await tls.AuthenticateAsClientAsync(
                        new SslClientAuthenticationOptions { TargetHost = "localhost", RemoteCertificateValidationCallback = static (_, _, _, _) => true },
                        cancel).ConfigureAwait(false);
                }
            }
            catch
            {
                tls?.Dispose();
                socket.Dispose();
                throw;
            }

            var client = new BenchClient(socket, tls, protocol, bufferBytes, nick);
            _ = client.ReceiveLoopAsync();
            return client;
        }

        /// <summary>IRC: NICK/USER until 001, then JOIN until the end of NAMES. Text clients are in the room at once.</summary>
        public async Task RegisterAsync(string? room, TimeSpan timeout)
        {
            if (protocol != WireProtocol.Irc) return;
            await RequestAsync($"NICK {Nick}\r\nUSER {Nick} 0 * :bench\r\n", static l => l.IndexOf(" 001 "u8) >= 0, timeout).ConfigureAwait(false);
            if (room != null)
            {
                await RequestAsync($"JOIN {room}\r\n", static l => l.IndexOf(" 366 "u8) >= 0, timeout).ConfigureAwait(false);
            }
        }

        /// <summary>Sends a line and waits for a reply the predicate accepts.</summary>
        public async Task RequestAsync(string lines, LinePredicate reply, TimeSpan timeout)
        {
            Task wait = ExpectAsync(reply);
            await SendAsync(System.Text.Encoding.UTF8.GetBytes(lines)).ConfigureAwait(false);
            await WithTimeout(wait, timeout, lines.Trim().Replace("\r\n", " / ")).ConfigureAwait(false);
        }

        /// <summary>Starts watching for a line; the returned task completes when it comes.</summary>
        public Task ExpectAsync(LinePredicate reply)
        {
            var tcs = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            waiter = tcs;
            Volatile.Write(ref waitFor, reply);
            if (ClosedBy != null) tcs.TrySetException(new InvalidOperationException($"{Nick}: closed: {ClosedBy}"));
            return tcs.Task;
        }

        public static async Task WithTimeout(Task task, TimeSpan timeout, string what)
        {
            if (await Task.WhenAny(task, Task.Delay(timeout)).ConfigureAwait(false) != task)
            {
                throw new TimeoutException($"no reply to '{what}' within {timeout.TotalSeconds} s");
            }

            await task.ConfigureAwait(false);
        }

        /// <summary>The line that carries a chat message to the room in this protocol.</summary>
        public byte[] MessagePrefix(string room) =>
            System.Text.Encoding.ASCII.GetBytes(protocol == WireProtocol.Irc ? $"PRIVMSG {room} :" : string.Empty);

        public byte[] LineEnd => protocol == WireProtocol.Irc ? "\r\n"u8.ToArray() : "\n"u8.ToArray();

        public void StartRecording(int capacity)
        {
            Latencies = new List<int>(capacity);
            Volatile.Write(ref received, 0);
        }

        /// <summary>One write at a time: a PONG from the receive loop may meet the scenario's sends (SslStream takes no concurrent writes, and two partial socket sends would interleave).</summary>
        private readonly SemaphoreSlim writing = new SemaphoreSlim(1, 1);

        public async Task SendAsync(ReadOnlyMemory<byte> bytes)
        {
            await writing.WaitAsync().ConfigureAwait(false);
            try
            {
                if (tls != null)
                {
                    await tls.WriteAsync(bytes).ConfigureAwait(false);
                    return;
                }

                while (bytes.Length > 0)
                {
                    int n = await socket.SendAsync(bytes, SocketFlags.None).ConfigureAwait(false);
                    bytes = bytes.Slice(n);
                }
            }
            finally
            {
                writing.Release();
            }
        }

        public void Dispose()
        {
            tls?.Dispose();
            socket.Dispose();
        }

        private async Task ReceiveLoopAsync()
        {
            string reason = "server closed the connection";
            try
            {
                while (true)
                {
                    if (filled == buffer.Length) throw new InvalidOperationException("line longer than the receive buffer");
                    int n = tls != null
                        ? await tls.ReadAsync(buffer.AsMemory(filled)).ConfigureAwait(false)
                        : await socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None).ConfigureAwait(false);
                    if (n == 0) break;
                    filled += n;
                    Cut();
                }
            }
            catch (Exception ex) when (ex is SocketException || ex is ObjectDisposedException || ex is InvalidOperationException || ex is System.IO.IOException)
            {
                reason = ex.Message;
            }

            ClosedBy = reason;
            waiter?.TrySetException(new InvalidOperationException($"{Nick}: closed: {reason}"));
        }

        private void Cut()
        {
            int start = 0;
            while (true)
            {
                int lf = buffer.AsSpan(start, filled - start).IndexOf((byte)'\n');
                if (lf < 0) break;
                OnLine(buffer.AsSpan(start, lf));
                start += lf + 1;
            }

            if (start > 0)
            {
                Buffer.BlockCopy(buffer, start, buffer, 0, filled - start);
                filled -= start;
            }
        }

        private static byte[] Pong(ReadOnlySpan<byte> ping)
        {
            var pong = new byte[ping.TrimEnd((byte)'\r').Length + 2];
            "PONG"u8.CopyTo(pong);
            ping.Slice(4, pong.Length - 6).CopyTo(pong.AsSpan(4));
            "\r\n"u8.CopyTo(pong.AsSpan(pong.Length - 2));
            return pong;
        }

        private void OnLine(ReadOnlySpan<byte> line)
        {
            int marker = line.IndexOf(Marker);
            if (marker >= 0 && Utf8Parser.TryParse(line.Slice(marker + Marker.Length), out long sentTicks, out _))
            {
                long now = Stopwatch.GetTimestamp();
                Latencies?.Add((int)Math.Min(int.MaxValue, (now - sentTicks) * 1_000_000 / Stopwatch.Frequency));
                Volatile.Write(ref lastReceiveTicks, now);
                Volatile.Write(ref received, received + 1);
                return;
            }

            if (protocol == WireProtocol.Irc && line.StartsWith("PING "u8))
            {
                // An idle client answers the server's keep-alive, or it is dropped before the scenario ends.
                _ = SendAsync(Pong(line));
                return;
            }

            var predicate = Volatile.Read(ref waitFor);
            if (predicate != null && predicate(line))
            {
                waitFor = null;
                waiter?.TrySetResult(true);
            }
        }
    }
}
