using System;
using System.Management.Automation;

namespace PSChat.Commands
{
    /// <summary>Starts the tutorial's TCP (or, with -Udp, UDP) greeting service in the background, or in the foreground with -Wait.</summary>
    [Cmdlet(VerbsLifecycle.Start, "GreetingServer", DefaultParameterSetName = TcpSet)]
    [OutputType(typeof(GreetingServer), ParameterSetName = new[] { TcpSet })]
    [OutputType(typeof(UdpGreetingServer), ParameterSetName = new[] { UdpSet })]
    [OutputType(typeof(ServerEvent))]
    public sealed class StartGreetingServerCommand : StartServerCommand
    {
        private const string TcpSet = "Tcp";
        private const string UdpSet = "Udp";

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

        protected override string DefaultNamePrefix => Udp ? "UdpGreeting" : "Greeting";

        protected override void EndProcessing()
        {
            try
            {
                StartServer((address, listener) =>
                {
                    var options = new GreetingServerOptions
                    {
                        Address = address,
                        Port = Port,
                        Name = Name ?? string.Empty,
                        Welcome = Welcome,
                        Reply = Reply,
                    };
                    switch (ParameterSetName)
                    {
                        case TcpSet:
                            return GreetingServer.Start(options, listener);
                        case UdpSet:
                            return UdpGreetingServer.Start(options, listener);
                        default:
                            throw new InvalidOperationException("Unknown parameter set " + ParameterSetName);
                    }
                });
            }
            catch (FormatException ex)
            {
                ThrowTerminatingError(Error(new ArgumentException($"The reply '{Reply}' is not a format with {{0}} for the message: {ex.Message}", ex), "InvalidReplyFormat", ErrorCategory.InvalidArgument, Reply));
            }
        }
    }
}
