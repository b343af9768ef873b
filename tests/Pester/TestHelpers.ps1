# Shared by the Pester files: import the staged module, raw socket clients, bounded waits.
# Dot-source it in BeforeAll.

$ErrorActionPreference = 'Stop'
if (-not $env:PSCHAT_MODULE) { $env:PSCHAT_MODULE = Join-Path $PSScriptRoot '../../PSChat' }
Import-Module $env:PSCHAT_MODULE -Force

class RawClient : System.IDisposable {
    # A plain TCP client that writes exact bytes and reads with deadlines, like the tutorial's programs.
    [System.Net.Sockets.TcpClient] $Tcp
    [System.Net.Sockets.NetworkStream] $Stream
    [System.Collections.Generic.List[byte]] $Pending = [System.Collections.Generic.List[byte]]::new()
    hidden [System.Threading.Tasks.Task[int]] $Inflight
    hidden [byte[]] $Buffer = [byte[]]::new(65536)

    RawClient([int] $Port) { $this.Init('127.0.0.1', $Port, 0) }
    RawClient([int] $Port, [int] $ReceiveBuffer) { $this.Init('127.0.0.1', $Port, $ReceiveBuffer) }

    hidden [void] Init([string] $HostName, [int] $Port, [int] $ReceiveBuffer) {
        $this.Tcp = [System.Net.Sockets.TcpClient]::new([System.Net.Sockets.AddressFamily]::InterNetwork)
        if ($ReceiveBuffer -gt 0) { $this.Tcp.ReceiveBufferSize = $ReceiveBuffer }
        $this.Tcp.Connect($HostName, $Port)
        $this.Stream = $this.Tcp.GetStream()
    }

    [string] LocalEndPoint() { return $this.Tcp.Client.LocalEndPoint.ToString() }

    [void] Send([string] $Text) { $this.SendBytes([System.Text.Encoding]::UTF8.GetBytes($Text)) }

    [void] SendBytes([byte[]] $Bytes) { $this.Stream.Write($Bytes, 0, $Bytes.Length) }

    # One read into Pending; false when nothing came before the deadline. A late read is kept, never lost.
    hidden [bool] Fill([datetime] $Deadline) {
        if ($null -eq $this.Inflight) { $this.Inflight = $this.Stream.ReadAsync($this.Buffer, 0, $this.Buffer.Length) }
        $wait = [Math]::Max(0, [int]($Deadline - [datetime]::UtcNow).TotalMilliseconds)
        if (-not $this.Inflight.Wait($wait)) { return $false }
        $n = $this.Inflight.Result
        $this.Inflight = $null
        if ($n -eq 0) { throw [System.IO.EndOfStreamException]::new('The server closed the connection.') }
        $this.Pending.AddRange([System.ArraySegment[byte]]::new($this.Buffer, 0, $n))
        return $true
    }

    hidden [string] Take([int] $Count) {
        $text = [System.Text.Encoding]::UTF8.GetString($this.Pending.GetRange(0, $Count).ToArray())
        $this.Pending.RemoveRange(0, $Count)
        return $text
    }

    # The next line, terminator included.
    [string] ReadLine([int] $TimeoutMs) {
        $deadline = [datetime]::UtcNow.AddMilliseconds($TimeoutMs)
        while ($true) {
            $lf = $this.Pending.IndexOf([byte]10)
            if ($lf -ge 0) { return $this.Take($lf + 1) }
            if (-not $this.Fill($deadline)) { throw [System.TimeoutException]::new("No line within $TimeoutMs ms.") }
        }
        return $null
    }

    [string] ReadLine() { return $this.ReadLine(5000) }

    # Exactly Count bytes as text.
    [string] ReadExactly([int] $Count, [int] $TimeoutMs) {
        $deadline = [datetime]::UtcNow.AddMilliseconds($TimeoutMs)
        while ($this.Pending.Count -lt $Count) {
            if (-not $this.Fill($deadline)) { throw [System.TimeoutException]::new("Only $($this.Pending.Count) of $Count bytes within $TimeoutMs ms.") }
        }
        return $this.Take($Count)
    }

    # True when the server closes the connection within the timeout; what came before the close stays in Pending.
    [bool] WaitForClose([int] $TimeoutMs) {
        $deadline = [datetime]::UtcNow.AddMilliseconds($TimeoutMs)
        try {
            while ($this.Fill($deadline)) { }
            return $false
        }
        catch [System.IO.EndOfStreamException] { return $true }
        catch [System.IO.IOException] { return $true }
        catch [System.AggregateException] { return $true }
    }

