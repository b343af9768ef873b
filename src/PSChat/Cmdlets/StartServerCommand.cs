using System;
using System.Linq;
using System.Management.Automation;
using System.Net;
using System.Net.Sockets;

namespace PSChat.Commands
{
    /// <summary>
    /// What the server-starting cmdlets share: where to listen, the name, -Wait, and the start-up itself
    /// (address check, bind errors, registration, background or foreground).
    /// </summary>
    public abstract class StartServerCommand : PSChatCmdlet
    {
        [Parameter(Position = 0)]
        [ValidateRange(0, 65535)]
        public int Port { get; set; } = ChatServerOptions.DefaultPort;

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string Address { get; set; } = "127.0.0.1";

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? Name { get; set; }

        [Parameter]
        public SwitchParameter Wait { get; set; }

        /// <summary>With -Wait: events waiting to be written past this many are dropped, counted and reported.</summary>
        [Parameter]
        [ValidateRange(10, 10000000)]
        public int MaxQueuedEvents { get; set; } = 100000;

        /// <summary>
        /// An address to listen on: an IP literal, "localhost" (the IPv4 loopback, as the default is) or
        /// this machine's host name; null for anything else.
        /// </summary>
        private static IPAddress? ResolveAddress(string text)
        {
            if (IPAddress.TryParse(text.Trim('[', ']'), out var literal)) return literal;
            if (string.Equals(text, "localhost", StringComparison.OrdinalIgnoreCase)) return IPAddress.Loopback;
            // This machine's own name resolves; other names are not looked up (a listener binds to a local address).
            if (!string.Equals(text, Dns.GetHostName(), StringComparison.OrdinalIgnoreCase)) return null;
            try
            {
                var found = Dns.GetHostAddresses(text);
                return found.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? found.FirstOrDefault();
            }
            catch (SocketException)
            {
                return null;
            }
        }

        /// <summary>
        /// Starts the server that <paramref name="start"/> makes (given the parsed address and a listener
        /// to subscribe before anything happens) and writes it, or with -Wait writes its events until
        /// Ctrl+C and then stops it.
        /// </summary>
        protected void StartServer(Func<IPAddress, EventHandler<ServerEvent>?, ServerBase> start)
        {
            var address = ResolveAddress(Address);
            if (address == null)
            {
                ThrowTerminatingError(Error(
                    new ArgumentException($"'{Address}' is not an IP address, localhost or this machine's name (try 127.0.0.1, ::1, 0.0.0.0 or localhost)."),
                    "InvalidAddress", ErrorCategory.InvalidArgument, Address));
                return;
            }

            if (Name != null && ModuleState.IsServerNameTaken(Name))
            {
                ThrowTerminatingError(NameInUse(Name));
            }

            // Without -Name a server is named after its port; another one on that port (at another
            // address) gets the next free "-2", "-3"..., never an error about a name nobody chose.
            if (Name == null && Port != 0) Name = UnusedName(DefaultNamePrefix + Port.ToString(System.Globalization.CultureInfo.InvariantCulture));

            using var foreground = Wait ? new ForegroundEvents(MaxQueuedEvents) : null;
            var endPoint = new IPEndPoint(address, Port);
            ServerBase server;
            try
            {
                server = start(address, foreground?.Handler);
            }
            catch (SocketException ex)
            {
                string id = ex.SocketErrorCode == SocketError.AddressAlreadyInUse ? "PortInUse" : "BindFailed";
                ThrowTerminatingError(Error(new InvalidOperationException($"Cannot listen on {endPoint}: {ex.Message}", ex), id, ErrorCategory.ResourceUnavailable, endPoint));
                return;
            }

            if (!ModuleState.TryAddServer(server))
            {
                server.Stop();
                ThrowTerminatingError(NameInUse(server.Name));
            }

            WriteVerbose($"{server.Kind} server '{server.Name}' listening on {server.EndPoint}.");
            if (foreground == null) Emit(server);
            else foreground.Run(this, server, StopToken);
        }

        /// <summary>What a server is named after when not given -Name: "Chat", "Greeting" or "UdpGreeting".</summary>
        protected abstract string DefaultNamePrefix { get; }

        private static string UnusedName(string name)
        {
            string candidate = name;
            for (int n = 2; ModuleState.IsServerNameTaken(candidate); n++) candidate = name + "-" + n.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return candidate;
        }

        private static ErrorRecord NameInUse(string name) =>
            Error(new ArgumentException($"A server named '{name}' is already running."), "ServerNameInUse", ErrorCategory.ResourceExists, name);
    }
}
