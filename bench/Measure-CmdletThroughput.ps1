<#
.SYNOPSIS
    Client-side figures: messages per second through Send-ChatMessage from the pipeline and through
    Receive-ChatMessage into a pipeline, against an in-process server. Prints a Markdown table.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)][string] $ModulePath,
    [ValidateRange(1, 10000000)][int] $Count = 200000
)

$ErrorActionPreference = 'Stop'
Import-Module $ModulePath -Force

$server = Start-ChatServer -Port 0 -Protocol Text -FloodControl:$false
try {
    $sender = Connect-ChatRoom -Port $server.Port -Name alice -Protocol Text
    $receiver = Connect-ChatRoom -Port $server.Port -Name bob -Protocol Text -BufferCapacity $Count
    $deadline = [datetime]::UtcNow.AddSeconds(10)
    while ($server.ClientCount -lt 2) {
        if ([datetime]::UtcNow -gt $deadline) { throw 'The server did not admit both sessions.' }
        Start-Sleep -Milliseconds 10
    }

    $clock = [System.Diagnostics.Stopwatch]::StartNew()
    1..$Count | Send-ChatMessage -Session $sender
    $sendRate = $Count / $clock.Elapsed.TotalSeconds

    $deadline = [datetime]::UtcNow.AddSeconds(60)
    while ($receiver.MessagesReceived -lt $Count) {
        if ([datetime]::UtcNow -gt $deadline) { throw "Only $($receiver.MessagesReceived) of $Count messages arrived." }
        Start-Sleep -Milliseconds 10
    }

    $clock.Restart()
    Receive-ChatMessage -Session $receiver -Count $Count | Out-Null
    $receiveRate = $Count / $clock.Elapsed.TotalSeconds

    $culture = [cultureinfo]::InvariantCulture
    '| Client-side figure | PSChat | target |'
    '|---|---:|---:|'
    "| ``1..$Count \| Send-ChatMessage``: msgs/s | $($sendRate.ToString('#,0', $culture)) | 50,000 |"
    "| ``Receive-ChatMessage -Count $Count \| Out-Null``: msgs/s | $($receiveRate.ToString('#,0', $culture)) | 100,000 |"
}
finally {
    Get-ChatSession | Disconnect-ChatRoom -Confirm:$false
    $server | Stop-ChatServer -Confirm:$false
}
