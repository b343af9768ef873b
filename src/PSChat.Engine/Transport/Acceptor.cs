using System;
using System.Net.Sockets;
using System.Threading.Tasks;

namespace PSChat.Engine.Transport
{
    /// <summary>The accept loop a TCP server runs until its listening socket is closed.</summary>
    internal static class Acceptor
    {
        /// <param name="listener">Closing it ends the loop.</param>
        /// <param name="isRunning">Checked before each accept, and after a failed one.</param>
        /// <param name="admit">Takes the accepted socket; a socket error in it drops that socket only.</param>
        /// <param name="failed">Told of a failed accept while running; the loop goes on.</param>
        public static async Task RunAsync(Socket listener, Func<bool> isRunning, Action<Socket> admit, Action<SocketException> failed)
        {
            while (isRunning())
            {
                Socket socket;
                try
                {
                    socket = await listener.AcceptAsync().ConfigureAwait(false);
                }
                catch (ObjectDisposedException)
                {
                    return;
                }
                catch (SocketException ex)
                {
                    if (!isRunning()) return;
                    failed(ex);
                    continue;
                }

                try
                {
                    admit(socket);
                }
                catch (Exception ex) when (ex is SocketException || ex is ObjectDisposedException)
                {
                    socket.Dispose();
                }
            }
        }
    }
}