    [void] Dispose() { $this.Tcp.Dispose() }
}

function Wait-Until {
    # Polls a condition until it holds or the timeout passes (bounded polling, never a bare sleep).
    param(
        [Parameter(Mandatory)][scriptblock] $Condition,
        [int] $TimeoutMs = 5000,
        [string] $Because = 'the condition'
    )
    $deadline = [datetime]::UtcNow.AddMilliseconds($TimeoutMs)
    while (-not (& $Condition)) {
        if ([datetime]::UtcNow -gt $deadline) { throw "Timed out after $TimeoutMs ms waiting for $Because." }
        Start-Sleep -Milliseconds 10
    }
}

function Assert-NothingBefore {
    # Proves that nothing reached a client before a marker: -CauseMarker makes the server send it, and it
    # must be the very next thing received (a RawClient's next line, or a ChatSession's next message's
    # text). A quiet window cannot prove that nothing comes: on a slow machine it passes for the wrong
    # reason. A marker the server must send after it can.
    param(
        [Parameter(Mandatory)] $Client,
        [Parameter(Mandatory)][string] $Marker,
        [Parameter(Mandatory)][scriptblock] $CauseMarker
    )
    $null = & $CauseMarker
    $next = if ($Client -is [RawClient]) { $Client.ReadLine() } else { (Receive-ChatMessage -Session $Client -Count 1 -Timeout 5 -ErrorAction Stop).Text }
    $next | Should -BeExactly $Marker -Because 'nothing may arrive before the marker'
}

function Wait-ClientCount {
    # Waits until the server has admitted this many clients into its rooms.
    param([Parameter(Mandatory)] $Server, [Parameter(Mandatory)][int] $Count, [int] $TimeoutMs = 5000)
    Wait-Until -Condition { $Server.ClientCount -ge $Count } -TimeoutMs $TimeoutMs -Because "$Count clients on $($Server.Name)"
}

if (-not ('PSChatTests.EventRecorder' -as [type])) {
    # Server events are raised on I/O threads, where a script block cannot run: record them in C#.
    Add-Type -ReferencedAssemblies (Join-Path $env:PSCHAT_MODULE 'PSChat.Engine.dll'), 'System.Collections.Concurrent', 'netstandard' -TypeDefinition @'
namespace PSChatTests
{
    public sealed class EventRecorder
    {
        public readonly System.Collections.Concurrent.BlockingCollection<PSChat.ServerEvent> Queue =
            new System.Collections.Concurrent.BlockingCollection<PSChat.ServerEvent>();

        public EventRecorder(PSChat.ServerBase server)
        {
            server.EventRaised += (sender, e) => Queue.Add(e);
        }
    }
}
'@
}

function Watch-ServerEvent {
    # Records a server's events into a thread-safe queue the test can wait on.
    param([Parameter(Mandatory)] $Server)
    # The comma keeps PowerShell from unrolling the (empty) collection into nothing.
    , [PSChatTests.EventRecorder]::new($Server).Queue
}

function Wait-ServerEvent {
    # Takes events from a Watch-ServerEvent queue until one matches.
    param(
        [Parameter(Mandatory)] $Queue,
        [Parameter(Mandatory)][PSChat.ServerEventKind] $Kind,
        [scriptblock] $Where = { $true },
        [int] $TimeoutMs = 5000
    )
    $deadline = [datetime]::UtcNow.AddMilliseconds($TimeoutMs)
    while ($true) {
        $left = [Math]::Max(0, [int]($deadline - [datetime]::UtcNow).TotalMilliseconds)
        $e = $null
        if (-not $Queue.TryTake([ref] $e, $left)) { throw "No $Kind event within $TimeoutMs ms." }
        if ($e.Kind -eq $Kind -and (& $Where $e)) { return $e }
    }
}

function Get-PwshCommand {
    # The command line that starts this same PowerShell again (a child pwsh, a tmux pane): under the
    # .NET local tool that is dotnet with pwsh.dll, else the pwsh executable.
    $hostProcess = (Get-Process -Id $PID).Path
    if ((Split-Path $hostProcess -Leaf) -match '^dotnet') { @($hostProcess, (Join-Path $PSHOME 'pwsh.dll')) } else { @($hostProcess) }
}

