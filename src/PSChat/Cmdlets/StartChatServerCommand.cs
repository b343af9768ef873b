using System;
using System.Management.Automation;

namespace PSChat.Commands
{
    /// <summary>Starts a chat server (plain text and IRC on one port) in the background, or in the foreground with -Wait.</summary>
    [Cmdlet(VerbsLifecycle.Start, "ChatServer")]
    [OutputType(typeof(ChatServer))]
    [OutputType(typeof(ServerEvent))]
    public sealed class StartChatServerCommand : StartServerCommand
    {
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
        [ValidateRange(0, 1000)]
        public int WriteDelayMilliseconds { get; set; } = 8;

        [Parameter]
        public ChatProtocol Protocol { get; set; } = ChatProtocol.Auto;

        [Parameter]
        [ValidatePattern(@"^[A-Za-z0-9][A-Za-z0-9.\-]*$")]
        public string HostName { get; set; } = "pschat.local";

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? Password { get; set; }

        [Parameter]
        [AllowEmptyCollection]
        public string[] Motd { get; set; } = new string[0];

        /// <summary>On by default; <c>-FloodControl:$false</c> turns it off (a benchmark, a trusted network).</summary>
        [Parameter]
        public SwitchParameter FloodControl { get; set; } = true;

        [Parameter]
        [ValidateRange(1, 100000)]
        public int FloodBurst { get; set; } = 10;

        [Parameter]
        [ValidateRange(0.01, 1000000.0)]
        public double FloodRate { get; set; } = 2;

        [Parameter]
        [ValidateRange(512, int.MaxValue)]
        public int MaxReceiveQueue { get; set; } = 16 * 1024;

        [Parameter]
        [AllowEmptyCollection]
        public string[] FloodExemptAddress { get; set; } = new string[0];

        [Parameter]
        [ValidateRange(1, 1000)]
        public int MaxTargets { get; set; } = 4;

        [Parameter]
        [ValidateRange(1, 100000)]
        public int MaxChannelsPerClient { get; set; } = 10;

        [Parameter]
        [ValidateRange(1, 10000000)]
        public int MaxRooms { get; set; } = 10000;

        protected override void EndProcessing()
        {
            foreach (string entry in FloodExemptAddress)
            {
                try
                {
                    Engine.Transport.AddressRange.Parse(entry);
                }
                catch (FormatException ex)
                {
                    ThrowTerminatingError(new ErrorRecord(new ArgumentException(ex.Message, nameof(FloodExemptAddress), ex), "InvalidFloodExemptAddress", ErrorCategory.InvalidArgument, entry));
                }
            }

            StartServer((address, listener) => ChatServer.Start(
                new ChatServerOptions
                {
                    Address = address,
                    Port = Port,
                    Name = Name ?? string.Empty,
                    DefaultRoom = DefaultRoom.StartsWith("#", StringComparison.Ordinal) ? DefaultRoom : "#" + DefaultRoom,
                    MaxLineLength = MaxLineLength,
                    MaxSendQueue = MaxSendQueue,
                    MaxClients = MaxClients,
                    WriteDelay = TimeSpan.FromMilliseconds(WriteDelayMilliseconds),
                    Protocol = Protocol,
                    HostName = HostName,
                    Password = Password,
                    Motd = Motd,
                    FloodControl = FloodControl.IsPresent,
                    FloodBurst = FloodBurst,
                    FloodRate = FloodRate,
                    MaxReceiveQueue = MaxReceiveQueue,
                    FloodExemptAddress = FloodExemptAddress,
                    MaxTargets = MaxTargets,
                    MaxChannelsPerClient = MaxChannelsPerClient,
                    MaxRooms = MaxRooms,
                },
                listener));
        }
    }
}
