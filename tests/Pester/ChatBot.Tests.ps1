# Start-ChatBot against a PSChat server, through the harness bot authors copy (ChatBotHarness.ps1).

BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    . $PSScriptRoot/ChatBotHarness.ps1

    function Deploy {
        <#
        .SYNOPSIS
        Deploys a version to an environment.
        .PARAMETER Env
        Where it goes.
        #>
        [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'High')]
        param(
            [Parameter(Mandatory)][ValidateSet('prod', 'test')][string] $Env,
            [ValidateRange(1, 99)][int] $Version = 1,
            [switch] $Force
        )
        if ($PSCmdlet.ShouldProcess($Env, "Deploy version $Version")) { "deployed $Version to $Env (force: $Force)" }
    }

    function Show-Args {
        # Each bound value as 'name=value|type', so a test sees what the binder made of the chat line.
        [CmdletBinding(DefaultParameterSetName = 'Text')]
        param([string] $Text, [int] $Count, [string[]] $List, [switch] $Loud, [Parameter(Mandatory, ParameterSetName = 'Id')][int] $Id)
        foreach ($key in $PSBoundParameters.Keys | Sort-Object) {
            $value = $PSBoundParameters[$key]
            '{0}={1}|{2}' -f $key, ($value -join ','), $value.GetType().Name
        }
    }
}

Describe 'Start-ChatBot binds chat lines with PowerShell''s binder' -Tag 'E2E' {
    BeforeAll {
        $canary = Join-Path $TestDrive 'canary.txt'
        Set-Content -Path $canary -Value 'alive'
        $h = New-BotHarness -Command Show-Args, @{ echo = { param([Parameter(ValueFromRemainingArguments)] $Words) "$Words" } }
    }

    AfterAll { Remove-BotHarness $h }

    It 'binds named, positional, quoted, switch and array arguments, converting types' {
        Invoke-BotLine $h "!Show-Args -Text 'two words' -Count 12 -List a,`"b c`" -Loud" |
            Should -Be 'Count=12|Int32', 'List=a,b c|String[]', 'Loud=True|SwitchParameter', 'Text=two words|String'
        Invoke-BotLine $h '!show-args -Te:hello -Lis x -Cou 007' | Should -Be 'Count=7|Int32', 'List=x|String[]', 'Text=hello|String'
    }

    It 'answers a conversion error with one line and the usage' {
        $reply = Invoke-BotLine $h '!Show-Args -Count many'
        $reply.Count | Should -Be 1
        $reply | Should -BeLike "*Cannot process argument transformation on parameter 'Count'*Usage: !Show-Args*"
    }

    It 'never prompts for a missing mandatory parameter: it says which one is missing' {
        $reply = Invoke-BotLine $h '!Show-Args -Text x -Count 1 -Id'
        $reply | Should -BeLike '-Id needs a value. Usage: !Show-Args*'
        $reply = Invoke-BotLine $h '!echo'
        $reply | Should -Be 'echo: done (no output).'
    }

    It 'keeps chat text inert: <Line>' -ForEach @(
        @{ Line = '!echo $(Remove-Item CANARY)'; Shown = '$(Remove-Item CANARY)' }
        @{ Line = '!echo ${env:HOME}'; Shown = '${env:HOME}' }
        @{ Line = '!echo $env:HOME'; Shown = '$env:HOME' }
        @{ Line = '!echo @(Remove-Item CANARY)'; Shown = '@(Remove-Item CANARY)' }
        @{ Line = '!echo {Remove-Item CANARY}'; Shown = '{Remove-Item CANARY}' }
        @{ Line = '!echo "x$(Remove-Item CANARY)"'; Shown = '"x$(Remove-Item CANARY)"' }
        @{ Line = '!echo a,$(Remove-Item CANARY)'; Shown = '$(Remove-Item CANARY)' }
        @{ Line = '!echo @splat'; Shown = '@splat' }
        @{ Line = '!Show-Args -Text:$(Remove-Item CANARY)'; Shown = '$(Remove-Item CANARY)' }
        @{ Line = '!echo ([IO.File]::Delete("CANARY"))'; Shown = '([IO.File]::Delete("CANARY"))' }
    ) {
        $reply = Invoke-BotLine $h $Line.Replace('CANARY', $canary)
        $reply | Should -Be "I cannot run that: '$($Shown.Replace('CANARY', $canary))' is not a literal value and is not run; put it in single quotes to send it as text."
        Get-Content $canary | Should -Be 'alive'
    }

    It 'refuses pipelines, statements, redirection and the call operator: <Line>' -ForEach @(
        @{ Line = '!echo a | Remove-Item CANARY'; Reason = "one command per line, with no pipes, ';' or script." }
        @{ Line = '!echo a; Remove-Item CANARY'; Reason = "one command per line, with no pipes, ';' or script." }
        @{ Line = '!echo a > CANARY'; Reason = "a plain command name and its arguments only (no '&', '.', or redirection)." }
        @{ Line = '!& Remove-Item CANARY'; Reason = "a plain command name and its arguments only (no '&', '.', or redirection)." }
    ) {
        Invoke-BotLine $h $Line.Replace('CANARY', $canary) | Should -Be "I cannot run that: $Reason"
        Get-Content $canary | Should -Be 'alive'
    }

    It 'passes single-quoted text through as text' {
        Invoke-BotLine $h "!echo '`$(Remove-Item $canary)'" | Should -Be "`$(Remove-Item $canary)"
        Get-Content $canary | Should -Be 'alive'
    }

    It 'refuses common parameters from chat: <Name>' -ForEach @(
        @{ Name = '-OutVariable:x' }, @{ Name = '-ErrorAction:Stop' }, @{ Name = '-ov:x' }, @{ Name = '-Confirm:$false' }
    ) {
        $typed = ($Name -split ':')[0]
        Invoke-BotLine $h "!Show-Args -Text a $Name" | Should -BeLike "$typed is not available from chat. Usage: !Show-Args*"
    }

    It 'answers an unknown command with where to look' {
        Invoke-BotLine $h '!Remove-Item x' | Should -Be "There is no command 'Remove-Item'; say !help for the list."
    }
}

