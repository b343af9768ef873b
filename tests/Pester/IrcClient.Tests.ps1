BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
}

Describe 'Connect-ChatRoom over IRC against a PSChat server' -Tag 'E2E' {
    BeforeEach {
        $server = Start-ChatServer -Port 0
    }

    AfterEach {
        Get-ChatSession | Disconnect-ChatRoom -Confirm:$false
        $server | Stop-ChatServer -Confirm:$false
    }

    It 'speaks IRC by default (Auto) and joins #lobby when given no room' {
        $alice = Connect-ChatRoom -Port $server.Port -Name alice
        $alice.Protocol | Should -Be 'Irc'
        $alice.Name | Should -Be 'alice'
        $alice.Rooms | Should -Be @('#lobby')
        $alice.ServerName | Should -Not -BeNullOrEmpty
        $alice.MessagesPending | Should -Be 0
    }

    It 'warns with the nick it took when the server refuses the one asked for' {
        $session = Connect-ChatRoom -Port $server.Port -Name 'bad nick!' -Protocol Irc -WarningVariable refused -WarningAction SilentlyContinue
        $session.Name | Should -Be 'badnick_'
        $refused.Count | Should -Be 1
        $refused[0].Message | Should -BeLike "The server did not accept the name 'bad nick!'; session $($session.Id) took 'badnick_' instead.*at most 32 characters*"
    }

    It 'refuses a target that would inject protocol lines, and sends nothing' {
        $alice = Connect-ChatRoom -Port $server.Port -Name alice -Protocol Irc
        $bob = Connect-ChatRoom -Port $server.Port -Name bob -Protocol Irc
        { Send-ChatMessage -Session $alice -To "bob`r`nJOIN #pwned" -Text 'injected' -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvalidName,PSChat.Commands.SendChatMessageCommand'
        { Send-ChatMessage -Session $alice -Room '#lobby,#pwned' -Text 'injected' -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvalidName,PSChat.Commands.SendChatMessageCommand'
        Send-ChatMessage -Session $alice -To bob -Text 'marker'
        $next = Receive-ChatMessage -Session $bob -Kind Message, Private, Join -Count 1 -Timeout 5 -ErrorAction Stop
        $next.Kind | Should -Be 'Private'
        $next.Text | Should -Be 'marker'
        $alice.Rooms | Should -Be @('#lobby')
    }

    It 'paces what it sends when asked, in order, and not to loopback by default' {
        $bob = Connect-ChatRoom -Port $server.Port -Name bob -Protocol Irc
        $paced = Connect-ChatRoom -Port $server.Port -Name paced -Protocol Irc -MessagesPerSecond 20
        1..8 | ForEach-Object { "line $_" } | Send-ChatMessage -Session $paced
        # A burst of 5 goes at once; the rest wait their turn in the session.
        $paced.SendsPending | Should -BeGreaterThan 0
        $heard = Receive-ChatMessage -Session $bob -Kind Message -Count 8 -Timeout 15 -ErrorAction Stop
        $heard.Text | Should -Be @(1..8 | ForEach-Object { "line $_" })
        $paced.SendsPending | Should -Be 0

        # To this machine a session is not paced by its own default, but it keeps under the budget a PSChat
        # server with flood control advertises (pschat.dev/payload): 1.75 lines a second after 5 at once.
        $local = Connect-ChatRoom -Port $server.Port -Name local -Protocol Irc
        1..8 | ForEach-Object { "fast $_" } | Send-ChatMessage -Session $local
        $local.SendsPending | Should -BeGreaterThan 0
        $heard = Receive-ChatMessage -Session $bob -Kind Message -Count 8 -Timeout 15 -ErrorAction Stop
        $heard.Text | Should -Be @(1..8 | ForEach-Object { "fast $_" })
        $free = Start-ChatServer -Port 0 -FloodControl:$false
        try {
            $unpaced = Connect-ChatRoom -Port $free.Port -Name local -Protocol Irc
            1..8 | ForEach-Object { "fast $_" } | Send-ChatMessage -Session $unpaced
            $unpaced.SendsPending | Should -Be 0
        }
        finally {
            $free | Stop-ChatServer -Confirm:$false
        }
    }

    It 'joins several rooms and sends to one of them' {
        $alice = Connect-ChatRoom -Port $server.Port -Name alice -Room '#ops', 'dev' -Protocol Irc
        $bob = Connect-ChatRoom -Port $server.Port -Name bob -Room '#ops' -Protocol Irc
        $alice.Rooms | Should -Be @('#ops', '#dev')
        $joined = Receive-ChatMessage -Session $alice -Kind Join -Count 1 -Timeout 5 -ErrorAction Stop
        $joined.Sender | Should -Be 'bob'
        $joined.Room | Should -Be '#ops'

        Send-ChatMessage -Session $alice -Room '#ops' -Text 'standup in 5'

        $message = Receive-ChatMessage -Session $bob -Kind Message -Count 1 -Timeout 5 -ErrorAction Stop
        $message.Room | Should -Be '#ops'
        $message.Sender | Should -Be 'alice'
        $message.Text | Should -Be 'standup in 5'
        $message.Time.Kind | Should -Be 'Local'
        [Math]::Abs(([datetime]::Now - $message.Time).TotalSeconds) | Should -BeLessThan 5
        $message.Raw | Should -Match '^@msgid=[0-9a-f]+-[0-9a-f]+;time=\d{4}-\d\d-\d\dT[\d:.]+Z :alice!alice@127\.0\.0\.1 PRIVMSG #ops :standup in 5$'
    }

    It 'sends a private message with -To' {
        $alice = Connect-ChatRoom -Port $server.Port -Name alice -Protocol Irc
        $bob = Connect-ChatRoom -Port $server.Port -Name bob -Protocol Irc

        Send-ChatMessage -Session $alice -To bob -Text 'psst'

        $message = Receive-ChatMessage -Session $bob -Kind Private -Count 1 -Timeout 5 -ErrorAction Stop
        $message.Sender | Should -Be 'alice'
        $message.Target | Should -Be 'bob'
        $message.Room | Should -BeNullOrEmpty
        $message.Text | Should -Be 'psst'
    }

    It 'takes a suffixed nick when the name is in use, and shows it' {
        $null = Connect-ChatRoom -Port $server.Port -Name alice -Protocol Irc
        $second = Connect-ChatRoom -Port $server.Port -Name alice -Protocol Irc
        $second.Name | Should -Be 'alice_'
        (Get-ChatSession -Id $second.Id).Name | Should -Be 'alice_'
    }

    It 'splits long text on character boundaries and the room gets all of it' {
        $alice = Connect-ChatRoom -Port $server.Port -Name alice -Protocol Irc
        $bob = Connect-ChatRoom -Port $server.Port -Name bob -Protocol Irc
        $text = ('é' * 300) + ('😀' * 100) + ('x' * 100)

        Send-ChatMessage -Session $alice -Text $text

        $pieces = @(Receive-ChatMessage -Session $bob -Kind Message -Count 3 -Timeout 5 -ErrorAction Stop)
        -join $pieces.Text | Should -Be $text
        foreach ($piece in $pieces) {
            [Text.Encoding]::UTF8.GetByteCount($piece.Raw.Substring($piece.Raw.IndexOf(' ') + 1)) + 2 | Should -BeLessOrEqual 512
            $piece.Text | Should -Not -Match '\uFFFD'
        }
    }

    It 'shows the quit reason given to Disconnect-ChatRoom' {
        $alice = Connect-ChatRoom -Port $server.Port -Name alice -Protocol Irc
        $bob = Connect-ChatRoom -Port $server.Port -Name bob -Protocol Irc

        Disconnect-ChatRoom -Session $alice -Reason 'gone fishing' -Confirm:$false

        $quit = Receive-ChatMessage -Session $bob -Kind Quit -Count 1 -Timeout 5 -ErrorAction Stop
        $quit.Sender | Should -Be 'alice'
        $quit.Text | Should -Match 'gone fishing'
    }

    It 'reports a refused password as ProtocolFailed' {
        # No delay after the failure: the right password follows at once from the same address.
        $locked = Start-ChatServer -Port 0 -Password (ConvertTo-SecureString -String sesame -AsPlainText -Force) -LoginFailureDelayMilliseconds 0
        try {
        Connect-ChatRoom -Port $locked.Port -Name alice -Password (ConvertTo-SecureString -String wrong -AsPlainText -Force) -Protocol Irc -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -Be 'ProtocolFailed,PSChat.Commands.ConnectChatRoomCommand'
        $err[0].CategoryInfo.Category | Should -Be 'ProtocolError'
        $err[0].TargetObject | Should -Be "127.0.0.1:$($locked.Port)"
        $err[0].Exception.Message | Should -BeLike 'The server refused the password (464: *'
        $good = Connect-ChatRoom -Port $locked.Port -Name alice -Password (ConvertTo-SecureString -String sesame -AsPlainText -Force) -Protocol Irc
        $good.State | Should -Be 'Connected'
        }
        finally { $locked | Stop-ChatServer -Confirm:$false }
    }

    It 'reports sending with no room as NoRoom' {
        $alice = Connect-ChatRoom -Port $server.Port -Name alice -Protocol Irc
        $alice.Part('#lobby', $null)
        Wait-Until { $alice.Rooms.Count -eq 0 } -Because 'the part to be echoed'
        Send-ChatMessage -Session $alice -Text 'anyone?' -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -Be 'NoRoom,PSChat.Commands.SendChatMessageCommand'
    }
}

Describe 'Connect-ChatRoom -Protocol Auto against a text-only server' -Tag 'E2E' {
    BeforeAll {
        $server = Start-ChatServer -Port 0 -Protocol Text
    }

    AfterAll {
        Get-ChatSession | Disconnect-ChatRoom -Confirm:$false
        $server | Stop-ChatServer -Confirm:$false
    }

    It 'says one probing line, CAP LS 302, then goes on as a text client' {
        $listener = [RawClient]::new($server.Port)
        try {
            Wait-ClientCount $server 1
            $alice = Connect-ChatRoom -Port $server.Port -Name alice
            $alice.Protocol | Should -Be 'Text'
            $listener.ReadLine() | Should -Be "CAP LS 302`r`n"

            Assert-NothingBefore $listener -Marker "alice:hi`n" { Send-ChatMessage -Session $alice -Text 'hi' }
        }
        finally { $listener.Dispose() }
    }
}

Describe 'Text and IRC in the same room' -Tag 'E2E' {
    BeforeAll {
        $server = Start-ChatServer -Port 0
    }

    AfterAll {
        Get-ChatSession | Disconnect-ChatRoom -Confirm:$false
        $server | Stop-ChatServer -Confirm:$false
    }

    It 'a netcat-style client and an IRC session see each other' {
        $alice = Connect-ChatRoom -Port $server.Port -Name alice
        $carol = [RawClient]::new($server.Port)
        try {
            $carol.Send("carol:hello irc`n")
            $message = Receive-ChatMessage -Session $alice -Kind Message -Count 1 -Timeout 5 -ErrorAction Stop
            $message.Room | Should -Be '#lobby'
            $message.Sender | Should -Be 'carol'
            $message.Text | Should -Be 'hello irc'

            Send-ChatMessage -Session $alice -Text 'hello text'
            $carol.ReadLine() | Should -Be "alice:hello text`n"
        }
        finally { $carol.Dispose() }
    }
}
