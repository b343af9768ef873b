using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using PSChat.Engine.Greeting;
using PSChat.Engine.Transport;

namespace PSChat
{
    /// <summary>
    /// The tutorial's TCP greeting service: a welcome on connect, then "hello X" for every message X,
    /// in the terminator X came with. Each connection is a <see cref="LineConnection"/> (no thread per
    /// client), so a slow or silent client delays nobody else.
    /// </summary>
    public sealed class GreetingServer : ServerBase
    {
        private readonly Socket listener;
        private readonly IPEndPoint endPoint;
        private readonly ConcurrentDictionary<LineConnection, GreetingConnection> clients = new ConcurrentDictionary<LineConnection, GreetingConnection>();
        private readonly byte[] welcome;

        private GreetingServer(GreetingServerOptions options, ReplyTemplate reply, Socket listener)
            : base(GreetingSockets.NameOf(options, "Greeting", listener))
        {
            Options = options;
            this.listener = listener;
            endPoint = (IPEndPoint)listener.LocalEndPoint;
            welcome = Encoding.UTF8.GetBytes(options.Welcome);
            Reply = reply;
            ConnectionOptions = new LineConnectionOptions
            {
                UseIoLoop = true,
                MaxLineBytes = options.MaxMessageLength,
                MaxSendQueueBytes = options.MaxSendQueue,
            };
        }

        public GreetingServerOptions Options { get; }

        public override string Kind => "Greeting";

        public override IPEndPoint EndPoint => endPoint;

        public override int ClientCount => clients.Count;

        internal ReplyTemplate Reply { get; }

        internal LineConnectionOptions ConnectionOptions { get; }

        /// <summary>Binds and starts accepting. Throws <see cref="SocketException"/> when the port is taken.</summary>
        /// <param name="options">Copied, so later changes do not reach the server.</param>
        /// <param name="listener">Subscribed before anything happens, so it sees the Started event too.</param>
        /// <exception cref="FormatException">The reply format is not a format with {0}.</exception>
        public static GreetingServer Start(GreetingServerOptions options, EventHandler<ServerEvent>? listener = null)
        {
            if (options == null) throw new ArgumentNullException(nameof(options));
            options = options.Clone();
            var reply = new ReplyTemplate(options.Reply ?? GreetingServerOptions.DefaultTcpReply);
            var socket = GreetingSockets.Bind(options, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                socket.Listen(512);
            }
            catch
            {
                socket.Dispose();
                throw;
            }

            var server = new GreetingServer(options, reply, socket);
            if (listener != null) server.EventRaised += listener;
            server.Raise(ServerEventKind.Started, e => e.Text = "listening on " + server.EndPoint);
            server.StartAccepting(socket, options.MaxClients, server.Admit);
            return server;
        }

        internal void Forget(GreetingConnection client) => clients.TryRemove(client.Connection, out _);

        protected override void StopCore()
        {
            listener.Dispose();
            foreach (var client in clients.Values.ToArray())
            {
                client.Connection.Close("server is shutting down");
            }
        }

        private void Admit(Socket socket)
        {
            var client = new GreetingConnection(this, socket);
            clients[client.Connection] = client;
            Raise(ServerEventKind.Connected, e => client.Describe(e, null));
            if (welcome.Length > 0) client.Connection.Send(welcome);
            client.Connection.Start();
        }
    }
}
