BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1

    # The tmux terminal of a Describe: its $socket (tmux -L, so nothing else on the machine is touched) and $pane.
    function Invoke-Tmux { & tmux -L $socket @args; if ($LASTEXITCODE -ne 0) { throw "tmux $args failed ($LASTEXITCODE)" } }
    function Get-Screen { @(& tmux -L $socket capture-pane -p -t $pane | ForEach-Object TrimEnd) }
    function Wait-Screen {
        param([Parameter(Mandatory)][string] $Pattern)
        Wait-Until { (Get-Screen) -match $Pattern } -TimeoutMs 15000 -Because "'$Pattern' on the screen:`n$((Get-Screen | Where-Object { $_ }) -join "`n")"
    }
}

Describe 'Enter-ChatRoom without a console' -Tag 'Unit' {
    It 'refuses a host that cannot read keys with InteractiveConsoleRequired' {
        $server = Start-ChatServer -Port 0
        $session = Connect-ChatRoom -Port $server.Port -Name alice -Protocol Text
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript("Import-Module '$env:PSCHAT_MODULE'; Enter-ChatRoom -SessionId $($session.Id)")
            # In a script, a cmdlet's terminating error ends that statement and lands in the error stream.
            $null = $ps.Invoke()
            $record = $ps.Streams.Error[0]
            $record.FullyQualifiedErrorId | Should -Be 'InteractiveConsoleRequired,PSChat.Commands.EnterChatRoomCommand'
            $record.CategoryInfo.Category | Should -Be 'ResourceUnavailable'
            $record.TargetObject | Should -Be 'Default Host'
        }
        finally {
            $ps.Dispose()
            $session | Disconnect-ChatRoom -Confirm:$false
            $server | Stop-ChatServer -Confirm:$false
        }
    }
}

Describe 'Enter-ChatRoom in a terminal' -Tag 'E2E' -Skip:(-not (Get-Command tmux -CommandType Application -ErrorAction Ignore)) {
    BeforeAll {
        # A terminal of its own (tmux -L) so nothing else on the machine is touched.
        $socket = "pschat-test-$PID"
        $pane = 'chat'
        function Send-Line { param([string] $Text) Invoke-Tmux send-keys -t $pane -l $Text; Invoke-Tmux send-keys -t $pane Enter }

        $server = Start-ChatServer -Port 0
        # Not Watch-ServerEvent: a function's output unrolls the (empty) queue into nothing.
        $events = [PSChatTests.EventRecorder]::new($server).Queue
        $bob = Connect-ChatRoom -Port $server.Port -Name bob -Protocol Text -Room '#lobby'

        # The pane's pwsh: the same PowerShell this test runs in, with alice chatting interactively.
        $startup = Join-Path ([IO.Path]::GetTempPath()) "pschat-enter-$PID.ps1"
        Set-Content $startup @"
Import-Module '$env:PSCHAT_MODULE'
`$global:alice = Connect-ChatRoom -Port $($server.Port) -Name alice -Protocol Text -Room '#lobby'
Enter-ChatRoom
"@
        $pwsh = (Get-PwshCommand | ForEach-Object { "'$_'" }) -join ' '
        Invoke-Tmux new-session -d -s $pane -x 120 -y 40 "$pwsh -NoProfile -NoExit -File '$startup'"
        Wait-ClientCount $server 2 -TimeoutMs 30000
        Wait-Screen '^#lobby>$'
    }

    AfterAll {
        & tmux -L $socket kill-server 2>$null
        Remove-Item $startup -ErrorAction Ignore
        Get-ChatSession | Disconnect-ChatRoom -Confirm:$false
        Get-ChatServer | Stop-ChatServer -Confirm:$false
    }

    It 'shows a message that arrives while typing above the line being typed, which stays intact' {
        Invoke-Tmux send-keys -t $pane -l 'typing'
        Wait-Screen '^#lobby> typing$'
        Send-ChatMessage -Session $bob -Text 'hi alice'
        Wait-Screen '^\d\d:\d\d:\d\d <bob> hi alice$'
        $screen = Get-Screen
        $at = [array]::FindIndex([string[]] $screen, [Predicate[string]] { param($l) $l -match '<bob> hi alice$' })
        $screen[$at + 1] | Should -Be '#lobby> typing'
        Send-Line ' more'
        $message = Receive-ChatMessage -Session $bob -Count 1 -Timeout 10
        $message.Sender | Should -Be 'alice'
        $message.Text | Should -Be 'typing more'
        Wait-Screen '^\d\d:\d\d:\d\d <alice> typing more$'
    }

    It 'edits the line with Backspace and clears it with Escape' {
        Invoke-Tmux send-keys -t $pane -l 'scrap this'
        Wait-Screen '^#lobby> scrap this$'
        Invoke-Tmux send-keys -t $pane Escape
        Wait-Screen '^#lobby>$'
        Invoke-Tmux send-keys -t $pane -l 'fixx'
        Invoke-Tmux send-keys -t $pane BSpace BSpace
        Wait-Screen '^#lobby> fi$'
        Send-Line 'ne'
        $message = Receive-ChatMessage -Session $bob -Count 1 -Timeout 10
        $message.Text | Should -Be 'fine'
    }

    It 'says what <Command> needs on a Text session' -ForEach @(
        @{ Command = '/msg carol psst'; Reply = '^\*\*\* The Text protocol has no private messages; connect with -Protocol Irc\.$' }
        @{ Command = '/nick alicia'; Reply = '^\*\*\* The Text protocol cannot change names; connect with -Protocol Irc\.$' }
        @{ Command = '/who'; Reply = '^\*\*\* The Text protocol cannot list who is in a room; connect with -Protocol Irc\.$' }
        @{ Command = '/join #dev'; Reply = '^\*\*\* The Text protocol has no rooms to join\.$' }
    ) {
        Send-Line $Command
        Wait-Screen $Reply
    }

    It 'lists the commands with /help' {
        Send-Line '/help'
        Wait-Screen '^\*\*\* Commands: /join #room, /part \[#room\], /msg nick text, /nick name \(IRC\), /who \[#room\] \(IRC\), /quit \[reason\], /help\.'
    }

    It 'returns to PowerShell on exit with the session still open' {
        Send-Line 'exit'
        Send-Line '"state=$($alice.State)"'
        Wait-Screen '^state=Connected$'
        $server.ClientCount | Should -Be 2
    }

    It 'returns to PowerShell on Ctrl+C with the session still open' {
        Send-Line 'Enter-ChatRoom -Session $alice'
        Wait-Screen '^#lobby>$'
        Invoke-Tmux send-keys -t $pane C-c
        Send-Line '"after-ctrl-c=$($alice.State)"'
        Wait-Screen '^after-ctrl-c=Connected$'
    }

    It 'disconnects with /quit' {
        Send-Line 'Enter-ChatRoom -Session $alice'
        Wait-Screen '^#lobby>$'
        Send-Line '/quit bye now'
        $left = Wait-ServerEvent $events Disconnected -Where { param($e) $e.Name -eq 'alice' } -TimeoutMs 10000
        $left.Reason | Should -Be 'client said exit'
        Send-Line '"state=$($alice.State)"'
        Wait-Screen '^state=Closed$'
    }
}

