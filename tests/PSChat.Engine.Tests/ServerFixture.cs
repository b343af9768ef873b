using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Net;
using System.Threading;
using PSChat.Engine.Transport;

namespace PSChat.Engine.Tests
{
    /// <summary>A chat server on a free loopback port that records its events.</summary>
    internal sealed class ServerFixture : IDisposable
    {
        public ServerFixture(Action<ChatServerOptions>? configure = null)
        {
            var options = new ChatServerOptions { Port = 0, Protocol = ChatProtocol.Text };
            configure?.Invoke(options);
            Server = ChatServer.Start(options);
            Server.EventRaised += (s, e) => Events.Add(e);
        }

        public ChatServer Server { get; }

        public IPEndPoint EndPoint => Server.EndPoint;

        public BlockingCollection<ServerEvent> Events { get; } = new BlockingCollection<ServerEvent>();

        /// <summary>Waits for the first event of a kind that matches (earlier ones are consumed).</summary>
        public ServerEvent WaitFor(ServerEventKind kind, Func<ServerEvent, bool>? match = null, int timeoutMs = 5000)
        {
            var deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
            while (true)
            {
                int remaining = (int)(deadline - DateTime.UtcNow).TotalMilliseconds;
                if (remaining <= 0 || !Events.TryTake(out var e, remaining)) throw new TimeoutException("no " + kind + " event");
                if (e.Kind == kind && (match == null || match(e))) return e;
            }
        }

        /// <summary>Connects a raw client and waits until the server has it in the room.</summary>
        public TestClient Join(int receiveBuffer = 0)
        {
            var client = TestClient.Connect(EndPoint, receiveBuffer);
            string local = client.Socket.LocalEndPoint!.ToString()!;
            WaitFor(ServerEventKind.Joined, e => e.Client == local);
            return client;
        }

        /// <summary>The server's end of a client's connection.</summary>
        public LineConnection ConnectionOf(TestClient client) =>
            Server.Clients.Single(c => c.Connection.RemoteEndPoint.Equals(client.Socket.LocalEndPoint)).Connection;

        /// <summary>The server's end of a client session's connection.</summary>
        public LineConnection ConnectionOf(ChatSession session) =>
            Server.Clients.Single(c => c.Connection.RemoteEndPoint.Port == ((IPEndPoint)session.LocalEndPoint!).Port).Connection;

        public void Dispose() => Server.Stop();
    }
}
