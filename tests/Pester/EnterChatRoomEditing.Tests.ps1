BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1

    # The tmux terminal of the Describe: its $socket (tmux -L, so nothing else on the machine is touched) and $pane.
    function Invoke-Tmux { & tmux -L $socket @args; if ($LASTEXITCODE -ne 0) { throw "tmux $args failed ($LASTEXITCODE)" } }
    function Get-Screen { @(& tmux -L $socket capture-pane -p -t $pane | ForEach-Object TrimEnd) }
    function Wait-Screen {
        param([Parameter(Mandatory)][string] $Pattern)
        Wait-Until { (Get-Screen) -match $Pattern } -TimeoutMs 15000 -Because "'$Pattern' on the screen:`n$((Get-Screen | Where-Object { $_ }) -join "`n")"
    }
    function Send-Keys { Invoke-Tmux send-keys -t $pane @args }
    function Send-Text { param([string] $Text) Invoke-Tmux send-keys -t $pane -l $Text }
    function Read-Sent {
        # The next line alice sent, as bob received it.
        (Receive-ChatMessage -Session $bob -Kind Message -Count 1 -Timeout 10 -ErrorAction Stop).Text
    }
}

Describe 'Enter-ChatRoom line editing in a 40-column terminal (issue 13, bug 11)' -Tag 'E2E' -Skip:(-not (Get-Command tmux -CommandType Application -ErrorAction Ignore)) {
    BeforeAll {
        $socket = "pschat-edit-$PID"
        $pane = 'edit'
        $server = Start-ChatServer -Port 0
        $bob = Connect-ChatRoom -Port $server.Port -Name bob -Protocol Irc -Room '#lobby'

        $startup = Join-Path ([IO.Path]::GetTempPath()) "pschat-edit-$PID.ps1"
        Set-Content $startup @"
Import-Module '$env:PSCHAT_MODULE'
`$global:alice = Connect-ChatRoom -Port $($server.Port) -Name alice -Protocol Irc -Room '#lobby'
Enter-ChatRoom
"@
        $pwsh = (Get-PwshCommand | ForEach-Object { "'$_'" }) -join ' '
        Invoke-Tmux new-session -d -s $pane -x 40 -y 30 "$pwsh -NoProfile -NoExit -File '$startup'"
        Wait-Screen '^#lobby>$'
        $null = Receive-ChatMessage -Session $bob -Kind Join -Count 1 -Timeout 30 -ErrorAction Stop
    }

    AfterAll {
        & tmux -L $socket kill-server 2>$null
        Remove-Item $startup -ErrorAction Ignore
        Get-ChatSession | Disconnect-ChatRoom -Confirm:$false
        Get-ChatServer | Stop-ChatServer -Confirm:$false
    }

    AfterEach {
        Send-Keys Escape
        Wait-Screen '^#lobby>$'
    }

    It 'redraws a wrapped line whole below a message that arrives, leaving no stale rows' {
        $long = 'abcdefghij' * 5   # 8 columns of prompt + 50: two rows of 40
        Send-Text $long
        Wait-Screen '^#lobby> abcdefghijabcdefghijabcdefghijab$'
        Send-ChatMessage -Session $bob -Text 'interrupting'
        Wait-Screen '<bob> interrupting$'
        $screen = Get-Screen
        $at = [array]::FindIndex([string[]] $screen, [Predicate[string]] { param($l) $l -match '<bob> interrupting$' })
        $screen[$at + 1] | Should -Be '#lobby> abcdefghijabcdefghijabcdefghijab'
        $screen[$at + 2] | Should -Be 'cdefghijabcdefghij'
        @($screen | Where-Object { $_ -like '#lobby> abc*' }).Count | Should -Be 1 -Because 'the line before the message was erased, both rows of it'
        Send-Keys Enter
        Read-Sent | Should -Be $long
    }

    It 'takes a wide character off the screen whole with Backspace' {
        Send-Text 'ab你好'
        Wait-Screen '^#lobby> ab你好$'
        Send-Keys BSpace
        Wait-Screen '^#lobby> ab你$'
        Send-Keys BSpace
        Wait-Screen '^#lobby> ab$'
        Send-Keys Enter
        Read-Sent | Should -Be 'ab'
    }

    It 'moves with Left, Right, Home and End and inserts where the cursor is' {
        Send-Text 'helo'
        Send-Keys Left
        Send-Text 'l'
        Send-Keys Home
        Send-Text '>'
        Send-Keys End
        Send-Text '!'
        Wait-Screen '^#lobby> >hello!$'
        Send-Keys Home Right Delete
        Wait-Screen '^#lobby> >ello!$'
        Send-Keys Enter
        Read-Sent | Should -Be '>ello!'
    }

    It 'brings back the last line with Up' {
        Send-Text 'say it twice'
        Send-Keys Enter
        Read-Sent | Should -Be 'say it twice'
        Send-Keys Up
        Wait-Screen '^#lobby> say it twice$'
        Send-Keys Enter
        Read-Sent | Should -Be 'say it twice'
    }

    It 'deletes a word with Ctrl+W and the line before the cursor with Ctrl+U' {
        Send-Text 'one two three'
        Send-Keys C-w
        Wait-Screen '^#lobby> one two$'
        Send-Keys C-u
        Wait-Screen '^#lobby>$'
        Send-Text 'kept'
        Send-Keys Enter
        Read-Sent | Should -Be 'kept'
    }

    It 'completes a nick in the room with Tab' {
        Send-Text 'bo'
        Send-Keys Tab
        Wait-Screen '^#lobby> bob:$'
        Send-Text 'hi'
        Send-Keys Enter
        Read-Sent | Should -Be 'bob: hi'
    }

    It 'keeps the prompt on its room when a /join is refused, and moves it off a room it was kicked from' {
        Join-ChatRoom -Session $bob -Room '#vault', '#dev'
        Set-ChatMode -Session $bob -Target '#vault' -Mode '+k' -Argument 'sesame'
        Send-Text '/join #vault'
        Send-Keys Enter
        Wait-Screen "^\*\*\* The server refused 'JOIN #vault'"
        Wait-Screen '^#lobby>$'
        Send-Text '/join #dev'
        Send-Keys Enter
        Wait-Screen '^#dev>$'
        Remove-ChatMember -Session $bob -Room '#dev' -Nick alice -Reason 'out' -Confirm:$false
        Wait-Screen '^\*\*\* Lines now go to #lobby\.$'
        Wait-Screen '^#lobby>$'
    }

    It 'clears the screen with Ctrl+L, keeping the line' {
        Send-Text 'still here'
        Send-Keys C-l
        Wait-Until { (Get-Screen)[0] -eq '#lobby> still here' } -TimeoutMs 15000 -Because "the line at the top:`n$((Get-Screen | Where-Object { $_ }) -join "`n")"
    }
}