Describe 'Start-ChatBot help, output and errors' -Tag 'E2E' {
    BeforeAll {
        $h = New-BotHarness -Command Deploy, @{
            lines  = { param([int] $Count) 1..$Count | ForEach-Object { "line $_" } }
            table  = { [pscustomobject]@{ Name = 'disk'; Free = 42 } }
            broken = { Write-Warning 'careful'; Write-Error 'first bad'; 'some output'; throw 'it broke' }
            noisy  = { Write-Host 'from host'; Write-Error "one`ntwo"; 'done' }
        } -BotParameters @{ MaxReplyLines = 5; Width = 60 }
    }

    AfterAll { Remove-BotHarness $h }

    It '!help lists every command with its synopsis' {
        Invoke-BotLine $h '!help' | Should -Be @(
            'Commands (!help <command> for its parameters):'
            '!broken'
            '!Deploy - Deploys a version to an environment.'
            '!lines'
            '!noisy'
            '(1 more lines: say !more)'
        )
        Invoke-BotLine $h '!more' | Should -Be '!table'
    }

    It '!help <command> shows syntax and parameters from comment-based help' {
        $h.Bot.Commands | Where-Object Name -eq Deploy | ForEach-Object RequiresConfirmation | Should -BeTrue
        $reply = @(Invoke-BotLine $h '!help deploy') + @(Invoke-BotLine $h '!more')
        $reply | Should -Be @(
            'Deploys a version to an environment.'
            'Usage: !Deploy [-Env] <string> [[-Version] <int>] [-Force]'
            '-Env <String> (required; one of prod, test): Where it goes.'
            '-Force <switch>'
            '-Version <Int32> (1 to 99)'
            '(1 more lines: say !more)'
            'It asks for !confirm before it runs.'
        )
    }

    It 'caps long output and keeps the rest for !more' {
        Invoke-BotLine $h '!lines 12' | Should -Be 'line 1', 'line 2', 'line 3', 'line 4', 'line 5', '(7 more lines: say !more)'
        Invoke-BotLine $h '!more' | Should -Be 'line 6', 'line 7', 'line 8', 'line 9', 'line 10', '(2 more lines: say !more)'
        Invoke-BotLine $h '!more' | Should -Be 'line 11', 'line 12'
        Invoke-BotLine $h '!more' | Should -Be 'There is nothing more.'
    }

    It 'formats objects with Out-String at the bot''s width' {
        Invoke-BotLine $h '!table' | Should -Be 'Name Free', '---- ----', 'disk   42'
    }

    It 'replies output, then warnings, then one line per error, and logs the failure' {
        Invoke-BotLine $h '!broken' | Should -Be 'some output', 'warning: careful', 'error: first bad', 'error: it broke'
        $failed = $h.Activities | Where-Object { $_.Kind -eq 'Failed' -and $_.Command -eq 'broken' }
        $failed.Reason | Should -Be 'it broke'
        $failed.Duration | Should -BeOfType [timespan]
        Invoke-BotLine $h '!noisy' | Should -Be 'done', 'from host', 'error: one'
    }
}

