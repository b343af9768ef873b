<#
.SYNOPSIS
    Client-side figures for objects between machines (issue 14): objects per second through
    Send-ChatMessage -AsObject and Receive-ChatMessage -AsObject, MB/s of a 1 MB object against the
    same bytes sent as text lines, and Invoke-ChatRequest round trips per second, all over IRC through
    an in-process PSChat server with flood control off (as for the other benchmark servers), and the
    1 MB object again through a server with its default flood control, where the pschat.dev/payload
    capability budgets object chunks by bytes (PayloadRate) and the session paces itself to it. The
    other rows cannot run under default flood control: each object and each request is a line people
    see, and the default lets a client send 2 lines a second. Prints Markdown table rows.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)][string] $ModulePath,
    [ValidateRange(1, 10000000)][int] $Objects = 20000,
    [ValidateRange(1, 1000000)][int] $Requests = 2000,
    [ValidateRange(1024, 64MB)][int] $BigBytes = 1MB
)

$ErrorActionPreference = 'Stop'
$ModulePath = (Resolve-Path $ModulePath).ProviderPath
Import-Module $ModulePath -Force

function Wait-Received {
    param([Parameter(Mandatory)] $Session, [Parameter(Mandatory)][long] $Count, [int] $TimeoutSeconds = 120)
    $deadline = [datetime]::UtcNow.AddSeconds($TimeoutSeconds)
    while ($Session.MessagesReceived -lt $Count) {
        if ([datetime]::UtcNow -gt $deadline) { throw "Only $($Session.MessagesReceived) of $Count messages arrived." }
        Start-Sleep -Milliseconds 5
    }
}

function Start-BenchPwsh {
    # This same PowerShell again (under the .NET local tool: dotnet with pwsh.dll), running -Command.
    param([Parameter(Mandatory)][string] $Command)
    $hostProcess = (Get-Process -Id $PID).Path
    $info = [System.Diagnostics.ProcessStartInfo]::new($hostProcess)
    if ((Split-Path $hostProcess -Leaf) -match '^dotnet') { $info.ArgumentList.Add((Join-Path $PSHOME 'pwsh.dll')) }
    foreach ($argument in '-NoProfile', '-NonInteractive', '-Command', $Command) { $info.ArgumentList.Add($argument) }
    $info.UseShellExecute = $false
    [System.Diagnostics.Process]::Start($info)
}

function Measure-RequestRate {
    # Invoke-ChatRequest round trips per second to a responder (named "responder") answering from a thread job.
    param([Parameter(Mandatory)] $Sender, [Parameter(Mandatory)] $Responder, [Parameter(Mandatory)][int] $Count)
    $job = Start-ThreadJob -ArgumentList $Responder -ScriptBlock {
        param($session)
        Receive-ChatMessage -Session $session -Wait | Where-Object RequestId | ForEach-Object { $_.Reply('ok') }
    }
    try {
        $null = Invoke-ChatRequest -Session $Sender -To responder -Text 'warm up' -Timeout 30
        $watch = [System.Diagnostics.Stopwatch]::StartNew()
        for ($i = 0; $i -lt $Count; $i++) { $null = Invoke-ChatRequest -Session $Sender -To responder -Text "!req $i" -Timeout 30 }
        $Count / $watch.Elapsed.TotalSeconds
    }
    finally {
        $job | Stop-Job
        $job | Remove-Job -Force
    }
}

