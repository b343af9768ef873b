<#
.SYNOPSIS
    Bot figures (issue 15), against an in-process server (IRC, no flood control, unpaced sessions):
    commands answered per second by Start-ChatBot with a trivial command, and the latency a bot
    adds to an Invoke-ChatRequest round trip over a hand-written responder (p50 of each, alternated
    so both see the same load). Prints Markdown table rows.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)][string] $ModulePath,
    [ValidateRange(1, 1000000)][int] $Count = 2000,
    [ValidateRange(1, 100000)][int] $Requests = 500
)

$ErrorActionPreference = 'Stop'
Import-Module $ModulePath -Force

function Get-Median([double[]] $Values) {
    $sorted = [double[]]($Values | Sort-Object)
    $sorted[[int][Math]::Floor(($sorted.Count - 1) / 2)]
}

$server = Start-ChatServer -Port 0 -FloodControl:$false
$job = $null
try {
    $connect = @{ Port = $server.Port; Protocol = 'Irc'; NoThrottle = $true }
    $botSession = Connect-ChatRoom @connect -Name benchbot
    $bot = Start-ChatBot -Session $botSession -Command @{ ping = { 'pong' } } -CommandsPerMinute 0
    $person = Connect-ChatRoom @connect -Name caller -BufferCapacity ($Count + 100)
    # The person hears the bot once the bot's first answer arrives (both have joined #lobby).
    Send-ChatMessage -Session $person -Text '!ping'
    $null = Receive-ChatMessage -Session $person -Kind Message -Count 1 -Timeout 30

    $clock = [System.Diagnostics.Stopwatch]::StartNew()
    # In windows of 16 outstanding commands: more at once would meet the bot's own limits ("busy").
    $answers = 0
    for ($sent = 0; $sent -lt $Count; $sent += $window) {
        $window = [Math]::Min(16, $Count - $sent)
        1..$window | ForEach-Object { '!ping' } | Send-ChatMessage -Session $person
        $answers += @(Receive-ChatMessage -Session $person -Kind Message -Count $window -Timeout 60 | Where-Object Text -EQ 'pong').Count
    }
    $rate = $answers / $clock.Elapsed.TotalSeconds
    if ($answers -lt $Count -or $bot.LinesDropped -gt 0) { Write-Warning "$answers of $Count answered; $($bot.LinesDropped) lines dropped by the bot's queue." }

    # Round trips: the same request to the bot and to a responder that answers every request at once.
    $responder = Connect-ChatRoom @connect -Name responder
    $job = Start-ThreadJob -ArgumentList $responder -ScriptBlock {
        param($session)
        Receive-ChatMessage -Session $session -Wait | Where-Object RequestId | ForEach-Object { $_.Reply('pong') }
    }
    foreach ($to in 'responder', 'benchbot') { $null = Invoke-ChatRequest -Session $person -To $to -Text '!ping' -Timeout 30 -ErrorAction Stop }
    $direct = [System.Collections.Generic.List[double]]::new($Requests)
    $viaBot = [System.Collections.Generic.List[double]]::new($Requests)
    for ($i = 0; $i -lt $Requests; $i++) {
        foreach ($to in 'responder', 'benchbot') {
            $clock.Restart()
            $reply = Invoke-ChatRequest -Session $person -To $to -Text '!ping' -Timeout 30 -ErrorAction Stop
            $elapsed = $clock.Elapsed.TotalMilliseconds
            if ($reply.Text -ne 'pong') { throw "$to answered '$($reply.Text)' instead of pong." }
            if ($to -eq 'responder') { $direct.Add($elapsed) } else { $viaBot.Add($elapsed) }
        }
    }
    $directP50 = Get-Median $direct
    $botP50 = Get-Median $viaBot
    $culture = [cultureinfo]::InvariantCulture

    '| Bot figure | PSChat | target |'
    '|---|---|---|'
    '| Commands answered per second (trivial command, ThrottleLimit {0}, {1} commands) | {2} | 200 |' -f $bot.ThrottleLimit, $Count, $rate.ToString('0', $culture)
    '| Added p50 latency of a bot round trip over a direct `Invoke-ChatRequest` ({0} each; p50 {1} ms via the bot, {2} ms direct): ms | {3} | < 20 |' -f $Requests, $botP50.ToString('0.0', $culture), $directP50.ToString('0.0', $culture), ($botP50 - $directP50).ToString('0.0', $culture)
}
finally {
    if ($job) { $job | Stop-Job; $job | Remove-Job -Force }
    Get-ChatBot | Stop-ChatBot -Confirm:$false
    Get-ChatSession | Disconnect-ChatRoom -Confirm:$false
    Stop-ChatServer -InputObject $server -Confirm:$false
}
