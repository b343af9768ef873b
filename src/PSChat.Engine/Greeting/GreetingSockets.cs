using System.Net;
using System.Net.Sockets;

namespace PSChat.Engine.Greeting
{
    /// <summary>What the TCP and UDP greeting servers share when they start.</summary>
    internal static class GreetingSockets
    {
        /// <summary>A bound socket (IPv6 any also takes IPv4). Throws <see cref="SocketException"/> when the port is taken.</summary>
        public static Socket Bind(GreetingServerOptions options, SocketType type, ProtocolType protocol)
        {
            var socket = new Socket(options.Address.AddressFamily, type, protocol);
            try
            {
                if (options.Address.Equals(IPAddress.IPv6Any)) socket.DualMode = true;
                socket.Bind(new IPEndPoint(options.Address, options.Port));
                return socket;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        public static string NameOf(GreetingServerOptions options, string kind, Socket bound) =>
            string.IsNullOrEmpty(options.Name) ? kind + ((IPEndPoint)bound.LocalEndPoint).Port : options.Name;
    }
}