$defaultServer = $null
$fastServer = $null
$server = Start-ChatServer -Port 0 -FloodControl:$false
try {
    $connect = @{ Port = $server.Port; Protocol = 'Irc'; Room = '#bench'; NoThrottle = $true; BufferCapacity = [Math]::Max(10000, $Objects + 10) }
    $sender = Connect-ChatRoom @connect -Name sender
    $culture = [cultureinfo]::InvariantCulture

    # Objects per second, end to end: serialize, chunk, relay, reassemble, deserialize. The receiver is
    # another PowerShell process, as on another machine; it says how many objects it got once it has them
    # all as objects, and the clock runs from the first object sent to that line.
    $processes = @(Get-Process | Select-Object Name, Id, CPU, WorkingSet)
    $items = [System.Collections.Generic.List[object]]::new($Objects)
    while ($items.Count -lt $Objects) { $items.AddRange([object[]]$processes[0..([Math]::Min($processes.Count, $Objects - $items.Count) - 1)]) }
    $receive = "Import-Module '$ModulePath'; " +
        "`$s = Connect-ChatRoom -Port $($server.Port) -Protocol Irc -Room '#bench' -Name objreceiver -NoThrottle -BufferCapacity $($Objects + 10); " +
        "`$n = @(Receive-ChatMessage -Session `$s -AsObject -Count $Objects -Timeout 300).Count; " +
        "Send-ChatMessage -Session `$s -Text `"received `$n`"; Disconnect-ChatRoom -Session `$s -Confirm:`$false"
    $receiverProcess = Start-BenchPwsh -Command $receive
    try {
        $null = Receive-ChatMessage -Session $sender -Kind Join -Count 1 -Timeout 60
        $clock = [System.Diagnostics.Stopwatch]::StartNew()
        $items | Send-ChatMessage -Session $sender -AsObject
        $done = Receive-ChatMessage -Session $sender -Count 1 -Timeout 300
        $objectRate = $Objects / $clock.Elapsed.TotalSeconds
        if ($done.Text -ne "received $Objects") { throw "The receiving process said '$($done.Text)', not 'received $Objects'." }
    }
    finally {
        if (-not $receiverProcess.WaitForExit(30000)) { $receiverProcess.Kill() }
    }

    # The other rows receive in this process.
    $receiver = Connect-ChatRoom @connect -Name receiver
    $null = Receive-ChatMessage -Session $sender -Kind Join -Count 1 -Timeout 10

    # A large object against the same bytes as text lines of 400 characters.
    $random = [System.Random]::new(14)
    $letters = [char[]]::new($BigBytes)
    for ($i = 0; $i -lt $letters.Length; $i++) { $letters[$i] = [char](65 + $random.Next(26)) }
    $data = [string]::new($letters)
    $big = [pscustomobject]@{ Data = $data }
    $clock.Restart()
    $big | Send-ChatMessage -Session $sender -AsObject
    $arrived = Receive-ChatMessage -Session $receiver -AsObject -Count 1 -Timeout 300
    $objectSeconds = $clock.Elapsed.TotalSeconds
    if ($arrived.Data -ne $data) { throw 'The large object did not arrive whole.' }
    $lines = [System.Collections.Generic.List[string]]::new()
    for ($at = 0; $at -lt $data.Length; $at += 400) { $lines.Add($data.Substring($at, [Math]::Min(400, $data.Length - $at))) }
    $before = $receiver.MessagesReceived
    $clock.Restart()
    $lines | Send-ChatMessage -Session $sender
    $null = Receive-ChatMessage -Session $receiver -Count $lines.Count -Timeout 300
    $textSeconds = $clock.Elapsed.TotalSeconds
    $megabytes = $BigBytes / 1MB

    # The large object again, through a server with default flood control, from sessions as
    # Connect-ChatRoom makes them to this machine (no -NoThrottle: they pace to what the server says).
    $defaultServer = Start-ChatServer -Port 0
    $paced = @{ Port = $defaultServer.Port; Protocol = 'Irc'; Room = '#bench' }
    $pacedSender = Connect-ChatRoom @paced -Name pacedsender
    $pacedReceiver = Connect-ChatRoom @paced -Name pacedreceiver
    $null = Receive-ChatMessage -Session $pacedSender -Kind Join -Count 1 -Timeout 10
    $clock.Restart()
    $big | Send-ChatMessage -Session $pacedSender -AsObject
    $arrived = Receive-ChatMessage -Session $pacedReceiver -AsObject -Count 1 -Timeout 300
    $pacedSeconds = $clock.Elapsed.TotalSeconds
    if ($arrived.Data -ne $data) { throw 'The large object did not arrive whole through the default server.' }
    if ($defaultServer.Limits.FloodDisconnects -ne 0) { throw 'Flood control dropped a session.' }
    $pacedRate = $defaultServer.Options.PayloadRate

    # Request round trips, through the server above (its 8 ms write delay spares a peer in a conversation:
    # one that spoke while nothing waited for it) and, for comparison, through one without the delay.
    $requestRate = Measure-RequestRate -Sender $sender -Responder (Connect-ChatRoom @connect -Name responder) -Count $Requests
    $fastServer = Start-ChatServer -Port 0 -FloodControl:$false -WriteDelayMilliseconds 0
    $fastSender = Connect-ChatRoom -Port $fastServer.Port -Name fastsender -Protocol Irc
    $fastResponder = Connect-ChatRoom -Port $fastServer.Port -Name responder -Protocol Irc
    $fastRequestRate = Measure-RequestRate -Sender $fastSender -Responder $fastResponder -Count $Requests

    "| ``Get-Process \| Select-Object Name, Id, CPU, WorkingSet \| Send-ChatMessage -AsObject``, received with ``-AsObject`` ($Objects): objects/s | $($objectRate.ToString('#,0', $culture)) | 5,000 |"
    "| A $megabytes MB object (``-AsObject``): MB/s | $(($megabytes / $objectSeconds).ToString('0.00', $culture)) | within 3x of text |"
    "| The same object through a server with DEFAULT flood control (paced to PayloadRate, $($pacedRate.ToString('#,0', $culture)) bytes/s of chunks): MB/s | $(($megabytes / $pacedSeconds).ToString('0.00', $culture)) | - |"
    "| The same $megabytes MB as text lines of 400 characters: MB/s | $(($megabytes / $textSeconds).ToString('0.00', $culture)) | - |"
    "| ``Invoke-ChatRequest`` round trips to a responder ($Requests), default 8 ms write delay: requests/s | $($requestRate.ToString('#,0', $culture)) | 1,000 |"
    "| The same through a server with ``-WriteDelayMilliseconds 0``: requests/s | $($fastRequestRate.ToString('#,0', $culture)) | 1,000 |"
}
finally {
    Get-ChatSession | Disconnect-ChatRoom -Confirm:$false
    $server | Stop-ChatServer -Confirm:$false
    if ($defaultServer) { $defaultServer | Stop-ChatServer -Confirm:$false }
    if ($fastServer) { $fastServer | Stop-ChatServer -Confirm:$false }
}
