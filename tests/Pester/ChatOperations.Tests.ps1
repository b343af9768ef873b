BeforeDiscovery {
    $noNgircd = -not (Get-Command ngircd -CommandType Application -ErrorAction Ignore)
    # The same operations, against PSChat's own server and against ngircd.
    $servers = @(
        @{ Server = 'PSChat' }
        @{ Server = 'ngircd'; Skip = $noNgircd }
    )
}

BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1

    function Start-OperationServer {
        # A server for one Describe: PSChat's on a free port, or ngircd on loopback without flood penalty.
        param([string] $Kind)
        if ($Kind -eq 'PSChat') {
            $chat = Start-ChatServer -Port 0
            return @{ Port = $chat.Port; Chat = $chat }
        }
        $ngircd = Start-TestNgircd -Name irc.operations.test
        @{ Port = $ngircd.Port; Program = $ngircd }
    }

    function Connect-Pair {
        # alice first (the room's operator), then bob, both in $Room; alice has seen bob come in.
        param([int] $Port, [string] $Room)
        $script:alice = Connect-ChatRoom -Port $Port -Name "al$(Get-Random -Maximum 9999)" -Room $Room -Protocol Irc
        $script:bob = Connect-ChatRoom -Port $Port -Name "bo$(Get-Random -Maximum 9999)" -Room $Room -Protocol Irc
        $null = Receive-ChatMessage -Session $script:alice -Kind Join -Count 1 -Timeout 10 -ErrorAction Stop
    }
}

