<#
.SYNOPSIS
    Server CPU per delivery of `Start-ChatServer -Wait` (events written to the console through
    PowerShell's formatting) against the same server started in the background. Each server runs in a
    pwsh of its own, so its process CPU time is the server's alone; the load (one sender, -Receivers
    readers, plain-text sessions) runs here. Prints a Markdown table. Issue 13's goal: -Wait within
    1.2x of the background server.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)][string] $ModulePath,
    [ValidateRange(1, 10000000)][int] $Count = 20000,
    [ValidateRange(1, 1000)][int] $Receivers = 10
)

$ErrorActionPreference = 'Stop'
$ModulePath = (Resolve-Path $ModulePath).Path
Import-Module $ModulePath -Force

function Get-FreePort {
    $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $listener.Start()
    try { $listener.LocalEndpoint.Port } finally { $listener.Stop() }
}

function Measure-Server {
    # One server in a pwsh of its own: its CPU time while $Count lines reach $Receivers readers.
    param([ValidateSet('Background', 'Wait')][string] $Mode)
    $port = Get-FreePort
    $serve = if ($Mode -eq 'Wait') {
        # What a person runs: the events go through Out-Default's table formatting to the terminal.
        "Start-ChatServer -Port $port -Protocol Text -FloodControl:`$false -Wait"
    }
    else {
        "`$null = Start-ChatServer -Port $port -Protocol Text -FloodControl:`$false; while (`$true) { Start-Sleep -Seconds 1 }"
    }

    # This same PowerShell again: under the .NET local tool that is dotnet with pwsh.dll.
    $hostProcess = (Get-Process -Id $PID).Path
    $info = [System.Diagnostics.ProcessStartInfo]::new($hostProcess)
    if ((Split-Path $hostProcess -Leaf) -match '^dotnet') { $info.ArgumentList.Add((Join-Path $PSHOME 'pwsh.dll')) }
    foreach ($argument in '-NoProfile', '-NonInteractive', '-Command', "Import-Module '$ModulePath'; $serve") { $info.ArgumentList.Add($argument) }
    $info.RedirectStandardOutput = $true
    $info.RedirectStandardError = $true
    $info.UseShellExecute = $false
    $process = [System.Diagnostics.Process]::new()
    $process.StartInfo = $info
    $null = $process.Start()
    # The terminal's part: the output is read (and thrown away) as fast as it comes.
    $null = $process.StandardOutput.BaseStream.CopyToAsync([System.IO.Stream]::Null)
    $null = $process.StandardError.BaseStream.CopyToAsync([System.IO.Stream]::Null)
    try {
        $deadline = [datetime]::UtcNow.AddSeconds(60)
        while ($true) {
            try { [System.Net.Sockets.TcpClient]::new('127.0.0.1', $port).Dispose(); break }
            catch { if ([datetime]::UtcNow -gt $deadline -or $process.HasExited) { throw "The $Mode server did not listen on $port." } }
            Start-Sleep -Milliseconds 50
        }

        $readers = @(1..$Receivers | ForEach-Object { Connect-ChatRoom -Port $port -Name "r$_" -Protocol Text -BufferCapacity ($Count + 100) })
        $sender = Connect-ChatRoom -Port $port -Name sender -Protocol Text
        # Let the connects settle, then count from here.
        Start-Sleep -Milliseconds 500
        $process.Refresh()
        $before = $process.TotalProcessorTime
        $clock = [System.Diagnostics.Stopwatch]::StartNew()
        1..$Count | Send-ChatMessage -Session $sender
        $deadline = [datetime]::UtcNow.AddSeconds([Math]::Max(60, $Count / 100))
        foreach ($reader in $readers) {
            while ($reader.MessagesReceived -lt $Count) {
                if ([datetime]::UtcNow -gt $deadline) { throw "$Mode`: only $($reader.MessagesReceived) of $Count lines reached $($reader.Name)." }
                Start-Sleep -Milliseconds 10
            }
        }

        $elapsed = $clock.Elapsed
        $process.Refresh()
        $cpu = $process.TotalProcessorTime - $before
        $deliveries = [long]$Count * $Receivers
        [pscustomobject]@{ Mode = $Mode; Deliveries = $deliveries; CpuMs = $cpu.TotalMilliseconds; Elapsed = $elapsed; MicrosecondsPerDelivery = $cpu.TotalMilliseconds * 1000 / $deliveries }
    }
    finally {
        Get-ChatSession | Disconnect-ChatRoom -Confirm:$false
        if (-not $process.HasExited) { $process.Kill(); $null = $process.WaitForExit(5000) }
        $process.Dispose()
    }
}

$background = Measure-Server -Mode Background
$wait = Measure-Server -Mode Wait
$culture = [cultureinfo]::InvariantCulture
$ratio = $wait.MicrosecondsPerDelivery / [Math]::Max($background.MicrosecondsPerDelivery, 0.001)
'| Server CPU per delivery | deliveries | CPU ms | µs/delivery | vs background | target |'
'|---|---:|---:|---:|---:|---:|'
foreach ($row in $background, $wait) {
    $name = if ($row.Mode -eq 'Wait') { '`Start-ChatServer -Wait` (events formatted to the terminal)' } else { '`Start-ChatServer` in the background' }
    $versus = if ($row.Mode -eq 'Wait') { $ratio.ToString('0.00', $culture) + 'x' } else { '1.00x' }
    $target = if ($row.Mode -eq 'Wait') { '<= 1.2x' } else { '' }
    "| $name | $($row.Deliveries.ToString('#,0', $culture)) | $($row.CpuMs.ToString('#,0', $culture)) | $($row.MicrosecondsPerDelivery.ToString('0.0', $culture)) | $versus | $target |"
}
