using System;
using System.Net;
using System.Net.Sockets;
using PSChat.Engine.Transport;
using System.Threading;

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
        /// Accepts until the listener closes: a connection past <paramref name="maxClients"/> is closed
        /// with a Rejected event, the others go to <paramref name="admit"/>.
        /// </summary>
        internal void StartAccepting(Socket listener, int maxClients, Action<Socket> admit)
        {
            _ = Acceptor.RunAsync(
                listener,
                () => State == ServerState.Running,
                socket =>
                {
                    if (ClientCount < maxClients)
                    {
                        admit(socket);
                        return;
                    }

                    string remote = socket.RemoteEndPoint?.ToString() ?? "?";
                    socket.Dispose();
                    Raise(ServerEventKind.Rejected, e =>
                    {
                        e.Client = remote;
                        e.Reason = $"server full ({maxClients} clients)";
                    });
                },
                ex => Raise(ServerEventKind.Error, e => e.Reason = "accept failed: " + ex.Message));
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
