using System;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using PSChat.Engine.Server;
using PSChat.Engine.Transport;

namespace PSChat
{
    public enum ServerState
    {
        Running,
        Stopping,
        Stopped,
    }

    /// <summary>
    /// What every PSChat server has in common (chat, TCP and UDP greeting): a name, an endpoint, a
    /// state and a stream of events. Get-ChatServer lists them and Stop-ChatServer stops them.
    /// </summary>
    public abstract class ServerBase : IDisposable
    {
        private int state = (int)ServerState.Running;

        protected ServerBase(string name)
        {
            Name = name;
            StartTime = DateTime.Now;
        }

        public string Name { get; }

        /// <summary>"Chat", "Greeting" or "UdpGreeting".</summary>
        public abstract string Kind { get; }

        public abstract IPEndPoint EndPoint { get; }

        public int Port => EndPoint.Port;

        public DateTime StartTime { get; }

        public ServerState State => (ServerState)Volatile.Read(ref state);

        public abstract int ClientCount { get; }

        /// <summary>Raised on I/O threads; handlers must be quick and must not throw.</summary>
        public event EventHandler<ServerEvent>? EventRaised;

        public bool HasEventListeners => EventRaised != null;

        public void Stop()
        {
            if (Interlocked.CompareExchange(ref state, (int)ServerState.Stopping, (int)ServerState.Running) != (int)ServerState.Running) return;
            try
            {
                StopCore();
            }
            finally
            {
                Volatile.Write(ref state, (int)ServerState.Stopped);
                Raise(ServerEventKind.Stopped, null);
            }
        }

        public void Dispose() => Stop();

        public override string ToString() => $"{Name} ({Kind} on {EndPoint})";

        protected abstract void StopCore();

        /// <summary>
        /// Accepts until the listener closes: a connection past <paramref name="maxClients"/> or turned away
        /// by <see cref="Screen"/> is told why (<see cref="RefusalLine"/>) and closed with a Rejected event,
        /// the others go to <paramref name="admit"/>. Out of descriptors, the loop backs off and refuses
        /// the waiting client with its reserve descriptor, with one Limited event per episode.
        /// </summary>
        internal void StartAccepting(Socket listener, int maxClients, Action<Socket> admit, Func<Socket, Task<Socket>>? acceptHook = null)
        {
            var acceptor = new Acceptor(
                acceptHook == null ? () => listener.AcceptAsync() : () => acceptHook(listener),
                () => State == ServerState.Running,
                socket =>
                {
                    var refusal = ClientCount >= maxClients
                        ? new Refusal($"server full ({maxClients} clients)", "MaxClients", LimitCounter.RefusedServerFull, firstOfEpisode: true)
                        : Screen(socket);
                    if (refusal == null)
                    {
                        admit(socket);
                        return;
                    }

                    string remote = socket.RemoteEndPoint?.ToString() ?? "?";
                    Refuse(socket, refusal.Reason);
                    Count(refusal.Counter);
                    if (!refusal.FirstOfEpisode) return;
                    Raise(ServerEventKind.Rejected, e =>
                    {
                        e.Client = remote;
                        e.Reason = refusal.Reason;
                        e.Limit = refusal.Limit;
                    });
                })
            {
                Failed = ex => Raise(ServerEventKind.Error, e => e.Reason = "accept failed: " + ex.Message),
                Exhausted = (ex, first) =>
                {
                    Count(LimitCounter.RefusedDescriptors);
                    if (!first) return;
                    Raise(ServerEventKind.Limited, e =>
                    {
                        e.Reason = $"out of file descriptors ({ex.Message}): refusing new connections until some close";
                        e.Limit = "MaxClients";
                    });
                },
                Refuse = socket => Refuse(socket, "the server is out of file descriptors; try again later"),
            };
            _ = acceptor.RunAsync();
        }

        /// <summary>Decides from the accepted socket alone whether it may stay; null admits it.</summary>
        private protected virtual Refusal? Screen(Socket socket) => null;

        /// <summary>Counts a limit that tripped (chat servers keep counters; others need not).</summary>
        private protected virtual void Count(LimitCounter counter)
        {
        }

        /// <summary>The one line a refused client is sent before the close; null sends nothing.</summary>
        private protected virtual byte[]? RefusalLine(string reason) => null;

        /// <summary>Where a refused client's unread bytes are dropped (shared: nobody reads them).</summary>
        private static readonly byte[] DrainScratch = new byte[4096];

        /// <summary>Tells a refused client why (one line, never waiting) and closes it.</summary>
        private void Refuse(Socket socket, string reason)
        {
            try
            {
                byte[]? line = RefusalLine(reason);
                if (line != null)
                {
                    socket.Blocking = false;
                    socket.Send(line, 0, line.Length, SocketFlags.None, out _);
                    socket.Shutdown(SocketShutdown.Send);
                    // Bytes the client already sent, left unread, would turn the close into a reset
                    // that may discard the line before the client reads it.
                    for (int i = 0; i < 4 && socket.Available > 0; i++)
                    {
                        if (socket.Receive(DrainScratch, 0, DrainScratch.Length, SocketFlags.None, out _) <= 0) break;
                    }
                }
            }
            catch (SocketException)
            {
            }
            catch (ObjectDisposedException)
            {
            }
            finally
            {
                socket.Dispose();
            }
        }

        internal void Raise(ServerEventKind kind, Action<ServerEvent>? fill)
        {
            var handler = EventRaised;
            if (handler == null) return;
            var e = new ServerEvent(Name, kind);
            fill?.Invoke(e);
            try
            {
                handler(this, e);
            }
            catch (Exception)
            {
                // A listener's failure must never reach an I/O thread.
            }
        }
    }
}