Describe 'Start-ChatBot permissions and confirmation' -Tag 'E2E' {
    BeforeAll {
        $h = New-BotHarness -Command Deploy, @{ status = { 'all green' }; restart = { 'restarted' } } -BotParameters @{
            Permission = @{
                Deploy = @{ Nick = 'tester', 'bob'; ConfirmBy = 'Other' }
                'rest*' = @{ Nick = 'bob'; Room = '#ops' }
            }
        }
        $bob = Add-BotTester $h -Name bob
        $eve = Add-BotTester $h -Name eve
    }

    AfterAll { Remove-BotHarness $h }

    It 'denies politely, logs the denial, and hides the command from !help' {
        Invoke-BotLine $h '!Deploy prod' -From $eve | Should -Be 'Sorry eve, you may not run Deploy: not for your nick.'
        $denied = $h.Activities | Where-Object { $_.Kind -eq 'Denied' -and $_.Sender -eq 'eve' } | Select-Object -Last 1
        $denied.Reason | Should -Be 'Sorry eve, you may not run Deploy: not for your nick.'
        Invoke-BotLine $h '!help' -From $eve | Should -Be 'Commands (!help <command> for its parameters):', '!status'
    }

    It 'runs a command only in its rooms' {
        Invoke-BotLine $h '!restart' -From $bob | Should -Be 'Sorry bob, you may not run restart: not in this room.'
        Invoke-BotLine $h '!restart' -From $bob -Private | Should -Be 'Sorry bob, you may not run restart: not in this room.'
        Invoke-BotLine $h '!status' -From $eve -Private | Should -Be 'all green'
    }

    It 'asks for !confirm from someone else before a ConfirmImpact High command runs' {
        $ask = Invoke-BotLine $h '!Deploy prod -Version 3'
        $request = ($h.Activities | Where-Object Kind -eq 'Confirming' | Select-Object -Last 1).Request
        $ask | Should -Be "!Deploy prod -Version 3 needs confirmation: someone else allowed to run it must say !confirm $request within 120 s."
        $h.Activities | Where-Object { $_.Request -eq $request -and $_.Kind -eq 'Started' } | Should -BeNullOrEmpty

        Invoke-BotLine $h "!confirm $request" | Should -Be "Someone other than tester must confirm request $request."
        Invoke-BotLine $h "!confirm $request" -From $eve | Should -Be 'Sorry eve, you may not confirm Deploy: not for your nick.'
        Invoke-BotLine $h "!confirm $request" -From $bob | Should -Be "Confirmed by bob: running request $request."
        # The caller hears the confirmation and the result.
        Wait-BotReply $h -Request $request -Kind Finished, Failed | Should -Be "Confirmed by bob: running request $request.", 'deployed 3 to prod (force: False)'
        ($h.Activities | Where-Object { $_.Request -eq $request -and $_.Kind -eq 'Finished' }).Reason | Should -Be 'confirmed by bob'
        Invoke-BotLine $h "!confirm $request" -From $bob | Should -Be "Nothing is waiting for !confirm $request."
    }
}

Describe 'Start-ChatBot execution: timeouts, a slow command, throttling' -Tag 'E2E' {
    BeforeAll {
        $gate = Join-Path $TestDrive 'gate'
        $h = New-BotHarness -Command @{
            wait  = { param([string] $Gate) while (-not (Test-Path $Gate)) { Start-Sleep -Milliseconds 20 }; 'gate open' }
            hang  = { while ($true) { Start-Sleep -Milliseconds 20 } }
            ping  = { 'pong' }
            where = { $Where }
        } -BotParameters @{ TimeoutSec = 2; InitializationScript = { $Where = 'initialised' } }
    }

    AfterAll { Remove-BotHarness $h }

    It 'stops a command after -TimeoutSec and says so' {
        Invoke-BotLine $h '!hang' | Should -Be 'hang did not finish within 2 s and was stopped.'
        ($h.Activities | Where-Object Kind -eq 'TimedOut').Command | Should -Be 'hang'
    }

    It 'answers others while a slow command runs' {
        Send-ChatMessage -Session $h.Tester -Text "!wait '$gate'"
        $slow = Wait-BotActivity $h -Because 'the slow command to start' -Condition { $_.Kind -eq 'Started' -and $_.Command -eq 'wait' }
        Invoke-BotLine $h '!ping' | Should -Be 'pong'
        $h.Bot.Running | Should -Be 1
        Set-Content -Path $gate -Value open
        Wait-BotReply $h -Request $slow.Request | Should -Be 'gate open'
    }

    It 'runs -InitializationScript in the bot''s runspaces' {
        Invoke-BotLine $h '!where' | Should -Be 'initialised'
    }
}

