using System.Net;
using System.Net.Sockets;
using System.Threading.Tasks;
using Xunit;

namespace PSChat.Engine.Tests
{
    /// <summary>Connected socket pairs on loopback, for tests of a connection without a server.</summary>
    internal static class LoopbackSockets
    {
        /// <summary>Both drivers of a connection: true for an epoll loop (where there is one), false for the stream driver.</summary>
        public static TheoryData<bool> Drivers() => new TheoryData<bool> { true, false };

        /// <summary>The accepted side (to wrap in a connection) and the peer (the test's end).</summary>
        public static async Task<(Socket Accepted, Socket Peer)> PairAsync()
        {
            using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            listener.Listen(1);
            var peer = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await peer.ConnectAsync(listener.LocalEndPoint!);
            return (await listener.AcceptAsync(), peer);
        }
    }
}
