# Start-ChatBot against a hostile user: slow commands meant to hold every runspace, floods of command
# lines, huge argument lists and deep nesting. Each is answered politely (or dropped in silence once
# the user was told), and the bot keeps answering others: a marker command from another person is
# answered while the abuse goes on.

BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    . $PSScriptRoot/ChatBotHarness.ps1

    function Wait-SenderActivity {
        # Waits until the bot has raised Count activities of Kind for Sender.
        param([Parameter(Mandatory)] $Harness, [Parameter(Mandatory)][string] $Sender, [Parameter(Mandatory)][string] $Kind, [Parameter(Mandatory)][int] $Count)
        $null = Wait-BotActivity $Harness -Because "$Count $Kind activities for $Sender" -Condition {
            @($Harness.Activities | Where-Object { $_.Sender -eq $Sender -and $_.Kind -eq $Kind }).Count -ge $Count
        }
    }
}

Describe 'Start-ChatBot when one user holds the runspaces with slow commands' -Tag 'E2E', 'Abuse' {
    BeforeAll {
        $gate = Join-Path $TestDrive 'gate'
        $h = New-BotHarness -Command @{
            slow = { param([string] $Gate) while (-not (Test-Path $Gate)) { Start-Sleep -Milliseconds 20 }; 'slow done' }
            ping = { 'pong' }
        } -BotParameters @{ ThrottleLimit = 4; TimeoutSec = 300; CommandsPerMinute = 1000 }
        $eve = Add-BotTester $h -Name eve
    }

    AfterAll {
        Set-Content -Path $gate -Value open
        Remove-BotHarness $h
    }

    It 'runs two of her commands at once, tells her once, and answers others meanwhile' {
        1..6 | ForEach-Object { "!slow '$gate'" } | Send-ChatMessage -Session $eve
        Wait-SenderActivity $h -Sender eve -Kind Started -Count 2
        Wait-SenderActivity $h -Sender eve -Kind Denied -Count 4
        Read-BotReply $h -From $eve | Should -Be 'eve, you have 2 commands running; say it again when one has finished.'
        @($h.Activities | Where-Object { $_.Sender -eq 'eve' -and $_.Kind -eq 'Denied' }).Reason |
            Should -Be (@('at most 2 commands at once per sender') * 4)
        # Another person is answered while eve's commands still run (the gate is shut).
        Invoke-BotLine $h '!ping' -Private | Should -Be 'pong'
        $h.Bot.Running | Should -Be 2

        Set-Content -Path $gate -Value open
        Wait-SenderActivity $h -Sender eve -Kind Finished -Count 2
        Read-BotReply $h -From $eve | Should -Be 'slow done', 'slow done'
        # Her turn is back once hers have ended.
        Invoke-BotLine $h '!ping' -From $eve -Private | Should -Be 'pong'
    }
}

Describe 'Start-ChatBot when one user floods it with hostile command lines' -Tag 'E2E', 'Abuse' {
    BeforeAll {
        $h = New-BotHarness -Command @{
            count = { param([Parameter(ValueFromRemainingArguments)][string[]] $Items) "$(@($Items).Count) items" }
            ping  = { 'pong' }
        } -BotParameters @{ CommandsPerMinute = 8; ThrottleLimit = 8 }
        $eve = Add-BotTester $h -Name eve
    }

    AfterAll { Remove-BotHarness $h }

    It 'answers each hostile line politely, then slows her down, and answers others after' {
        $hostile = @(
            '!count ' + ((1..100) -join ',')                                 # a long argument list
            '!count ' + ((1..60) -join ' ')                                  # many positional arguments
            '!count ' + ('(' * 120) + '1' + (')' * 120)                      # deep nesting
            '!count ' + ('@{a=' * 60) + '1' + ('}' * 60)                     # deep hashtables
            "!count '" + ("a''" * 80) + "'"                                  # quotes within quotes
            '!count "' + ('$("' * 40) + 'x' + ('")' * 40) + '"'             # strings within subexpressions
            '!count "unterminated'                                           # a string without its end
            '!count ' + ('[' * 100) + 'int' + (']' * 100) + '1'              # brackets: a bare word
        )
        $flood = 1..92 | ForEach-Object { '!ping' }
        @($hostile) + @($flood) | Send-ChatMessage -Session $eve
        # Answered: the four commands that ran, the four lines refused and "slow down"; the rest dropped.
        Wait-SenderActivity $h -Sender eve -Kind Finished -Count 4
        Wait-SenderActivity $h -Sender eve -Kind Denied -Count 96
        $answers = @(Read-BotReply $h -From $eve)
        # The marker: another person's command is answered after the flood.
        Invoke-BotLine $h '!ping' -Private | Should -Be 'pong'

        $answers | Where-Object { $_ -like 'I cannot run that: *' } | Should -HaveCount 4
        $answers | Should -Contain 'I cannot run that: The string is missing the terminator: ".'
        $answers | Should -Contain '100 items'
        $answers | Should -Contain '60 items'
        $answers | Where-Object { $_ -eq '1 items' } | Should -HaveCount 2
        $answers | Should -Contain 'eve, slow down: at most 8 commands a minute; I will listen again in a minute.'
        $answers | Should -HaveCount 9
        @($h.Activities | Where-Object { $_.Sender -eq 'eve' -and $_.Reason -eq 'throttled' }).Count | Should -Be 92
        $h.Bot.LinesDropped | Should -Be 0
    }
}