Describe 'Enter-ChatRoom and control characters' -Tag 'E2E' -Skip:(-not (Get-Command tmux -CommandType Application -ErrorAction Ignore)) {
    BeforeAll {
        $socket = "pschat-safe-$PID"
        $pane = 'safe'

        $server = Start-ChatServer -Port 0
        # alice chats over IRC, which carries control characters to her (a text client would get them stripped).
        $startup = Join-Path ([IO.Path]::GetTempPath()) "pschat-safe-$PID.ps1"
        Set-Content $startup @"
Import-Module '$env:PSCHAT_MODULE'
`$global:alice = Connect-ChatRoom -Port $($server.Port) -Name alice -Protocol Irc -Room '#lobby'
Enter-ChatRoom
"@
        $pwsh = (Get-PwshCommand | ForEach-Object { "'$_'" }) -join ' '
        Invoke-Tmux new-session -d -s $pane -x 160 -y 40 "$pwsh -NoProfile -NoExit -File '$startup'"
        Wait-Screen '^#lobby>$'

        $mallory = [RawClient]::new($server.Port)
        $mallory.Send("NICK mal`r`nUSER mal 0 * :m`r`nJOIN #lobby`r`n")
        Wait-Until {
            $mallory.Send("NAMES #lobby`r`n")
            $names = ''
            do { $line = $mallory.ReadLine(10000); if ($line -match ' 353 ') { $names += $line } } until ($line -match ' 366 ')
            $names -match '\balice\b'
        } -TimeoutMs 15000 -Because 'alice in #lobby'
    }

    AfterAll {
        & tmux -L $socket kill-server 2>$null
        Remove-Item $startup -ErrorAction Ignore
        $mallory.Dispose()
        Get-ChatSession | Disconnect-ChatRoom -Confirm:$false
        Get-ChatServer | Stop-ChatServer -Confirm:$false
    }

    It 'shows escape sequences, C1 controls and bidi overrides as visible stand-ins, and none acts on the terminal' {
        $mallory.Send("PRIVMSG #lobby :`e]0;pwned`a`e[31mred`e[0m `u{9b}2J `e]52;c;cHduZWQ=`a `u{202e}txt end`r`n")
        Wait-Screen ('<mal> ' + [regex]::Escape('␛]0;pwned␇␛[31mred␛[0m <U+009B>2J ␛]52;c;cHduZWQ=␇ <U+202E>txt end') + '$')
        (& tmux -L $socket display-message -p -t $pane '#{pane_title}') | Should -Not -Be 'pwned'
        $screen = Get-Screen
        $at = [array]::FindIndex([string[]] $screen, [Predicate[string]] { param($l) $l -match '<mal> ' })
        $screen[$at + 1] | Should -Be '#lobby>'
    }
}
