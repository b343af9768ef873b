BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1

    function Complete {
        # What Tab offers at the end of a command line, as the console would insert it.
        param([Parameter(Mandatory)][string] $Line)
        @((TabExpansion2 -inputScript $Line -cursorColumn $Line.Length).CompletionMatches.CompletionText)
    }
}

Describe 'What a new user gets by default (issue 13, bug 12)' -Tag 'E2E' {
    BeforeEach {
        $server = Start-ChatServer -Port 0
    }

    AfterEach {
        Get-ChatSession | Disconnect-ChatRoom -Confirm:$false
        Get-ChatServer | Stop-ChatServer -Confirm:$false
    }

    It 'Receive-ChatMessage -Count 1 returns the message, not the join before it' {
        $alice = Connect-ChatRoom -Port $server.Port -Name alice -Protocol Irc
        $bob = Connect-ChatRoom -Port $server.Port -Name bob -Protocol Irc
        Send-ChatMessage -Session $bob -Text 'hello alice'
        $first = Receive-ChatMessage -Session $alice -Count 1 -Timeout 10 -ErrorAction Stop
        "$($first.Kind) $($first.Sender): $($first.Text)" | Should -Be 'Message bob: hello alice'
        # What is passed over is only the comings and goings: the server's own goodbye still comes.
        Disconnect-ChatRoom -Session $bob -Confirm:$false
        $server | Stop-ChatServer -Confirm:$false
        $rest = @(Receive-ChatMessage -Session $alice -Wait -Timeout 10)
        $rest.Kind | Should -Not -Contain 'Quit'
        $rest[-1].Kind | Should -Be 'System'
    }

    It 'Receive-ChatMessage -Kind Join gets the joins the default passes over' {
        $alice = Connect-ChatRoom -Port $server.Port -Name alice -Protocol Irc
        $null = Connect-ChatRoom -Port $server.Port -Name bob -Protocol Irc
        $join = Receive-ChatMessage -Session $alice -Kind Join -Count 1 -Timeout 10 -ErrorAction Stop
        "$($join.Kind) $($join.Sender)" | Should -Be 'Join bob'
    }

    It 'completes Send-ChatMessage -To with the nicks in the session''s rooms, not file names' {
        $alice = Connect-ChatRoom -Port $server.Port -Name alice -Room '#team' -Protocol Irc
        $null = Connect-ChatRoom -Port $server.Port -Name bob -Room '#team' -Protocol Irc
        $null = Connect-ChatRoom -Port $server.Port -Name betty -Room '#team' -Protocol Irc
        $null = Receive-ChatMessage -Session $alice -Kind Join -Count 2 -Timeout 10 -ErrorAction Stop
        $line = "Send-ChatMessage hi -Session (Get-ChatSession -Id $($alice.Id)) -To "
        Complete $line | Should -Be @('betty', 'bob')
        Complete ($line + 'bo') | Should -Be @('bob')
        Complete ($line + 'zz') | Should -Be @()
        Complete "Remove-ChatMember -SessionId $($alice.Id) -Room '#team' -Nick bet" | Should -Be @('betty')
    }

    It 'names a second server on the same port (another address) after the port, not with an error' {
        $port = Get-FreePort
        $v4 = Start-ChatServer -Port $port -Address 127.0.0.1
        $v6 = Start-ChatServer -Port $port -Address ::1
        $v4.Name | Should -Be "Chat$port"
        $v6.Name | Should -Be "Chat$port-2"
        (Get-ChatServer -Name "Chat$port-2").EndPoint.ToString() | Should -Be "[::1]:$port"
        { Start-ChatServer -Port 0 -Name "Chat$port" -ErrorAction Stop } | Should -Throw -ErrorId 'ServerNameInUse,PSChat.Commands.StartChatServerCommand'
    }
}
