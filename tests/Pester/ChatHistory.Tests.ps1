BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
}

Describe 'Get-ChatHistory' -Tag 'E2E' {
    BeforeAll {
        $server = Start-ChatServer -Port 0 -Name historypester
        $events = Watch-ServerEvent $server
        $port = $server.Port
        $alice = Connect-ChatRoom -Port $port -Name alice -Room '#ops' -Protocol Irc
        Send-ChatMessage -Session $alice -Room '#ops' -Text 'one'
        Send-ChatMessage -Session $alice -Room '#ops' -Text 'two'
        Send-ChatMessage -Session $alice -Room '#ops' -Text 'three'
        foreach ($i in 1..3) { $null = Wait-ServerEvent $events -Kind Message }
        $bob = Connect-ChatRoom -Port $port -Name bob -Room '#ops' -Protocol Irc
    }

    AfterAll {
        Get-ChatSession | Disconnect-ChatRoom -Confirm:$false
        $server | Stop-ChatServer -Confirm:$false
    }

    It 'reads a room of the only running server as ChatMessage objects, oldest first' {
        $messages = @(Get-ChatHistory -Room '#OPS')

        $messages.Text | Should -BeExactly @('one', 'two', 'three')
        $messages | ForEach-Object { $_ | Should -BeOfType PSChat.ChatMessage }
        $messages.Sender | Should -BeExactly @('alice', 'alice', 'alice')
        $messages.Room | Should -BeExactly @('#ops', '#ops', '#ops')
        $messages.Kind | Should -BeExactly @('Message', 'Message', 'Message')
        @($messages.MessageId | Select-Object -Unique).Count | Should -Be 3
    }

    It 'takes -Count (the newest), -Since and -Until, and a server from the pipeline' {
        $all = @(Get-ChatHistory -Room '#ops')

        (Get-ChatServer -Name historypester | Get-ChatHistory -Room '#ops' -Count 2).Text | Should -BeExactly @('two', 'three')
        @(Get-ChatHistory -Room '#ops' -Since (Get-Date).AddMinutes(1)) | Should -BeNullOrEmpty
        @(Get-ChatHistory -Room '#ops' -Until $all[0].Time.AddYears(-1)) | Should -BeNullOrEmpty
        (Get-ChatHistory -Room '#ops' -Since (Get-Date).AddHours(-1)).Count | Should -Be 3
    }

    It 'exports to CSV as it is' {
        $csv = Join-Path $TestDrive 'ops.csv'
        Get-ChatHistory -Room '#ops' -Since (Get-Date).AddHours(-1) | Export-Csv -Path $csv -NoTypeInformation

        (Import-Csv -Path $csv).Text | Should -BeExactly @('one', 'two', 'three')
    }

    It 'reads the same messages through a session, with the same ids and times' {
        $fromServer = @(Get-ChatHistory -Room '#ops')
        $fromSession = @(Get-ChatHistory -Session $bob -Room '#ops')

        $fromSession.Text | Should -BeExactly @('one', 'two', 'three')
        $fromSession.MessageId | Should -BeExactly $fromServer.MessageId
        $fromSession.Time | Should -Be $fromServer.Time
        $fromSession[0].SessionId | Should -Be $bob.Id
    }

    It 'pages back through a session when -Count passes the server limit' {
        $paging = Start-ChatServer -Port 0 -Name historypaging -MaxHistoryLines 2
        try {
            $writer = Connect-ChatRoom -Port $paging.Port -Name writer -Room '#p' -Protocol Irc
            $pagingEvents = Watch-ServerEvent $paging
            1..5 | ForEach-Object { Send-ChatMessage -Session $writer -Room '#p' -Text "m$_" }
            foreach ($i in 1..5) { $null = Wait-ServerEvent $pagingEvents -Kind Message }

            (Get-ChatHistory -Session $writer -Room '#p' -Count 4).Text | Should -BeExactly @('m2', 'm3', 'm4', 'm5')
            (Get-ChatHistory -Session $writer -Room '#p').Text | Should -BeExactly @('m1', 'm2', 'm3', 'm4', 'm5')
        }
        finally {
            $paging | Stop-ChatServer -Confirm:$false
        }
    }

    It 'writes RoomNotFound for a room the server does not have' {
        Get-ChatHistory -Room '#nowhere' -ErrorAction SilentlyContinue -ErrorVariable err | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeExactly 'RoomNotFound,PSChat.Commands.GetChatHistoryCommand'
    }

    It 'writes HistoryRefused for a room the session is not in' {
        Get-ChatHistory -Session $bob -Room '#elsewhere' -ErrorAction SilentlyContinue -ErrorVariable err | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeExactly 'HistoryRefused,PSChat.Commands.GetChatHistoryCommand'
        $err[0].Exception.Message | Should -Match 'INVALID_TARGET'
    }

    It 'writes HistoryNotSupported through a session to a server without history' {
        $bare = Start-ChatServer -Port 0 -Name historyless -HistorySize 0
        try {
            $carol = Connect-ChatRoom -Port $bare.Port -Name carol -Room '#ops' -Protocol Irc
            Get-ChatHistory -Session $carol -ErrorAction SilentlyContinue -ErrorVariable err | Should -BeNullOrEmpty
            $err[0].FullyQualifiedErrorId | Should -BeExactly 'HistoryNotSupported,PSChat.Commands.GetChatHistoryCommand'
            $err[0].Exception.Message | Should -Match 'draft/chathistory'
        }
        finally {
            $bare | Stop-ChatServer -Confirm:$false
        }
    }

    It 'stops with AmbiguousChatServer when several servers run and none is named' {
        $other = Start-ChatServer -Port 0 -Name historyother
        try {
            { Get-ChatHistory -Room '#ops' -ErrorAction Stop } | Should -Throw -ErrorId 'AmbiguousChatServer,PSChat.Commands.GetChatHistoryCommand'
        }
        finally {
            $other | Stop-ChatServer -Confirm:$false
        }
    }
}

Describe 'Start-ChatServer -TextHistoryLines' -Tag 'E2E' {
    It 'sends a text client that joins the last lines, as text, and none by default' {
        $server = Start-ChatServer -Port 0 -Name texthistory -TextHistoryLines 2 -Protocol Text
        $events = Watch-ServerEvent $server
        $first = [RawClient]::new($server.Port)
        $late = $null
        try {
            $null = Wait-ServerEvent $events -Kind Joined
            $first.Send("alice:one`nalice:two`nalice:three`n")
            foreach ($i in 1..3) { $null = Wait-ServerEvent $events -Kind Message }
            $late = [RawClient]::new($server.Port)

            $late.ReadLine() | Should -BeExactly "alice:two`n"
            $late.ReadLine() | Should -BeExactly "alice:three`n"
            Assert-NothingBefore -Client $late -Marker "alice:live`n" -CauseMarker { $first.Send("alice:live`n") }
        }
        finally {
            $first.Dispose()
            if ($late) { $late.Dispose() }
            $server | Stop-ChatServer -Confirm:$false
        }
    }
}
