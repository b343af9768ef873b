using System;
using System.Management.Automation;
using System.Net;
using System.Net.Sockets;

namespace PSChat.Commands
{
    /// <summary>Shared by the server-starting cmdlets: naming, registration, errors, and -Wait.</summary>
    internal static class ServerStarter
    {
        /// <summary>The -Address parameter as an IP address; a terminating InvalidAddress error otherwise.</summary>
        public static IPAddress ParseAddress(PSChatCmdlet cmdlet, string address)
        {
            if (IPAddress.TryParse(address, out var parsed)) return parsed;
            cmdlet.ThrowTerminatingError(new ErrorRecord(new ArgumentException($"'{address}' is not an IP address."), "InvalidAddress", ErrorCategory.InvalidArgument, address));
            throw new InvalidOperationException("unreachable");
        }

        public static T Start<T>(PSChatCmdlet cmdlet, IPEndPoint endPoint, Func<T> start)
            where T : ServerBase
        {
            T server;
            try
            {
                server = start();
            }
            catch (SocketException ex)
            {
                string id = ex.SocketErrorCode == SocketError.AddressAlreadyInUse ? "PortInUse" : "BindFailed";
                cmdlet.ThrowTerminatingError(new ErrorRecord(
                    new InvalidOperationException($"Cannot listen on {endPoint}: {ex.Message}", ex),
                    id,
                    ErrorCategory.ResourceUnavailable,
                    endPoint));
                throw;
            }

            if (!ModuleState.TryAddServer(server))
            {
                server.Stop();
                cmdlet.ThrowTerminatingError(new ErrorRecord(
                    new ArgumentException($"A server named '{server.Name}' is already running."),
                    "ServerNameInUse",
                    ErrorCategory.ResourceExists,
                    server.Name));
            }

            cmdlet.WriteVerbose($"{server.Kind} server '{server.Name}' listening on {server.EndPoint}.");
            return server;
        }
    }
}
