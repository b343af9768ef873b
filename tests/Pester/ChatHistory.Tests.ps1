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

Describe 'Start-ChatServer -DataPath' -Tag 'E2E' {
    BeforeAll {
        # The module points SQLite at its native library when a server first opens a store: this process
        # reads the store of another in a test below, so one store is opened here first.
        Start-ChatServer -Port 0 -DataPath (Join-Path $TestDrive 'first') | Stop-ChatServer -Confirm:$false
        function Connect-IrcRaw([int] $Port, [string] $Nick, [string] $Capabilities) {
            $client = [RawClient]::new($Port)
            if ($Capabilities) {
                # Asked for before registration, so they are on before the welcome (no ACK to wait for).
                $client.Send("CAP LS 302`r`nCAP REQ :$Capabilities`r`nCAP END`r`n")
            }
            $client.Send("NICK $Nick`r`nUSER $Nick 0 * :$Nick`r`n")
            do { $line = $client.ReadLine() } until ($line -match '^:\S+ (376|422) ')
            $client
        }
    }

    It 'serves the same channels, topics, keys, bans, accounts and history after a restart on the same folder' {
        # One folder holds all the server keeps: the store (pschat.db) and the account file beside it.
        $dir = Join-Path $TestDrive 'restart'
        $store = Join-Path $dir 'accounts.txt'
        $server = Start-ChatServer -Port 0 -Name persisted -DataPath $dir -AccountStore $store
        $alice = Connect-IrcRaw $server.Port alice
        try {
            $password = ConvertTo-SecureString -String 'carol-secret' -AsPlainText -Force
            $null = New-ChatAccount -Server $server -Credential ([pscredential]::new('carol', $password))
            $alice.Send("JOIN #kept`r`nTOPIC #kept :the kept topic`r`nMODE #kept +kb sesame mallory`r`n")
            $alice.Send("PRIVMSG #kept :first`r`nPRIVMSG #kept :second`r`nPING :done`r`n")
            do { $line = $alice.ReadLine() } until ($line -like '*PONG*done*')
            $before = @(Get-ChatHistory -Server $server -Room '#kept')
        }
        finally {
            $alice.Dispose()
            $server | Stop-ChatServer -Confirm:$false
        }

        $again = Start-ChatServer -Port 0 -Name persisted2 -DataPath $dir -AccountStore $store
        $bob = Connect-IrcRaw $again.Port bob 'batch draft/chathistory message-tags server-time'
        try {
            (Get-ChatAccount -Server $again).Name | Should -BeExactly 'carol'
            $after = @(Get-ChatHistory -Server $again -Room '#kept')
            $after.Text | Should -BeExactly @('first', 'second')
            $after.MessageId | Should -BeExactly $before.MessageId
            $after.Time | Should -Be $before.Time

            $bob.Send("JOIN #kept`r`n")
            $bob.ReadLine() | Should -BeLike '* 475 bob #kept :Cannot join channel (+k)*'
            $bob.Send("JOIN #kept sesame`r`n")
            do { $line = $bob.ReadLine() } until ($line -match ' (332|366) ')
            $line | Should -BeLike '*332 bob #kept :the kept topic*'
            do { $line = $bob.ReadLine() } until ($line -match ' 366 ')
            $bob.Send("CHATHISTORY LATEST #kept * 10`r`n")
            $opened = $bob.ReadLine()
            $opened -match '^:\S+ BATCH \+(\S+) chathistory #kept\r\n$' | Should -BeTrue -Because "'$opened' opens the batch"
            $batch = $Matches[1]
            foreach ($message in $before) {
                $replayed = $bob.ReadLine()
                $replayed | Should -BeLike "*batch=$batch*"
                $replayed | Should -BeLike "*msgid=$($message.MessageId)*"
                $replayed | Should -Match " PRIVMSG #kept :?$($message.Text)\r\n$"
            }
            $bob.ReadLine() | Should -Match "^:\S+ BATCH -$batch\r\n$"

            $dave = Connect-ChatRoom -Port $again.Port -Name dave -Protocol Irc
            Join-ChatRoom -Session $dave -Room '#kept' -Key sesame
            $fromSession = @(Get-ChatHistory -Session $dave -Room '#kept')
            $fromSession.Text | Should -BeExactly @('first', 'second')
            $fromSession.MessageId | Should -BeExactly $before.MessageId

            $mallory = Connect-ChatRoom -Port $again.Port -Name mallory -Protocol Irc
            Join-ChatRoom -Session $mallory -Room '#kept' -Key sesame -ErrorAction SilentlyContinue -ErrorVariable refused
            $refused[0].FullyQualifiedErrorId | Should -BeExactly 'ServerRefused,PSChat.Commands.JoinChatRoomCommand'
            $refused[0].Exception.Numeric | Should -BeExactly '474'
        }
        finally {
            $bob.Dispose()
            Get-ChatSession | Disconnect-ChatRoom -Confirm:$false
            $again | Stop-ChatServer -Confirm:$false
        }
    }

    It 'keeps every batch it wrote, in order, and a sound store when the process is killed in a burst' {
        $dir = Join-Path $TestDrive 'crash'
        $database = Join-Path $dir 'pschat.db'
        # A room's messages as the store holds them, through a read-only connection of this process (the
        # server's writer is another process): a WAL reader sees every committed batch and no other.
        $readStore = {
            $connection = [Microsoft.Data.Sqlite.SqliteConnection]::new("Data Source=$database;Mode=ReadOnly;Pooling=False")
            try {
                $connection.Open()
                $command = $connection.CreateCommand()
                $command.CommandText = "SELECT text FROM messages WHERE room = '#burst' ORDER BY id"
                $reader = $command.ExecuteReader()
                $texts = [System.Collections.Generic.List[string]]::new()
                while ($reader.Read()) { $texts.Add($reader.GetString(0)) }
                $reader.Dispose()
                , $texts
            }
            finally {
                $connection.Dispose()
            }
        }
        $pwsh = @(Get-PwshCommand)
        $script = "Import-Module '$env:PSCHAT_MODULE'; `$s = Start-ChatServer -Port 0 -DataPath '$dir' -FloodControl:`$false -HistorySize 1000000; 'port ' + `$s.Port; `$null = [Console]::In.ReadToEnd()"
        $child = Start-Program -Path $pwsh[0] -ArgumentList (@($pwsh | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-Command', $script))
        $writer = $null
        $reader = $null
        $acknowledged = [System.Collections.Generic.List[string]]::new()
        try {
            $portLine = $child.StandardOutput.ReadLine()
            $portLine | Should -Match '^port \d+$'
            $port = [int]($portLine -split ' ')[1]
            $reader = Connect-IrcRaw $port reader
            $reader.Send("JOIN #burst`r`n")
            do { $line = $reader.ReadLine() } until ($line -match ' 366 ')
            $writer = Connect-IrcRaw $port writer
            $writer.Send("JOIN #burst`r`n")
            $readDelivered = {
                param([int] $Count)
                while ($Count -gt 0) {
                    if ($reader.ReadLine(20000) -match ' PRIVMSG #burst :?(m\d+)\r\n$') { $acknowledged.Add($Matches[1]); $Count-- }
                }
            }
            # Chunks the reader sees delivered, until a batch is proven on disk (however long the writer
            # thread takes on a loaded machine): the kill must come after the store has something to keep.
            $sent = 0
            $chunk = 200
            $proven = 0
            while ($proven -eq 0) {
                if ($sent -ge 100000) { throw "No batch on disk after $sent messages." }
                $writer.Send(-join ($sent..($sent + $chunk - 1) | ForEach-Object { "PRIVMSG #burst :m$_`r`n" }))
                $sent += $chunk
                & $readDelivered $chunk
                $proven = (& $readStore).Count
            }

            # The burst: the kill comes once the server has begun to deliver it, while it works through it.
            $burst = 5000
            $writer.Send(-join ($sent..($sent + $burst - 1) | ForEach-Object { "PRIVMSG #burst :m$_`r`n" }))
            $sent += $burst
            & $readDelivered 1
            # SIGKILL: no chance to write what waits, or to close the store.
            $child.Kill()
            $child.WaitForExit(10000) | Should -BeTrue
            # What the reader was sent before the process died is still readable, then the close.
            $reader.WaitForClose(20000) | Should -BeTrue
            while ($reader.Pending.IndexOf([byte]10) -ge 0) {
                if ($reader.ReadLine() -match ' PRIVMSG #burst :?(m\d+)\r\n$') { $acknowledged.Add($Matches[1]) }
            }
        }
        finally {
            if ($writer) { $writer.Dispose() }
            if ($reader) { $reader.Dispose() }
            Stop-Program $child
        }

        # The store opens again (SQLite recovers its WAL) and serves what it kept.
        $again = Start-ChatServer -Port 0 -Name crashed -DataPath $dir -HistorySize 1000000
        try {
            $served = @((Get-ChatHistory -Server $again -Room '#burst' -Count 3).Text)
        }
        finally {
            $again | Stop-ChatServer -Confirm:$false
        }

        $check = [Microsoft.Data.Sqlite.SqliteConnection]::new("Data Source=$database;Mode=ReadOnly;Pooling=False")
        try {
            $check.Open()
            $command = $check.CreateCommand()
            $command.CommandText = 'PRAGMA integrity_check'
            $command.ExecuteScalar() | Should -BeExactly 'ok'
        }
        finally {
            $check.Dispose()
        }

        $kept = (& $readStore).ToArray()
        $kept.Count | Should -BeGreaterOrEqual $proven -Because 'a committed batch survives the kill'
        $kept.Count | Should -BeLessOrEqual $sent
        $kept | Should -BeExactly @(0..($kept.Count - 1) | ForEach-Object { "m$_" }) -Because 'what was kept is what was sent first, in order, with no gap'
        # The reader saw what the server delivered, in order; the store holds a prefix of the same run. (It
        # may hold a few more than the reader read: a message is kept just before it is delivered, and the
        # process can die before the reader's copy reached the socket.)
        $acknowledged | Should -BeExactly @(0..($acknowledged.Count - 1) | ForEach-Object { "m$_" })
        $acknowledged.Count | Should -BeGreaterOrEqual $proven
        $served | Should -BeExactly @($kept | Select-Object -Last 3)
    }

    It 'stops with DataPathUnusable when the folder is a file' {
        $file = Join-Path $TestDrive 'a-file'
        Set-Content -Path $file -Value 'x'
        { Start-ChatServer -Port 0 -DataPath $file } | Should -Throw -ErrorId 'DataPathUnusable,PSChat.Commands.StartChatServerCommand'
    }
}
