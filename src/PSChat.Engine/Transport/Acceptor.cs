using System;
using System.Net.Sockets;
using System.Threading.Tasks;

namespace PSChat.Engine.Transport
{
    /// <summary>
    /// The accept loop a TCP server runs until its listening socket is closed. A failed accept never
    /// makes it spin: it waits a backoff (10 ms, doubling to 1 s while accepts keep failing) before the
    /// next. When the process is out of file descriptors (EMFILE, ENFILE, ENOBUFS) the waiting client
    /// is not left hanging: the loop gives back a descriptor it keeps in reserve, accepts the client
    /// with it, hands it to <see cref="Refuse"/> (a one-line reason, then closed), and takes the
    /// reserve again. That is progress (one waiting client served, as a normal accept would), so the
    /// loop goes on without waiting; it waits only when the reserve could not be used.
    /// </summary>
    internal sealed class Acceptor
    {
        public static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(10);
        public static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(1);

        private readonly Func<Task<Socket>> accept;
        private readonly Func<bool> isRunning;
        private readonly Action<Socket> admit;
        private IDisposable? reserve;

        /// <param name="accept">One accept (the listener's AcceptAsync; tests inject failures). Disposing the listener ends the loop.</param>
        /// <param name="isRunning">Checked before each accept, and after a failed one.</param>
        /// <param name="admit">Takes the accepted socket; a socket error in it drops that socket only.</param>
        public Acceptor(Func<Task<Socket>> accept, Func<bool> isRunning, Action<Socket> admit)
        {
            this.accept = accept ?? throw new ArgumentNullException(nameof(accept));
            this.isRunning = isRunning ?? throw new ArgumentNullException(nameof(isRunning));
            this.admit = admit ?? throw new ArgumentNullException(nameof(admit));
        }

        /// <summary>Told of a failed accept that is not descriptor exhaustion (the loop goes on after the backoff).</summary>
        public Action<SocketException>? Failed { get; set; }

        /// <summary>
        /// Told of every accept that failed for want of descriptors; the flag is true for the first of an
        /// episode (which ends at the next accept that succeeds), so one event per episode is easy.
        /// </summary>
        public Action<SocketException, bool>? Exhausted { get; set; }

        /// <summary>Takes a client accepted with the reserve descriptor: tells it why and closes it.</summary>
        public Action<Socket>? Refuse { get; set; }

        /// <summary>Waits out a backoff (tests hold it with a task of their own).</summary>
        public Func<TimeSpan, Task> Wait { get; set; } = Task.Delay;

        /// <summary>Opens the reserve descriptor; null when none can be had now.</summary>
        public Func<IDisposable?> TakeReserve { get; set; } = OpenReserve;

        public static bool IsExhaustion(SocketException error) =>
            error.SocketErrorCode == SocketError.TooManyOpenSockets || error.SocketErrorCode == SocketError.NoBufferSpaceAvailable;

        public async Task RunAsync()
        {
            reserve = TakeReserve();
            try
            {
                var backoff = TimeSpan.Zero;
                bool exhausted = false;
                while (isRunning())
                {
                    Socket socket;
                    try
                    {
                        socket = await accept().ConfigureAwait(false);
                    }
                    catch (ObjectDisposedException)
                    {
                        return;
                    }
                    catch (SocketException ex)
                    {
                        if (!isRunning()) return;
                        backoff = backoff == TimeSpan.Zero ? FirstBackoff : TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
                        if (IsExhaustion(ex))
                        {
                            Exhausted?.Invoke(ex, !exhausted);
                            exhausted = true;
                            bool? refused = await RefuseWithReserveAsync().ConfigureAwait(false);
                            if (refused == null) return;
                            if (refused == true) continue;
                        }
                        else
                        {
                            Failed?.Invoke(ex);
                        }

                        await Wait(backoff).ConfigureAwait(false);
                        continue;
                    }

                    backoff = TimeSpan.Zero;
                    exhausted = false;
                    Hand(admit, socket);
                }
            }
            finally
            {
                reserve?.Dispose();
            }
        }

        /// <summary>
        /// Accepts the waiting client with the reserve descriptor and refuses it: true when it did, false
        /// when it could not (no reserve, or still no descriptor), null when the listener closed.
        /// </summary>
        private async Task<bool?> RefuseWithReserveAsync()
        {
            if (reserve == null || Refuse == null)
            {
                reserve ??= TakeReserve();
                return false;
            }

            reserve.Dispose();
            reserve = null;
            try
            {
                Hand(Refuse, await accept().ConfigureAwait(false));
                return true;
            }
            catch (ObjectDisposedException)
            {
                return null;
            }
            catch (SocketException)
            {
                // Still none to be had (another thread took it): the client waits in the backlog.
                return false;
            }
            finally
            {
                reserve = TakeReserve();
            }
        }

        private static void Hand(Action<Socket> to, Socket socket)
        {
            try
            {
                to(socket);
            }
            catch (Exception ex) when (ex is SocketException || ex is ObjectDisposedException)
            {
                socket.Dispose();
            }
        }

        private static IDisposable? OpenReserve()
        {
            try
            {
                return new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            }
            catch (SocketException)
            {
                return null;
            }
        }
    }
}