Describe 'Start-ChatBot -CommandsPerMinute' -Tag 'E2E' {
    BeforeAll { $h = New-BotHarness -Command @{ ping = { 'pong' } } -BotParameters @{ CommandsPerMinute = 2 } }
    AfterAll { Remove-BotHarness $h }

    It 'tells a sender once to slow down, then drops their lines' {
        Invoke-BotLine $h '!ping' | Should -Be 'pong'
        Invoke-BotLine $h '!help' | Should -Be 'Commands (!help <command> for its parameters):', '!ping'
        Invoke-BotLine $h '!ping' | Should -Be 'tester, slow down: at most 2 commands a minute; I will listen again in a minute.'
        Invoke-BotLine $h '!ping' | Should -BeNullOrEmpty
        @($h.Activities | Where-Object { $_.Kind -eq 'Denied' -and $_.Reason -eq 'throttled' }).Count | Should -Be 2
    }
}

Describe 'Get-ChatBot, Stop-ChatBot and -Wait' -Tag 'E2E' {
    BeforeEach {
        $server = Start-ChatServer -Port 0
        $botSession = Connect-ChatRoom -Port $server.Port -Name bot -Protocol Irc -NoThrottle
    }

    AfterEach {
        Get-ChatBot | Stop-ChatBot -Confirm:$false
        Get-ChatSession | Disconnect-ChatRoom -Confirm:$false
        $server | Stop-ChatServer -Confirm:$false
    }

    It 'lists running bots and stops them, leaving the session open' {
        $bot = Start-ChatBot -Session $botSession -Command @{ ping = { 'pong' } }
        Get-ChatBot | Should -Be $bot
        Get-ChatBot -Id $bot.Id | Should -Be $bot
        Stop-ChatBot -InputObject $bot -WhatIf
        $bot.State | Should -Be 'Running'
        Stop-ChatBot -Id $bot.Id -Confirm:$false -PassThru | Should -Be $bot
        $bot.State | Should -Be 'Stopped'
        $bot.Completion.Wait(5000) | Should -BeTrue
        Get-ChatBot | Should -BeNullOrEmpty
        $botSession.State | Should -Be 'Connected'
        { Get-ChatBot -Id 999 -ErrorAction Stop } | Should -Throw -ErrorId 'ChatBotNotFound,PSChat.Commands.GetChatBotCommand'
    }

    It 'refuses a command it cannot serve, naming it' {
        { Start-ChatBot -Session $botSession -Command No-SuchCommand } |
            Should -Throw -ErrorId 'ChatBotCommandInvalid,PSChat.Commands.StartChatBotCommand' -ExpectedMessage "*'No-SuchCommand'*"
        { Start-ChatBot -Session $botSession -Command @{ x = { 1 } } -Permission @{ x = @{ Nick = 'a'; Colour = 'red' } } } |
            Should -Throw -ErrorId 'ChatBotPermissionInvalid,PSChat.Commands.StartChatBotCommand'
    }

    It 'stops with its session' {
        $bot = Start-ChatBot -Session $botSession -Command @{ ping = { 'pong' } }
        Disconnect-ChatRoom -Session $botSession -Confirm:$false
        $bot.Completion.Wait(10000) | Should -BeTrue
        $bot.StopReason | Should -Be 'its session closed'
    }

    It 'serves sessions from the pipeline with one bot, answering through each, until the last closes' {
        $second = Connect-ChatRoom -Port $server.Port -Name bot2 -Protocol Irc -NoThrottle
        $bot = $botSession, $second | Start-ChatBot -Command @{ ping = { 'pong' } }
        @(Get-ChatBot).Count | Should -Be 1
        $bot.Sessions.Name | Should -Be 'bot', 'bot2'
        $alice = Connect-ChatRoom -Port $server.Port -Name alice -Protocol Irc -NoThrottle
        foreach ($name in 'bot', 'bot2') {
            $reply = Invoke-ChatRequest -Session $alice -To $name -Text '!ping' -Timeout 20 -ErrorAction Stop
            "$($reply.Sender):$($reply.Text)" | Should -Be "${name}:pong"
        }
        Disconnect-ChatRoom -Session $botSession -Confirm:$false
        $bot.State | Should -Be 'Running'
        (Invoke-ChatRequest -Session $alice -To bot2 -Text '!ping' -Timeout 20 -ErrorAction Stop).Text | Should -Be 'pong'
        Disconnect-ChatRoom -Session $second -Confirm:$false
        $bot.Completion.Wait(10000) | Should -BeTrue
        $bot.StopReason | Should -Be 'its sessions closed'
    }

    It '-Wait writes the activity on the pipeline until stopped' {
        $foreground = [powershell]::Create()
        $null = $foreground.AddScript({
            param($ModulePath, $Session)
            Import-Module $ModulePath
            Start-ChatBot -Session $Session -Command @{ ping = { 'pong' } } -Wait -Verbose
        }).AddArgument($env:PSCHAT_MODULE).AddArgument($botSession)
        $output = [System.Management.Automation.PSDataCollection[psobject]]::new()
        $run = $foreground.BeginInvoke([System.Management.Automation.PSDataCollection[psobject]]::new(), $output)
        # The running invocation's collections are read by index or taken with ReadAll, never enumerated:
        # enumerating a collection an invocation still writes to can wait for the invocation to end.
        $seen = [System.Collections.Generic.List[object]]::new()
        try {
            $alice = Connect-ChatRoom -Port $server.Port -Name alice -Protocol Irc -NoThrottle
            Wait-Until -Because 'the bot to serve in the foreground' -TimeoutMs 20000 -Condition {
                $verbose = $foreground.Streams.Verbose
                $run.IsCompleted -or @(for ($i = 0; $i -lt $verbose.Count; $i++) { $verbose[$i].Message }) -like 'Serving in the foreground*'
            }
            $run.IsCompleted | Should -BeFalse
            Send-ChatMessage -Session $alice -Text '!ping'
            (Receive-ChatMessage -Session $alice -Kind Message -Count 1 -Timeout 10 -ErrorAction Stop).Text | Should -Be 'pong'
            Wait-Until -Because 'Finished on the pipeline' -TimeoutMs 10000 -Condition {
                foreach ($item in $output.ReadAll()) { $seen.Add($item) }
                @($seen | Where-Object Kind -eq 'Finished').Count -gt 0
            }
            $finished = $seen | Where-Object Kind -eq 'Finished' | Select-Object -First 1
            $finished | Should -BeOfType 'PSChat.Commands.Bots.ChatBotActivity'
            $finished.Command | Should -Be 'ping'
            $finished.Sender | Should -Be 'alice'
            $finished.Duration | Should -BeOfType [timespan]
            @($seen | Where-Object Request -eq $finished.Request).Kind | Should -Be 'Received', 'Started', 'Finished'
        }
        finally {
            $foreground.Stop()
            $foreground.Dispose()
        }
    }
}

