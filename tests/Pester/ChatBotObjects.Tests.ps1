# Start-ChatBot's answers to PSChat callers (Invoke-ChatRequest: the output objects, typed) and to
# people (netcat on the text protocol: readable lines, and one summary line for an answer that went
# out as objects).

BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    . $PSScriptRoot/ChatBotHarness.ps1

    function Read-RawUntil {
        # The lines a raw (netcat) client reads, without their line ends, up to the first that matches Like.
        param([Parameter(Mandatory)] $Raw, [Parameter(Mandatory)][string] $Like)
        $lines = [System.Collections.Generic.List[string]]::new()
        do {
            $line = $Raw.ReadLine(20000).TrimEnd("`r", "`n")
            $lines.Add($line)
        } until ($line -like $Like)
        $lines
    }
}

Describe 'Start-ChatBot answers Invoke-ChatRequest with objects' -Tag 'E2E' {
    BeforeAll {
        $h = New-BotHarness -Command @{
            disk   = { [pscustomobject]@{ Name = 'disk'; Free = 42 } }
            procs  = { 1..3 | ForEach-Object { [pscustomobject]@{ Name = "p$_"; Id = $_ } } }
            ping   = { 'pong' }
            lines  = { 'one', 'two', 'three' }
            broken = { 'partial'; throw 'it broke' }
            hang   = { while ($true) { Start-Sleep -Milliseconds 20 } }
            count  = { param([ValidateRange(1, 9)][int] $N) $N }
        } -BotParameters @{ TimeoutSec = 2; MaxReplyLines = 2 }
        $botName = $h.BotSession.Name
        $ask = @{ Session = $h.Tester; To = $botName; Timeout = 20; ErrorAction = 'Stop' }
    }

    AfterAll { Remove-BotHarness $h }

    It 'writes the output objects, typed, with -AsObject' {
        $disk = Invoke-ChatRequest @ask -Text '!disk' -AsObject
        $disk.Name | Should -BeExactly 'disk'
        $disk.Free | Should -BeOfType [int]
        $disk.Free | Should -Be 42
        $disk.PSTypeNames | Should -Contain 'Deserialized.System.Management.Automation.PSCustomObject'

        $procs = @(Invoke-ChatRequest @ask -Text '!procs' -AsObject)
        $procs.Count | Should -Be 3
        $procs.Name | Should -Be 'p1', 'p2', 'p3'
        $procs.Id | Should -Be 1, 2, 3

        Invoke-ChatRequest @ask -Text '!ping' -AsObject | Should -BeExactly 'pong'
        Invoke-ChatRequest @ask -Text '!count 7' -AsObject | Should -BeOfType [int]
    }

    It 'answers with one reply whose text is a summary and whose object is the output' {
        $reply = Invoke-ChatRequest @ask -Text '!procs'
        $reply.Sender | Should -Be $botName
        $reply.InReplyTo | Should -Not -BeNullOrEmpty
        $reply.Text | Should -BeExactly '[System.Management.Automation.PSCustomObject] @{Name=p1; Id=1} (+2 more objects)'
        @($reply.Object).Count | Should -Be 3
    }

    It 'gives a caller every line at once, not a page and !more' {
        $reply = Invoke-ChatRequest @ask -Text '!lines'
        $reply.Text | Should -BeExactly 'one (+2 more lines)'
        Invoke-ChatRequest @ask -Text '!lines' -AsObject | Should -Be 'one', 'two', 'three'
        @(Invoke-ChatRequest @ask -Text '!help' -AsObject) | Should -Contain '!ping'
    }

    It 'answers <Line> with an error of category <Category>' -ForEach @(
        @{ Line = '!broken'; Text = 'it broke'; Category = 'OperationStopped' }
        @{ Line = '!hang'; Text = 'hang did not finish within 2 s and was stopped.'; Category = 'OperationTimeout' }
        @{ Line = '!count 10'; Text = "Cannot validate argument on parameter 'N'. The 10 argument is greater than the maximum allowed range of 9.*"; Category = 'InvalidArgument' }
        @{ Line = '!nosuch'; Text = "There is no command 'nosuch'; say !help for the list."; Category = 'ObjectNotFound' }
        @{ Line = '!ping $(Remove-Item x)'; Text = "I cannot run that: '`$(Remove-Item x)' is not a literal value and is not run; put it in single quotes to send it as text."; Category = 'ParserError' }
    ) {
        # A failed command is an error to its caller, as a remote command's is, in either mode; nothing else is written.
        foreach ($mode in @{}, @{ AsObject = $true }) {
            $failed = $null
            $out = @(Invoke-ChatRequest @ask @mode -Text $Line -ErrorAction SilentlyContinue -ErrorVariable failed)
            $out.Count | Should -Be 0
            $failed.Count | Should -Be 1
            $failed[0].FullyQualifiedErrorId | Should -Be 'RequestFailed,PSChat.Commands.InvokeChatRequestCommand'
            $failed[0].CategoryInfo.Category | Should -Be $Category
            $failed[0].Exception.Message | Should -BeLike "$botName answered '$Line' with an error: $Text"
            $failed[0].TargetObject.IsError | Should -BeTrue
        }
    }
}

