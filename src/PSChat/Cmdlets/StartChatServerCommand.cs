using System;
using System.Collections.Concurrent;
using System.Management.Automation;
using System.Net;
using System.Net.Sockets;
using System.Threading;

namespace PSChat.Commands
{
    /// <summary>Starts a chat server (plain text and IRC on one port) in the background, or in the foreground with -Wait.</summary>
    [Cmdlet(VerbsLifecycle.Start, "ChatServer")]
    [OutputType(typeof(ChatServer))]
    [OutputType(typeof(ServerEvent))]
    public sealed class StartChatServerCommand : PSChatCmdlet
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
        [ValidateNotNullOrEmpty]
        public string DefaultRoom { get; set; } = "#lobby";

        [Parameter]
        [ValidateRange(64, 1048576)]
        public int MaxLineLength { get; set; } = 8192;

        [Parameter]
        [ValidateRange(4096, int.MaxValue)]
        public int MaxSendQueue { get; set; } = 1024 * 1024;

        [Parameter]
        [ValidateRange(1, 1000000)]
        public int MaxClients { get; set; } = 20000;

        [Parameter]
        public ChatProtocol Protocol { get; set; } = ChatProtocol.Auto;

        [Parameter]
        public SwitchParameter Wait { get; set; }

        [Parameter]
        [ValidatePattern(@"^[A-Za-z0-9][A-Za-z0-9.\-]*$")]
        public string HostName { get; set; } = "pschat.local";

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? Password { get; set; }

        [Parameter]
        [AllowEmptyCollection]
        public string[] Motd { get; set; } = new string[0];

        protected override void EndProcessing()
        {
            if (!IPAddress.TryParse(Address, out var address))
            {
                ThrowTerminatingError(Error(new ArgumentException($"'{Address}' is not an IP address."), "InvalidAddress", ErrorCategory.InvalidArgument, Address));
                return;
            }

            if (Name != null && ModuleState.IsServerNameTaken(Name))
            {
                ThrowTerminatingError(Error(new ArgumentException($"A server named '{Name}' is already running."), "ServerNameInUse", ErrorCategory.ResourceExists, Name));
            }

            var options = new ChatServerOptions
            {
                Address = address,
                Port = Port,
                Name = Name ?? string.Empty,
                DefaultRoom = DefaultRoom.StartsWith("#", StringComparison.Ordinal) ? DefaultRoom : "#" + DefaultRoom,
                MaxLineLength = MaxLineLength,
                MaxSendQueue = MaxSendQueue,
                MaxClients = MaxClients,
                Protocol = Protocol,
                HostName = HostName,
                Password = Password,
                Motd = Motd,
            };

            var foreground = Wait ? new ForegroundEvents() : null;
            var server = ServerStarter.Start(this, new IPEndPoint(address, Port), () => ChatServer.Start(options, foreground?.Handler));
            if (foreground == null) Emit(server);
            else foreground.Run(this, server, StopToken);
        }
    }

    /// <summary>Shared by the server-starting cmdlets: naming, registration, errors, and -Wait.</summary>
    internal static class ServerStarter
    {
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

    /// <summary>A server in the foreground (-Wait): its events, queued from I/O threads, written on the pipeline thread.</summary>
    internal sealed class ForegroundEvents
    {
        private readonly BlockingCollection<ServerEvent> events = new BlockingCollection<ServerEvent>(new ConcurrentQueue<ServerEvent>(), 100000);

        public ForegroundEvents() => Handler = (sender, e) => events.TryAdd(e);

        /// <summary>Subscribe this before the server starts, so the Started event is seen.</summary>
        public EventHandler<ServerEvent> Handler { get; }

        /// <summary>Writes the server's events until Ctrl+C or the server stops, then stops it.</summary>
        public void Run(PSChatCmdlet cmdlet, ServerBase server, CancellationToken stopping)
        {
            try
            {
                cmdlet.WriteVerbose($"Serving in the foreground on {server.EndPoint}; press Ctrl+C to stop.");
                while (!stopping.IsCancellationRequested && server.State == ServerState.Running)
                {
                    try
                    {
                        if (events.TryTake(out var e, Timeout.Infinite, stopping)) cmdlet.Emit(e);
                    }
                    catch (OperationCanceledException)
                    {
                        break;
                    }
                }
            }
            finally
            {
                server.Stop();
                server.EventRaised -= Handler;
            }

            // What happened while stopping (disconnects, Stopped), unless the pipeline itself is gone.
            if (!stopping.IsCancellationRequested)
            {
                while (events.TryTake(out var e)) cmdlet.Emit(e);
            }
        }
    }
}
