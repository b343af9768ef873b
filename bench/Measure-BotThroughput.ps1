<#
.SYNOPSIS
    Bot figure: commands answered per second by Start-ChatBot with a trivial command, against an
    in-process server (IRC, no flood control, unpaced sessions). Prints a Markdown table row.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)][string] $ModulePath,
    [ValidateRange(1, 1000000)][int] $Count = 2000
)

$ErrorActionPreference = 'Stop'
Import-Module $ModulePath -Force

$server = Start-ChatServer -Port 0 -FloodControl:$false
try {
    $botSession = Connect-ChatRoom -Port $server.Port -Name benchbot -Protocol Irc -NoThrottle
    $bot = Start-ChatBot -Session $botSession -Command @{ ping = { 'pong' } } -CommandsPerMinute 0
    $person = Connect-ChatRoom -Port $server.Port -Name caller -Protocol Irc -NoThrottle -BufferCapacity ($Count + 100)
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

    '| Bot figure | PSChat | target |'
    '|---|---|---|'
    '| Commands answered per second (trivial command, ThrottleLimit {0}) | {1} | 200 |' -f $bot.ThrottleLimit, $rate.ToString('0', [cultureinfo]::InvariantCulture)
}
finally {
    Get-ChatBot | Stop-ChatBot -Confirm:$false
    Get-ChatSession | Disconnect-ChatRoom -Confirm:$false
    Stop-ChatServer -InputObject $server -Confirm:$false
}