Describe 'IRC operation cmdlets against <Server>' -Tag 'E2E', 'Interop' -ForEach $servers {
    BeforeAll {
        $ircd = Start-OperationServer -Kind $Server
        $port = $ircd.Port
    }

    AfterAll {
        if ($ircd.Chat) { $ircd.Chat | Stop-ChatServer -Confirm:$false }
        if ($ircd.Program) { Stop-Program $ircd.Program }
    }

    BeforeEach {
        $room = "#op$(Get-Random -Maximum 99999)"
        Connect-Pair -Port $port -Room $room
    }

    AfterEach {
        Get-ChatSession | Disconnect-ChatRoom -Confirm:$false
    }

    It 'Join-ChatRoom joins, and Exit-ChatRoom leaves, each once the server said so' {
        Join-ChatRoom -Session $bob -Room "$room-x", "$room-y"
        $bob.Rooms | Should -Be @($room, "$room-x", "$room-y")
        $bob | Exit-ChatRoom -Room "$room-x" -Reason 'bye now' -Confirm:$false
        $bob.Rooms | Should -Be @($room, "$room-y")
    }

    It 'Join-ChatRoom reports a room with a key it was not given (475) and joins with -Key' {
        Set-ChatMode -Session $alice -Target $room -Mode '+k' -Argument 'sesame'
        Exit-ChatRoom -Session $bob -Room $room -Confirm:$false
        { Join-ChatRoom -Session $bob -Room $room -ErrorAction Stop } |
            Should -Throw -ErrorId 'ServerRefused,PSChat.Commands.JoinChatRoomCommand'
        $Error[0].Exception.Numeric | Should -Be '475'
        $Error[0].CategoryInfo.Category | Should -Be 'PermissionDenied'
        $Error[0].TargetObject | Should -Be $room
        Join-ChatRoom -Session $bob -Room $room -Key 'sesame'
        $bob.Rooms | Should -Be @($room)
    }

    It 'Exit-ChatRoom reports a room the session is not in, and -WhatIf leaves nothing' {
        { Exit-ChatRoom -Session $bob -Room "$room-never" -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId 'ServerRefused,PSChat.Commands.ExitChatRoomCommand'
        $Error[0].Exception.Numeric | Should -BeIn '403', '442'
        $Error[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        Exit-ChatRoom -Session $bob -Room $room -WhatIf
        $bob.Rooms | Should -Be @($room)
    }

    It 'Set-ChatTopic sets the topic the room sees, and reports 482 when +t and not an operator' {
        Set-ChatTopic -Session $alice -Room $room -Topic 'release at noon'
        $topic = Receive-ChatMessage -Session $bob -Kind Topic -Count 1 -Timeout 10 -ErrorAction Stop
        $topic.Text | Should -Be 'release at noon'
        $topic.Sender | Should -Be $alice.Name
        Set-ChatMode -Session $alice -Target $room -Mode '+t'
        { Set-ChatTopic -Session $bob -Room $room -Topic 'mine' -ErrorAction Stop } |
            Should -Throw -ErrorId 'ServerRefused,PSChat.Commands.SetChatTopicCommand'
        $Error[0].Exception.Numeric | Should -Be '482'
        $Error[0].CategoryInfo.Category | Should -Be 'PermissionDenied'
    }

    It 'Set-ChatMode +o lets the other set the topic of a +t room' {
        Set-ChatMode -Session $alice -Target $room -Mode '+t'
        Set-ChatMode -Session $alice -Target $room -Mode '+o' -Argument $bob.Name
        Set-ChatTopic -Session $bob -Room $room -Topic 'operator now'
        (Receive-ChatMessage -Session $alice -Kind Topic -Count 1 -Timeout 10 -ErrorAction Stop).Text | Should -Be 'operator now'
    }

    It 'Set-ChatMode returns when a change changes nothing, and reports 482 for a non-operator' {
        Set-ChatMode -Session $alice -Target $room -Mode '+t'
        Set-ChatMode -Session $alice -Target $room -Mode '+t' -PassThru | Should -Be $alice
        { Set-ChatMode -Session $bob -Target $room -Mode '+m' -ErrorAction Stop } |
            Should -Throw -ErrorId 'ServerRefused,PSChat.Commands.SetChatModeCommand'
        $Error[0].Exception.Numeric | Should -Be '482'
    }

    It 'Set-ChatMode refuses a mode string or argument that would break the line, before sending' {
        { Set-ChatMode -Session $alice -Target $room -Mode "+o`r`nQUIT" -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvalidName,PSChat.Commands.SetChatModeCommand'
        { Set-ChatMode -Session $alice -Target $room -Mode '+o' -Argument ':x y' -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvalidName,PSChat.Commands.SetChatModeCommand'
        $alice.State | Should -Be 'Connected'
    }

    It 'Remove-ChatMember removes someone, and reports a non-operator (482) and a nick not in the room' {
        { Remove-ChatMember -Session $bob -Room $room -Nick $alice.Name -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId 'ServerRefused,PSChat.Commands.RemoveChatMemberCommand'
        $Error[0].Exception.Numeric | Should -Be '482'
        { Remove-ChatMember -Session $alice -Room $room -Nick 'nobodyhere' -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId 'ServerRefused,PSChat.Commands.RemoveChatMemberCommand'
        $Error[0].Exception.Numeric | Should -BeIn '401', '441'
        Remove-ChatMember -Session $alice -Room $room -Nick $bob.Name -Reason 'enough' -Confirm:$false
        $kick = Receive-ChatMessage -Session $bob -Kind Kick -Count 1 -Timeout 10 -ErrorAction Stop
        $kick.Target | Should -Be $bob.Name
        $kick.Text | Should -Be 'enough'
        $bob.Rooms | Should -BeNullOrEmpty
    }

    It 'Set-ChatNick changes the name once the server agreed, and reports a nick in use (433)' {
        $new = "nu$(Get-Random -Maximum 9999)"
        Set-ChatNick -Session $bob -Nick $new
        $bob.Name | Should -Be $new
        (Receive-ChatMessage -Session $alice -Kind Nick -Count 1 -Timeout 10 -ErrorAction Stop).Text | Should -Be $new
        { Set-ChatNick -Session $bob -Nick $alice.Name -ErrorAction Stop } |
            Should -Throw -ErrorId 'ServerRefused,PSChat.Commands.SetChatNickCommand'
        $Error[0].Exception.Numeric | Should -Be '433'
        $Error[0].CategoryInfo.Category | Should -Be 'ResourceUnavailable'
        $bob.Name | Should -Be $new
    }

    It 'Invoke-ChatCommand writes the answer to a raw line, and its error numerics as errors' {
        $whois = @(Invoke-ChatCommand -Session $alice -Line "WHOIS $($bob.Name)")
        $whois.Count | Should -BeGreaterThan 0
        $whois[0].Raw | Should -Match " 311 $($alice.Name) $($bob.Name) "
        @($whois | Where-Object { $_.Raw -notmatch '^:\S+ 3\d\d ' }) | Should -BeNullOrEmpty -Because 'the answer is the WHOIS numerics'
        $out = Invoke-ChatCommand -Session $alice -Line 'FROBNICATE x' -ErrorVariable refused -ErrorAction SilentlyContinue
        $out | Should -BeNullOrEmpty
        $refused.Count | Should -Be 1
        $refused[0].FullyQualifiedErrorId | Should -Be 'ServerRefused,PSChat.Commands.InvokeChatCommandCommand'
        $refused[0].Exception.Numeric | Should -Be '421'
    }

    It 'Invoke-ChatCommand refuses a line that is not one IRC line of at most 510 bytes, and QUIT, sending nothing' {
        foreach ($line in "PRIVMSG $room :x`r`nJOIN #pwned", "JOIN #pwned`n", "JOIN #pwned`0", ('PRIVMSG x :' + 'y' * 500), 'QUIT :bye', '   ') {
            { Invoke-ChatCommand -Session $alice -Line $line -ErrorAction Stop } |
                Should -Throw -ErrorId 'InvalidLine,PSChat.Commands.InvokeChatCommandCommand'
        }
        # A line answered after them proves none of them went out before it.
        $null = Invoke-ChatCommand -Session $alice -Line "NAMES $room"
        $alice.Rooms | Should -Be @($room)
        $alice.State | Should -Be 'Connected'
    }

    It 'binds the session from the pipeline, by value and by SessionId' {
        Get-ChatSession | Where-Object Id -EQ $bob.Id | Join-ChatRoom -Room "$room-p"
        Send-ChatMessage -Session $alice -Room $room -Text 'come over'
        Receive-ChatMessage -Session $bob -Kind Message -Count 1 -Timeout 10 -ErrorAction Stop |
            Join-ChatRoom -Room "$room-q"
        $bob.Rooms | Should -Be @($room, "$room-p", "$room-q")
    }
}

Describe 'IRC operation cmdlets on other sessions' -Tag 'E2E' {
    BeforeEach {
        $server = Start-ChatServer -Port 0
    }

    AfterEach {
        Get-ChatSession | Disconnect-ChatRoom -Confirm:$false
        $server | Stop-ChatServer -Confirm:$false
    }

    It 'writes NotSupportedByProtocol on a plain-text session' {
        $text = Connect-ChatRoom -Port $server.Port -Name carol -Protocol Text
        { Join-ChatRoom -Session $text -Room '#x' -ErrorAction Stop } |
            Should -Throw -ErrorId 'NotSupportedByProtocol,PSChat.Commands.JoinChatRoomCommand'
        { Invoke-ChatCommand -Session $text -Line 'WHOIS x' -ErrorAction Stop } |
            Should -Throw -ErrorId 'NotSupportedByProtocol,PSChat.Commands.InvokeChatCommandCommand'
    }

    It 'writes SessionClosed for a closed session' {
        $alice = Connect-ChatRoom -Port $server.Port -Name alice -Protocol Irc
        Disconnect-ChatRoom -Session $alice -Confirm:$false
        { Set-ChatTopic -Session $alice -Room '#lobby' -Topic 'x' -ErrorAction Stop } |
            Should -Throw -ErrorId 'SessionClosed,PSChat.Commands.SetChatTopicCommand'
    }

    It 'uses the default session without -Session' {
        $null = Connect-ChatRoom -Port $server.Port -Name alice -Protocol Irc
        Join-ChatRoom '#defaults'
        (Get-ChatSession).Rooms | Should -Contain '#defaults'
    }
}
