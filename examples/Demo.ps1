<#
.SYNOPSIS
    The main job on the embedded default: a chat server, a person and a bot, and the transcript.
.DESCRIPTION
    Starts a chat server on a free loopback port, connects "alice" and "timebot" (a bot in a thread
    job that answers !time), lets them talk, prints the conversation as alice saw it, then stops
    everything. Run it with: dotnet pwsh ./build.ps1 Demo
#>
[CmdletBinding()]
param(
    # The built module folder (build.ps1 passes ./PSChat).
    [string] $ModulePath = (Join-Path $PSScriptRoot '../PSChat')
)

$ErrorActionPreference = 'Stop'
Import-Module $ModulePath -Force
$modulePath = (Get-Module PSChat).Path

$server = Start-ChatServer -Port 0 -Name DemoServer
Write-Host "PSChat demo: server '$($server.Name)' on $($server.EndPoint), default room $($server.Rooms -join ', ')"

# The bot: its own session, read and answered in a thread job, as bots are built.
$botSession = Connect-ChatRoom -Port $server.Port -Name timebot -Protocol Text
$bot = Start-ThreadJob -Name timebot -ArgumentList $botSession, $modulePath -ScriptBlock {
    param($Session, $ModulePath)
    Import-Module $ModulePath
    Receive-ChatMessage -Session $Session -Wait | ForEach-Object {
        $message = $_
        switch -Regex ($message.Text) {
            '^!time$' { Send-ChatMessage -Session $Session -Text ('It is {0:HH:mm:ss} here.' -f (Get-Date)) }
            '^hello' { Send-ChatMessage -Session $Session -Text "Hi $($message.Sender)! Say !time and I will tell you the time." }
        }
    }
}

$alice = Connect-ChatRoom -Port $server.Port -Name alice -Protocol Text
$transcript = [System.Collections.Generic.List[object]]::new()

function Say([string] $Text) {
    $transcript.Add((Send-ChatMessage -Session $alice -Text $Text -PassThru))
    $reply = Receive-ChatMessage -Session $alice -Count 1 -Timeout 10
    if (-not $reply) { throw "No answer to '$Text'." }
    $transcript.Add($reply)
}

# Both clients are in the room once the server counts them.
$deadline = [DateTime]::UtcNow.AddSeconds(10)
while ($server.ClientCount -lt 2 -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 20 }

Say 'hello, is anyone here?'
Say '!time'
$transcript.Add((Send-ChatMessage -Session $alice -Text 'Thanks, bye!' -PassThru))

Write-Host ''
Write-Host "Transcript of $($alice.Name)'s session ($($alice.Protocol) protocol):"
foreach ($line in $transcript) {
    Write-Host ('  [{0:HH:mm:ss}] {1}: {2}' -f $line.Time, $line.Sender, $line.Text)
}
Write-Host ''

Disconnect-ChatRoom -Session $alice
Stop-Job $bot
Remove-Job $bot -Force
Disconnect-ChatRoom -Session $botSession
Stop-ChatServer -InputObject $server
Write-Host "Server stopped; $((Get-ChatSession).Count) sessions and $((Get-ChatServer).Count) servers left."
