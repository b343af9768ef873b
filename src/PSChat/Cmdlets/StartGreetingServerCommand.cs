using System;
using System.Management.Automation;
using System.Net;

namespace PSChat.Commands
{
    /// <summary>Starts the tutorial's TCP (or, with -Udp, UDP) greeting service in the background, or in the foreground with -Wait.</summary>
    [Cmdlet(VerbsLifecycle.Start, "GreetingServer", DefaultParameterSetName = TcpSet)]
    [OutputType(typeof(GreetingServer), ParameterSetName = new[] { TcpSet })]
    [OutputType(typeof(UdpGreetingServer), ParameterSetName = new[] { UdpSet })]
    [OutputType(typeof(ServerEvent))]
    public sealed class StartGreetingServerCommand : PSChatCmdlet
    {
        private const string TcpSet = "Tcp";
        private const string UdpSet = "Udp";

        [Parameter(Position = 0)]
        [ValidateRange(0, 65535)]
        public int Port { get; set; } = ChatServerOptions.DefaultPort;

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string Address { get; set; } = "127.0.0.1";

        /// <summary>Greet datagrams instead of TCP connections.</summary>
        [Parameter(Mandatory = true, ParameterSetName = UdpSet, HelpMessage = "Serve greetings over UDP instead of TCP.")]
        public SwitchParameter Udp { get; set; }

        /// <summary>Sent on connect with no line end; an empty string sends nothing.</summary>
        [Parameter(ParameterSetName = TcpSet)]
        [AllowEmptyString]
        [ValidateNotNull]
        public string Welcome { get; set; } = GreetingServerOptions.DefaultWelcome;

        /// <summary>A format with {0} where the message goes.</summary>
        [Parameter]
        [ValidateNotNull]
        public string? Reply { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? Name { get; set; }

        [Parameter]
        public SwitchParameter Wait { get; set; }

        protected override void EndProcessing()
        {
            var address = ServerStarter.ParseAddress(this, Address);
            var options = new GreetingServerOptions
            {
                Address = address,
                Port = Port,
                Name = Name ?? string.Empty,
                Welcome = Welcome,
                Reply = Reply,
            };

            var foreground = Wait ? new ForegroundEvents() : null;
            var endPoint = new IPEndPoint(address, Port);
            ServerBase server;
            try
            {
                switch (ParameterSetName)
                {
                    case TcpSet:
                        server = ServerStarter.Start(this, endPoint, () => GreetingServer.Start(options, foreground?.Handler));
                        break;
                    case UdpSet:
                        server = ServerStarter.Start(this, endPoint, () => UdpGreetingServer.Start(options, foreground?.Handler));
                        break;
                    default:
                        throw new InvalidOperationException("Unknown parameter set " + ParameterSetName);
                }
            }
            catch (FormatException ex)
            {
                ThrowTerminatingError(Error(new ArgumentException($"The reply '{Reply}' is not a format with {{0}} for the message: {ex.Message}", ex), "InvalidReplyFormat", ErrorCategory.InvalidArgument, Reply));
                return;
            }

            if (foreground == null) Emit(server);
            else foreground.Run(this, server, StopToken);
        }
    }
}
