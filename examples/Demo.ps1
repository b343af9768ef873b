<#
.SYNOPSIS
    The main job on the embedded default: a chat server, a person and a bot, and the transcript.
.DESCRIPTION
    Starts a chat server on a free loopback port, connects "alice" and "timebot" (Start-ChatBot
    serving !time), lets them talk, prints the conversation as alice saw it, then stops everything.
    Run it with: dotnet pwsh ./build.ps1 Demo
#>
[CmdletBinding()]
param(
    # The built module folder (build.ps1 passes ./PSChat).
    [string] $ModulePath = (Join-Path $PSScriptRoot '../PSChat')
)

$ErrorActionPreference = 'Stop'
Import-Module $ModulePath -Force

$server = Start-ChatServer -Port 0 -Name DemoServer
Write-Host "PSChat demo: server '$($server.Name)' on $($server.EndPoint), default room $($server.Rooms -join ', ')"

# The bot: its own session, and one line that serves !time (and !help) from a runspace of its own.
$botSession = Connect-ChatRoom -Port $server.Port -Name timebot -Protocol Text
$bot = Start-ChatBot -Session $botSession -Command @{ time = { 'It is {0:HH:mm:ss} here.' -f (Get-Date) } }

$alice = Connect-ChatRoom -Port $server.Port -Name alice -Protocol Text
$transcript = [System.Collections.Generic.List[object]]::new()

function Say([string] $Text, [int] $Replies = 1) {
    $transcript.Add((Send-ChatMessage -Session $alice -Text $Text -PassThru))
    $answer = @(Receive-ChatMessage -Session $alice -Count $Replies -Timeout 10)
    if ($answer.Count -lt $Replies) { throw "No answer to '$Text'." }
    $transcript.AddRange($answer)
}

# Both clients are in the room once the server counts them.
$deadline = [DateTime]::UtcNow.AddSeconds(10)
while ($server.ClientCount -lt 2 -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 20 }

Say '!help' -Replies 2
Say '!time'
$transcript.Add((Send-ChatMessage -Session $alice -Text 'Thanks, bye!' -PassThru))

Write-Host ''
Write-Host "Transcript of $($alice.Name)'s session ($($alice.Protocol) protocol):"
foreach ($line in $transcript) {
    Write-Host ('  [{0:HH:mm:ss}] {1}: {2}' -f $line.Time, $line.Sender, $line.Text)
}
Write-Host ''

Disconnect-ChatRoom -Session $alice
Stop-ChatBot -InputObject $bot
Disconnect-ChatRoom -Session $botSession
Stop-ChatServer -InputObject $server
Write-Host "Server stopped; $((Get-ChatSession).Count) sessions and $((Get-ChatServer).Count) servers left."