Describe 'examples/OpsBot.ps1' -Tag 'E2E' {
    BeforeAll {
        $server = Start-ChatServer -Port 0 -FloodControl:$false
        $bot = & (Join-Path $PSScriptRoot '../../examples/OpsBot.ps1') -Port $server.Port
        $h = New-BotHarness -Server $server -Bot $bot
        $bob = Add-BotTester $h -Name bob
    }

    AfterAll { Remove-BotHarness $h }

    It 'lists its commands with their synopses' {
        Invoke-BotLine $h '!help' | Should -Be @(
            'Commands (!help <command> for its parameters):'
            '!deploy - Deploys a version of the app to an environment.'
            '!disk - Free space of the file system drives, in GB.'
            '!status - Says whether a service (a process name) is running.'
            '!top - The processes using the most CPU time.'
        )
    }

    It 'deploys after someone else confirms' {
        $ask = Invoke-BotLine $h '!deploy prod 1.2.3'
        $request = ($h.Activities | Where-Object Kind -eq 'Confirming' | Select-Object -Last 1).Request
        $ask | Should -Be "!deploy prod 1.2.3 needs confirmation: someone else allowed to run it must say !confirm $request within 120 s."
        Invoke-BotLine $h "!confirm $request" -From $bob | Should -Be "Confirmed by bob: running request $request."
        Wait-BotReply $h -Request $request -Kind Finished, Failed -From $bob | Should -Be 'Deployed 1.2.3 to prod.'
    }

    It 'answers status, disk and top' {
        Invoke-BotLine $h "!status -Name $((Get-Process -Id $PID).ProcessName)" | Should -BeLike '* is running (* processes).'
        $disk = Invoke-BotLine $h '!disk'
        $disk[0] | Should -Match '^Name\s+FreeGB\s+Root$'
        $top = Invoke-BotLine $h '!top 3'
        $top.Count | Should -Be 5
        $top[0] | Should -Match '^Name\s+Id\s+CPU$'
        Invoke-BotLine $h '!top 50' | Should -BeLike "Cannot validate argument on parameter 'Count'. The 50 argument is greater than the maximum allowed range of 20.* Usage: !top*"
    }
}
