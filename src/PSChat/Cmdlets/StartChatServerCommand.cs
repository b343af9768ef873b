using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace PSChat.Commands
{
    /// <summary>Starts a chat server (plain text and IRC on one port) in the background, or in the foreground with -Wait.</summary>
    [Cmdlet(VerbsLifecycle.Start, "ChatServer", DefaultParameterSetName = CertificateSet)]
    [OutputType(typeof(ChatServer))]
    [OutputType(typeof(ServerEvent))]
    public sealed class StartChatServerCommand : StartServerCommand
    {
        private const string CertificateSet = "Certificate";
        private const string FileSet = "CertificateFile";
        private const string StoreSet = "CertificateStore";

        /// <summary>Without -Name: Chat and the port.</summary>
        protected override string DefaultNamePrefix => "Chat";

        /// <summary>Serve TLS with this certificate (it must have its private key); plain clients share the port. Without any certificate parameter the server is plain.</summary>
        [Parameter(ParameterSetName = CertificateSet)]
        [ValidateNotNull]
        public X509Certificate2? Certificate { get; set; }

        /// <summary>Serve TLS with the certificate in this PFX file.</summary>
        [Parameter(Mandatory = true, ParameterSetName = FileSet, HelpMessage = "The path of a PFX (PKCS #12) file with the certificate and its private key.")]
        [ValidateNotNullOrEmpty]
        public string? CertificatePath { get; set; }

        [Parameter(ParameterSetName = FileSet)]
        public SecureString? CertificatePassword { get; set; }

        /// <summary>Serve TLS with the certificate of this thumbprint from the certificate store (CurrentUser\My, then LocalMachine\My).</summary>
        [Parameter(Mandatory = true, ParameterSetName = StoreSet, HelpMessage = "The thumbprint of a certificate in Cert:\\CurrentUser\\My or Cert:\\LocalMachine\\My.")]
        [ValidateNotNullOrEmpty]
        public string? CertificateThumbprint { get; set; }

        /// <summary>Refuse plain connections (with a line that says TLS is required); needs a certificate.</summary>
        [Parameter]
        public SwitchParameter RequireTls { get; set; }

        /// <summary>Seconds a TLS client has from connecting to finishing its handshake.</summary>
        [Parameter]
        [ValidateRange(1, 300)]
        public int TlsHandshakeTimeout { get; set; } = 10;

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

        /// <summary>
        /// IRC operator accounts: PSCredential objects (usable from any host), or hashtables or objects with
        /// a Credential and a HostMask (nick!user@host, user@host or a host, with * and ?).
        /// </summary>
        [Parameter]
        [AllowEmptyCollection]
        public object[] Operator { get; set; } = new object[0];

        [Parameter]
        [ValidateRange(0, 1000000)]
        public int MaxWhowasEntries { get; set; } = 1000;

        [Parameter]
        [ValidateRange(1, 100000)]
        public int MaxListEntries { get; set; } = 100;

        [Parameter]
        [ValidateRange(0, 100000)]
        public int MaxMonitorEntries { get; set; } = 100;

        [Parameter]
        [ValidateRange(0, 10000000)]
        public int HistorySize { get; set; } = 2000;

        [Parameter]
        [ValidateRange(0, long.MaxValue)]
        public long HistoryMaxBytes { get; set; } = 64L * 1024 * 1024;

        [Parameter]
        [ValidateRange(1, 100000)]
        public int MaxHistoryLines { get; set; } = 100;

        [Parameter]
        [ValidateRange(0, 100000)]
        public int TextHistoryLines { get; set; }

        /// <summary>The account store file (made when missing): IRC clients log in by SASL, text clients by /login.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? AccountStore { get; set; }

        /// <summary>Only clients logged in to an account get in; needs -AccountStore.</summary>
        [Parameter]
        public SwitchParameter RequireAccount { get; set; }

        /// <summary>The duration of the IRCv3 sts policy advertised when the server has a certificate.</summary>
        [Parameter]
        [ValidateRange(0, 31536000)]
        public int StsDurationSeconds { get; set; } = 300;

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? DataPath { get; set; }

        [Parameter]
        [ValidateRange(0, 36500)]
        public int HistoryRetentionDays { get; set; } = 30;

        [Parameter]
        [ValidateRange(1, 100000000)]
        public int MaxPendingWrites { get; set; } = 100000;

        /// <summary>Keep private messages between logged-in accounts for the two of them (off: none are kept).</summary>
        [Parameter]
        public SwitchParameter KeepPrivateMessages { get; set; }

        [Parameter]
        [ValidateRange(0, 1000)]
        public int MaxMetadataKeys { get; set; } = 20;

        [Parameter]
        [ValidateRange(0, 100000)]
        public int MaxReadMarkers { get; set; } = 100;

        [Parameter]
        [ValidateRange(0, 1048576)]
        public int MaxMultilineBytes { get; set; } = 4096;
        /// <summary>Bytes a second of object chunks a client with the pschat.dev/payload capability may send; 0 offers no capability.</summary>
        [Parameter]
        [ValidateRange(0, 1073741824)]
        public int PayloadRate { get; set; } = ChatServerOptions.DefaultPayloadRate;

        protected override void EndProcessing()
        {
            CheckRanges(AllowAddress.Concat(DenyAddress), null, "InvalidAddressRange");
            CheckRanges(FloodExemptAddress, nameof(FloodExemptAddress), "InvalidFloodExemptAddress");

            var operators = Operator.Select(ToOperatorAccount).ToList();
            X509Certificate2? certificate = ResolveCertificate();
            if (RequireAccount && AccountStore == null)
            {
                ThrowTerminatingError(Error(new ArgumentException("-RequireAccount needs an account store: give -AccountStore <path>."), "RequireAccountWithoutAccountStore", ErrorCategory.InvalidArgument, null));
            }

            // The account store may live in the -DataPath folder (one folder for all the server keeps): make it first.
            if (AccountStore != null && DataPath != null) CreateDataFolder();
            IAccountStore? accounts = AccountStore == null ? null : AccountCmdlet.OpenStore(this, SessionState.Path.GetUnresolvedProviderPathFromPSPath(AccountStore));
            StartServer((address, listener) => StartChat(address, listener, certificate, accounts, operators));
        }

        private void CreateDataFolder()
        {
            try
            {
                Directory.CreateDirectory(SessionState.Path.GetUnresolvedProviderPathFromPSPath(DataPath!));
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                ThrowTerminatingError(Error(ex, "DataPathUnusable", ErrorCategory.OpenError, DataPath));
            }
        }

        /// <summary>The server, or a terminating error when -DataPath cannot be used.</summary>
        private ChatServer StartChat(System.Net.IPAddress address, EventHandler<ServerEvent>? listener, X509Certificate2? certificate, IAccountStore? accounts, List<OperatorAccount> operators)
        {
            try
            {
                return StartWith(address, listener, certificate, accounts, operators);
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException || ex is PlatformNotSupportedException)
            {
                ThrowTerminatingError(Error(ex, "DataPathUnusable", ErrorCategory.OpenError, DataPath));
                throw;
            }
        }

        private ChatServer StartWith(System.Net.IPAddress address, EventHandler<ServerEvent>? listener, X509Certificate2? certificate, IAccountStore? accounts, List<OperatorAccount> operators)
        {
            return ChatServer.Start(
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
                    HistorySize = HistorySize,
                    HistoryMaxBytes = HistoryMaxBytes,
                    MaxHistoryLines = MaxHistoryLines,
                    TextHistoryLines = TextHistoryLines,
                    DataPath = DataPath == null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(DataPath),
                    HistoryRetention = TimeSpan.FromDays(HistoryRetentionDays),
                    MaxPendingWrites = MaxPendingWrites,
                    PayloadRate = PayloadRate,
                    Certificate = certificate,
                    RequireTls = RequireTls,
                    TlsHandshakeTimeout = TimeSpan.FromSeconds(TlsHandshakeTimeout),
                    MaxWhowasEntries = MaxWhowasEntries,
                    Operators = operators,
                    MaxListEntries = MaxListEntries,
                    MaxMonitorEntries = MaxMonitorEntries,
                    Accounts = accounts,
                    RequireAccount = RequireAccount,
                    StsDuration = TimeSpan.FromSeconds(StsDurationSeconds),
                    KeepPrivateMessages = KeepPrivateMessages,
                    MaxMetadataKeys = MaxMetadataKeys,
                    MaxReadMarkers = MaxReadMarkers,
                    MaxMultilineBytes = MaxMultilineBytes,
                },
                listener);
        }
    
        private X509Certificate2? ResolveCertificate()
        {
            X509Certificate2? certificate;
            switch (ParameterSetName)
            {
                case CertificateSet:
                    if (Certificate == null)
                    {
                        if (RequireTls)
                        {
                            ThrowTerminatingError(Error(new ArgumentException("-RequireTls needs a certificate: give -Certificate, -CertificatePath or -CertificateThumbprint."), "RequireTlsWithoutCertificate", ErrorCategory.InvalidArgument, null));
                        }

                        return null;
                    }

                    certificate = Certificate;
                    break;
                case FileSet:
                    certificate = LoadFile(SessionState.Path.GetUnresolvedProviderPathFromPSPath(CertificatePath));
                    break;
                case StoreSet:
                    certificate = FindInStore(CertificateThumbprint!);
                    break;
                default:
                    throw new InvalidOperationException("Unknown parameter set " + ParameterSetName);
            }

            if (!certificate.HasPrivateKey)
            {
                ThrowTerminatingError(Error(
                    new ArgumentException($"The certificate '{certificate.Subject}' ({certificate.Thumbprint}) has no private key; a server needs its certificate's key (use a PFX file, or New-ChatCertificate)."),
                    "CertificateHasNoPrivateKey", ErrorCategory.SecurityError, certificate));
            }

            return certificate;
        }

        private X509Certificate2 LoadFile(string path)
        {
            if (!File.Exists(path))
            {
                ThrowTerminatingError(Error(new FileNotFoundException($"There is no certificate file '{path}'.", path), "CertificateFileNotFound", ErrorCategory.ObjectNotFound, path));
            }

            try
            {
                // UserKeySet: a PFX that asks for the machine's key store would need administrator rights.
                return CertificatePassword == null
                    ? new X509Certificate2(path, (string?)null, X509KeyStorageFlags.UserKeySet)
                    : new X509Certificate2(path, CertificatePassword, X509KeyStorageFlags.UserKeySet);
            }
            catch (CryptographicException ex)
            {
                ThrowTerminatingError(Error(
                    new InvalidOperationException($"Cannot read the certificate in '{path}' (a wrong -CertificatePassword, or not a PFX file): {ex.Message}", ex),
                    "CertificateLoadFailed", ErrorCategory.SecurityError, path));
                throw;
            }
        }

        private X509Certificate2 FindInStore(string thumbprint)
        {
            string wanted = new string(Array.FindAll(thumbprint.ToCharArray(), Uri.IsHexDigit)).ToUpperInvariant();
            foreach (var location in new[] { StoreLocation.CurrentUser, StoreLocation.LocalMachine })
            {
                using (var store = new X509Store(StoreName.My, location))
                {
                    try
                    {
                        store.Open(OpenFlags.ReadOnly | OpenFlags.OpenExistingOnly);
                    }
                    catch (CryptographicException)
                    {
                        continue; // This platform has no such store (LocalMachine\My on Linux and macOS).
                    }

                    var found = store.Certificates.Find(X509FindType.FindByThumbprint, wanted, validOnly: false);
                    if (found.Count > 0) return found[0];
                }
            }

            ThrowTerminatingError(Error(
                new ArgumentException($"No certificate with thumbprint {wanted} is in Cert:\\CurrentUser\\My or Cert:\\LocalMachine\\My."),
                "CertificateNotFound", ErrorCategory.ObjectNotFound, thumbprint));
            throw new InvalidOperationException("unreachable");
        }

        /// <summary>Stops before the port is taken when an address list holds something that is not an address or CIDR range.</summary>
        private void CheckRanges(IEnumerable<string> ranges, string? parameter, string errorId)
        {
            foreach (string range in ranges)
            {
                if (!ChatServerOptions.IsAddressRange(range, out string? error))
                {
                    ThrowTerminatingError(Error(new ArgumentException(error, parameter), errorId, ErrorCategory.InvalidArgument, range));
                }
            }
        }

        /// <summary>
        /// One -Operator entry as an account: a PSCredential, an OperatorAccount, or a hashtable or object with
        /// Credential (a PSCredential) and HostMask. A password is never taken as plain text.
        /// </summary>
        private OperatorAccount ToOperatorAccount(object entry)
        {
            object value = entry is PSObject wrapped ? wrapped.BaseObject : entry;
            switch (value)
            {
                case OperatorAccount account:
                    return account;
                case PSCredential credential:
                    return new OperatorAccount(credential.UserName, credential.Password);
            }

            var properties = value is System.Collections.IDictionary table
                ? table.Keys.Cast<object>().ToDictionary(k => k.ToString(), k => (object?)table[k], StringComparer.OrdinalIgnoreCase)
                : PSObject.AsPSObject(value).Properties.ToDictionary(p => p.Name, p => (object?)p.Value, StringComparer.OrdinalIgnoreCase);
            object? given = properties.TryGetValue("Credential", out var c) ? c : null;
            if (given is PSObject inner) given = inner.BaseObject;
            if (!(given is PSCredential cred))
            {
                ThrowTerminatingError(Error(
                    new ArgumentException("Each -Operator entry is a PSCredential (Get-Credential), or a hashtable with Credential (a PSCredential) and HostMask, e.g. @{ Credential = $cred; HostMask = '*@127.0.0.1' }.", nameof(Operator)),
                    "InvalidOperator", ErrorCategory.InvalidArgument, entry));
                throw new InvalidOperationException("unreachable");
            }

            string mask = properties.TryGetValue("HostMask", out var m) && m != null ? m.ToString() : "*";
            try
            {
                return new OperatorAccount(cred.UserName, cred.Password, mask);
            }
            catch (ArgumentException ex)
            {
                ThrowTerminatingError(Error(ex, "InvalidOperator", ErrorCategory.InvalidArgument, entry));
                throw;
            }
        }
    }
}