Describe 'Start-ChatBot answers people on netcat in readable lines' -Tag 'E2E' {
    BeforeAll {
        $h = New-BotHarness -Command @{ disk = { [pscustomobject]@{ Name = 'disk'; Free = 42 } } }
        $raw = [RawClient]::new($h.Server.Port)
        Wait-ClientCount $h.Server 3
    }

    AfterAll {
        $raw.Dispose()
        Remove-BotHarness $h
    }

    It 'answers a person with the formatted table' {
        $raw.Send("nc:!disk`n")
        $lines = Read-RawUntil $raw -Like 'testbot:disk*'
        $lines | Where-Object { $_ -like 'testbot:*' } | Should -Be 'testbot:Name Free', 'testbot:---- ----', 'testbot:disk   42'
    }

    It 'shows the room one summary line for an answer that went to a caller as objects' {
        $disk = Invoke-ChatRequest -Session $h.Tester -To '#lobby' -Text '!disk' -AsObject -Timeout 20 -ErrorAction Stop
        $disk.Free | Should -Be 42
        $null = Read-RawUntil $raw -Like 'tester:!disk'
        # Nothing of the envelope before its summary: the summary is the bot's next (and only) line.
        Read-RawUntil $raw -Like 'testbot:*' | Should -Be 'testbot:[System.Management.Automation.PSCustomObject] @{Name=disk; Free=42}'
    }
}

Describe 'Format views for bots and their activity' -Tag 'Unit' {
    BeforeAll {
        $h = New-BotHarness -Command @{ ping = { 'pong' } }
        function Get-TableLine($InputObject) {
            @(($InputObject | Format-Table | Out-String -Width 200) -split "`r?`n" | ForEach-Object TrimEnd | Where-Object { $_ })
        }
    }

    AfterAll { Remove-BotHarness $h }

    It 'shows a bot as Id, Name, State, Commands, Answered' {
        Invoke-BotLine $h '!ping' | Should -Be 'pong'
        $lines = Get-TableLine $h.Bot
        $lines[0] | Should -Match '^\s*Id\s+Name\s+State\s+Commands\s+Answered$'
        $lines[2] | Should -Match ('^\s*{0}\s+testbot\s+Running\s+ping\s+1$' -f $h.Bot.Id)
    }

    It 'shows an activity as Time, Kind, Request, Sender, Line, with its duration' {
        $finished = $h.Activities | Where-Object Kind -EQ 'Finished' | Select-Object -First 1
        $lines = Get-TableLine $finished
        $lines[0] | Should -Match '^Time\s+Kind\s+Request\s+Sender\s+Line$'
        $lines[2] | Should -Match ('^\d\d:\d\d:\d\d\s+Finished\s+{0}\s+tester\s+!ping \[\d+ ms\]$' -f $finished.Request)
    }
}
