using System;
using System.Linq;
using System.Management.Automation;
using System.Security;

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
        [ValidateRange(0, 1000000)]
        public int MaxConnectionsPerAddress { get; set; } = 64;

        [Parameter]
        [ValidateRange(0, 1000000)]
        public int MaxConnectsPerMinute { get; set; } = 120;

        [Parameter]
        public SwitchParameter LimitLoopback { get; set; }

        [Parameter]
        [ValidateNotNull]
        public string[] AllowAddress { get; set; } = new string[0];

        [Parameter]
        [ValidateNotNull]
        public string[] DenyAddress { get; set; } = new string[0];

        [Parameter]
        [ValidateRange(0, 1000)]
        public int WriteDelayMilliseconds { get; set; } = 8;

        [Parameter]
        public ChatProtocol Protocol { get; set; } = ChatProtocol.Auto;

        [Parameter]
        [ValidatePattern(@"^[A-Za-z0-9][A-Za-z0-9.\-]*$")]
        public string HostName { get; set; } = "pschat.local";

        /// <summary>What IRC clients must send with PASS (a SecureString: Read-Host -AsSecureString, or ConvertTo-SecureString).</summary>
        [Parameter]
        [ValidateNotNull]
        public SecureString? Password { get; set; }

        [Parameter]
        [ValidateRange(0, 60000)]
        public int LoginFailureDelayMilliseconds { get; set; } = 1000;

        [Parameter]
        [ValidateRange(0, 1000)]
        public int MaxLoginFailures { get; set; } = 10;

        [Parameter]
        [ValidateRange(0, 86400)]
        public int LoginLockoutSeconds { get; set; } = 600;

        [Parameter]
        [ValidateRange(1, 3600)]
        public int RegistrationTimeoutSeconds { get; set; } = 60;

        /// <summary>Nicks nobody may take; an empty list allows every name.</summary>
        [Parameter]
        [AllowEmptyCollection]
        public string[] ReservedName { get; set; } = new ChatServerOptions().ReservedNames;

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
            foreach (string range in AllowAddress.Concat(DenyAddress))
            {
                if (!ChatServerOptions.IsAddressRange(range, out string? error))
                {
                    ThrowTerminatingError(Error(new ArgumentException(error), "InvalidAddressRange", ErrorCategory.InvalidArgument, range));
                }
            }

            foreach (string entry in FloodExemptAddress)
            {
                try
                {
                    Engine.Server.AddressRange.Parse(entry);
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
                    MaxConnectionsPerAddress = MaxConnectionsPerAddress,
                    MaxConnectsPerMinute = MaxConnectsPerMinute,
                    LimitLoopback = LimitLoopback,
                    AllowAddress = AllowAddress,
                    DenyAddress = DenyAddress,
                    WriteDelay = TimeSpan.FromMilliseconds(WriteDelayMilliseconds),
                    Protocol = Protocol,
                    HostName = HostName,
                    Password = Password,
                    LoginFailureDelay = TimeSpan.FromMilliseconds(LoginFailureDelayMilliseconds),
                    MaxLoginFailures = MaxLoginFailures,
                    LoginLockout = TimeSpan.FromSeconds(LoginLockoutSeconds),
                    RegistrationTimeout = TimeSpan.FromSeconds(RegistrationTimeoutSeconds),
                    ReservedNames = ReservedName,
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