function Start-InRunspace {
    # Runs script text in a PowerShell of its own (another runspace, the module imported), without
    # waiting. Returns the PowerShell, the async result, its output collection and Snapshot(), which
    # copies the output so far (a PSDataCollection's enumerator blocks until the run completes).
    param([Parameter(Mandatory)][string] $Script, [object[]] $ArgumentList = @())
    $ps = [powershell]::Create()
    $null = $ps.AddScript("param(`$Arguments) Import-Module '$env:PSCHAT_MODULE'; $Script").AddArgument($ArgumentList)
    $output = [System.Management.Automation.PSDataCollection[psobject]]::new()
    $noInput = [System.Management.Automation.PSDataCollection[psobject]]::new()
    $noInput.Complete()
    $run = [pscustomobject]@{ PowerShell = $ps; Output = $output; Async = $ps.BeginInvoke($noInput, $output) }
    $run | Add-Member -MemberType ScriptMethod -Name Snapshot -Value { @(for ($i = 0; $i -lt $this.Output.Count; $i++) { $this.Output[$i] }) }
    $run
}

function Get-FreePort {
    # A loopback port the system just gave out and nobody listens on (for a program started next,
    # or for a connection that must be refused).
    $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $listener.Start()
    try { $listener.LocalEndpoint.Port } finally { $listener.Stop() }
}

function Start-Program {
    # A third-party program with its output captured, so AfterAll can end exactly this process.
    param([Parameter(Mandatory)][string] $Path, [string[]] $ArgumentList)
    $info = [System.Diagnostics.ProcessStartInfo]::new($Path)
    foreach ($argument in $ArgumentList) { $info.ArgumentList.Add($argument) }
    $info.RedirectStandardOutput = $true
    $info.RedirectStandardError = $true
    $info.RedirectStandardInput = $true
    $info.UseShellExecute = $false
    [System.Diagnostics.Process]::Start($info)
}

function Stop-Program {
    param($Process)
    if ($Process -and -not $Process.HasExited) {
        $Process.Kill()
        $null = $Process.WaitForExit(5000)
    }
}

function Start-TestNgircd {
    # ngircd (/usr/sbin/ngircd) in the foreground on loopback, returned once it accepts connections:
    # its process, with Port (a free one unless -Port is given) and TlsPort added; Stop-Program ends it.
    # No PAM, ident or DNS lookups; no flood penalty, per-address connection limit or early PING
    # timeout (tests send fast and open many sessions) unless -DefaultLimits keeps ngircd's own.
    # -TlsPort with -CertFile and -KeyFile adds a TLS port (then it waits for that one: without a
    # DHFile ngircd makes DH parameters before it listens, so give it a longer -TimeoutMs).
    param(
        [int] $Port,
        [string] $Name = 'irc.test',
        [switch] $DefaultLimits,
        [int] $TlsPort,
        [string] $CertFile,
        [string] $KeyFile,
        [int] $TimeoutMs = 10000
    )
    if (-not $Port) { $Port = Get-FreePort }
    $config = Join-Path $TestDrive "ngircd-$Port.conf"
    $limits = if ($DefaultLimits) { '' } else { "[Limits]`n    MaxPenaltyTime = 0`n    MaxConnectionsIP = 0`n    PingTimeout = 120`n" }
    $ssl = if ($TlsPort) { "[SSL]`n    CertFile = $CertFile`n    KeyFile = $KeyFile`n    Ports = $TlsPort`n" } else { '' }
    Set-Content -Path $config -Value @"
[Global]
    Name = $Name
    Info = PSChat test
    Listen = 127.0.0.1
    Ports = $Port
    MotdPhrase = "PSChat test"
    PidFile = $(Join-Path $TestDrive "ngircd-$Port.pid")
$limits[Options]
    PAM = no
    Ident = no
    DNS = no
$ssl
"@
    $process = Start-Program -Path (Get-Command ngircd -CommandType Application | Select-Object -First 1).Source -ArgumentList '--nodaemon', '--config', $config
    $ready = if ($TlsPort) { $TlsPort } else { $Port }
    Wait-Until -TimeoutMs $TimeoutMs -Because "ngircd listening on $ready" -Condition {
        try { [System.Net.Sockets.TcpClient]::new('127.0.0.1', $ready).Dispose(); $true } catch { $false }
    }
    $process | Add-Member -NotePropertyName Port -NotePropertyValue $Port -PassThru | Add-Member -NotePropertyName TlsPort -NotePropertyValue $TlsPort -PassThru
}
