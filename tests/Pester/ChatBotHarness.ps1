# A bot under test, for Pester: a PSChat server on a free loopback port, the bot on its own session,
# people's sessions, and Invoke-BotLine, which says a line as a person and returns the lines the bot
# answered. Bot authors: copy this file next to your tests and dot-source it (README, "Chat bots").
#
#   BeforeAll { . $PSScriptRoot/ChatBotHarness.ps1; $h = New-BotHarness -Command Get-Greeting }
#   (other Start-ChatBot parameters: New-BotHarness -Command x -BotParameters @{ TimeoutSec = 5 })
#   AfterAll { Remove-BotHarness $h }
#   It 'greets' { Invoke-BotLine $h '!Get-Greeting -Name Ann' | Should -Be 'Hello, Ann' }
#   It 'answers scripts with objects' {
#       (Invoke-ChatRequest -Session $h.Tester -To $h.BotSession.Name -Text '!Get-Greeting Ann' -AsObject) |
#           Should -Be 'Hello, Ann'
#   }
#
# No sleeps: a request is answered when the bot raises its last activity for it (the reply is sent
# before that), and the person reads up to a marker the bot's session sends after the reply.

function New-BotHarness {
    # Starts a server, the bot (-Command, and any other Start-ChatBot parameters in -BotParameters) and a
    # person 'tester'. For a bot a script starts (an example), pass its -Server and -Bot instead.
    [CmdletBinding()]
    param([object[]] $Command, [hashtable] $BotParameters = @{}, $Server, $Bot)
    if (-not $Server) { $Server = Start-ChatServer -Port 0 -FloodControl:$false } # tests talk faster than people
    if (-not $Bot) {
        $botSession = Connect-ChatRoom -Port $Server.Port -Name testbot -Protocol Irc -NoThrottle
        if ($Command) { $BotParameters.Command = $Command }
        if (-not $BotParameters.ContainsKey('CommandsPerMinute')) { $BotParameters.CommandsPerMinute = 0 }
        $Bot = Start-ChatBot -Session $botSession @BotParameters
    }
    $harness = [pscustomobject]@{
        Server     = $Server
        Bot        = $Bot
        BotSession = $Bot.Session
        Tester     = $null
        Testers    = [System.Collections.Generic.List[object]]::new()
        Source     = "PSChatBot$($Bot.Id)"
        Activities = [System.Collections.Generic.List[object]]::new()
        Markers    = 0
    }
    $null = Register-ObjectEvent -InputObject $Bot -EventName Activity -SourceIdentifier $harness.Source
    $harness.Tester = Add-BotTester $harness -Name tester
    $harness
}

function Add-BotTester {
    # Another person in the bot's room (for permissions and four-eyes confirmation).
    param([Parameter(Mandatory)] $Harness, [Parameter(Mandatory)][string] $Name)
    $session = Connect-ChatRoom -Port $Harness.Server.Port -Name $Name -Protocol Irc -NoThrottle
    # Joined once the bot's marker arrives: from then on the person hears the bot.
    $null = Read-BotReply $Harness -From $session
    $Harness.Testers.Add($session)
    $session
}

function Invoke-BotLine {
    # Says Line as a person (-From; default the harness's tester) and returns the bot's reply lines.
    param([Parameter(Mandatory, Position = 0)] $Harness, [Parameter(Mandatory, Position = 1)][string] $Line, $From, [switch] $Private)
    if (-not $From) { $From = $Harness.Tester }
    # What came before this line is not its answer, for anyone.
    foreach ($person in $Harness.Testers) { $null = Read-BotReply $Harness -From $person }
    $seen = $Harness.Activities.Count
    if ($Private) { Send-ChatMessage -Session $From -To $Harness.BotSession.Name -Text $Line }
    else { Send-ChatMessage -Session $From -Text $Line }
    $received = Wait-BotActivity $Harness -Because "the bot to hear '$Line'" -Condition {
        $_.Kind -eq 'Received' -and $_.Line -eq $Line -and $_.Sender -eq $From.Name
    } -Skip $seen
    Wait-BotReply $Harness -Request $received.Request -From $From
}

function Wait-BotReply {
    # The bot's reply lines to request Request (its id in the activities), once the bot has answered it
    # (-Kind: the activities that end it; a confirmed request's answer is Finished, Failed or TimedOut).
    param(
        [Parameter(Mandatory)] $Harness,
        [Parameter(Mandatory)][int] $Request,
        $From,
        [string[]] $Kind = @('Finished', 'Denied', 'Failed', 'TimedOut', 'Confirming')
    )
    if (-not $From) { $From = $Harness.Tester }
    $null = Wait-BotActivity $Harness -Because "the bot to answer request $Request" -Condition {
        $_.Request -eq $Request -and $_.Kind -in $Kind
    }
    Read-BotReply $Harness -From $From
}

function Read-BotReply {
    # What the bot said to From since the last read, up to a marker the bot's session sends now.
    param([Parameter(Mandatory)] $Harness, [Parameter(Mandatory)] $From)
    $Harness.Markers++
    $marker = "-- marker $($Harness.Markers) --"
    Send-ChatMessage -Session $Harness.BotSession -Text $marker
    while ($true) {
        $message = Receive-ChatMessage -Session $From -Kind Message, Private -Count 1 -Timeout 20 -ErrorAction Stop
        if ($message.Sender -ne $Harness.BotSession.Name) { continue }
        if ($message.Text -eq $marker) { return }
        if ($message.Text -notmatch '^-- marker \d+ --$') { $message.Text }
    }
}

function Wait-BotActivity {
    # The first of the bot's activities (from the Skip-th on) that Condition ($_) accepts.
    param([Parameter(Mandatory)] $Harness, [Parameter(Mandatory)][scriptblock] $Condition, [string] $Because, [int] $Skip = 0, [int] $TimeoutSec = 30)
    $deadline = [datetime]::UtcNow.AddSeconds($TimeoutSec)
    while ($true) {
        foreach ($queued in @(Get-Event -SourceIdentifier $Harness.Source -ErrorAction Ignore)) {
            $Harness.Activities.Add($queued.SourceEventArgs)
            Remove-Event -EventIdentifier $queued.EventIdentifier
        }
        $found = $Harness.Activities | Select-Object -Skip $Skip | Where-Object $Condition | Select-Object -First 1
        if ($found) { return $found }
        $left = [int][Math]::Ceiling(($deadline - [datetime]::UtcNow).TotalSeconds)
        if ($left -le 0) { throw "Timed out waiting for $Because." }
        $null = Wait-Event -SourceIdentifier $Harness.Source -Timeout $left
    }
}

function Remove-BotHarness {
    param([Parameter(Mandatory)] $Harness)
    Unregister-Event -SourceIdentifier $Harness.Source -ErrorAction Ignore
    Get-Event -SourceIdentifier $Harness.Source -ErrorAction Ignore | Remove-Event
    $Harness.Bot | Stop-ChatBot -Confirm:$false
    Get-ChatSession | Disconnect-ChatRoom -Confirm:$false
    $Harness.Server | Stop-ChatServer -Confirm:$false
}
