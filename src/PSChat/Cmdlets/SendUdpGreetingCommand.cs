using System;
using System.Linq;
using System.Management.Automation;
using System.Net;
using System.Net.Sockets;

namespace PSChat.Commands
{
    /// <summary>Sends each name to a UDP greeting server as one datagram and writes the reply; a lost name is an error, the rest go on.</summary>
    [Cmdlet(VerbsCommunications.Send, "UdpGreeting")]
    [OutputType(typeof(GreetingReply))]
    public sealed class SendUdpGreetingCommand : PSChatCmdlet
    {
        private IPEndPoint? server;

        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, HelpMessage = "The names to greet, one datagram each.")]
        [AllowEmptyString]
        public string[]? Name { get; set; }

        [Parameter]
        [Alias("Cn", "HostName")]
        [ValidateNotNullOrEmpty]
        public string ComputerName { get; set; } = "127.0.0.1";

        [Parameter]
        [ValidateRange(1, 65535)]
        public int Port { get; set; } = ChatServerOptions.DefaultPort;

        /// <summary>Seconds to wait for each reply.</summary>
        [Parameter]
        [ValidateRange(1, 3600)]
        public int Timeout { get; set; } = 2;

        /// <summary>Sends after the first when no reply came in time.</summary>
        [Parameter]
        [ValidateRange(0, 100)]
        public int Retry { get; set; }

        protected override void BeginProcessing()
        {
            base.BeginProcessing();
            server = new IPEndPoint(ResolveAddress(), Port);
        }

        protected override void ProcessRecord()
        {
            // One socket per pipeline object, closed when it is done: nothing outlives a stopped pipeline.
            using var client = new UdpGreetingClient(server!);
            foreach (string name in Name!)
            {
                try
                {
                    Emit(client.GreetAsync(name, TimeSpan.FromSeconds(Timeout), Retry + 1, StopToken).GetAwaiter().GetResult());
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                catch (TimeoutException ex)
                {
                    WriteError(Error(ex, "GreetingTimedOut", ErrorCategory.OperationTimeout, name));
                }
                catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionRefused)
                {
                    WriteError(Error(new InvalidOperationException($"Nobody answers on {server} (the host says the port is unreachable); '{name}' was not greeted.", ex), "GreetingRefused", ErrorCategory.ConnectionError, name));
                }
                catch (ArgumentException ex)
                {
                    WriteError(Error(ex, "NameTooLong", ErrorCategory.InvalidArgument, name));
                }
            }
        }

        private IPAddress ResolveAddress()
        {
            if (IPAddress.TryParse(ComputerName, out var literal)) return literal;
            try
            {
                // IPv4 first, as the tutorial: "localhost" must reach a server bound to 127.0.0.1.
                var found = Dns.GetHostAddresses(ComputerName).OrderBy(a => a.AddressFamily == AddressFamily.InterNetwork ? 0 : 1).FirstOrDefault();
                if (found != null) return found;
            }
            catch (SocketException)
            {
            }

            ThrowTerminatingError(Error(new ArgumentException($"Cannot resolve '{ComputerName}'."), "ComputerNotFound", ErrorCategory.ObjectNotFound, ComputerName));
            throw new InvalidOperationException("unreachable");
        }
    }
}
