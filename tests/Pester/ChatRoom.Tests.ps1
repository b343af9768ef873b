BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1

    function New-TextSession {
        param([Parameter(Mandatory)] $Server, [string] $Name, [int] $BufferCapacity = 10000)
        $arguments = @{ Port = $Server.Port; Protocol = 'Text'; BufferCapacity = $BufferCapacity }
        if ($Name) { $arguments.Name = $Name }
        Connect-ChatRoom @arguments
    }

    function Start-ReceiveWait {
        # Receive-ChatMessage -Wait on a session, in a runspace of its own.
        param([Parameter(Mandatory)] $Session)
        Start-InRunspace 'Receive-ChatMessage -Session $Arguments[0] -Wait' -ArgumentList $Session
    }
}

Describe 'Chat rooms end to end' -Tag 'E2E' {
    BeforeEach {
        $server = Start-ChatServer -Port 0
    }

    AfterEach {
        Get-ChatSession | Disconnect-ChatRoom -Confirm:$false
        $server | Stop-ChatServer -Confirm:$false
    }

    Context 'sessions' {
        It 'carries a message from one session to another with sender, room and session id' {
            $alice = New-TextSession $server -Name alice
            $bob = New-TextSession $server -Name bob
            Wait-ClientCount $server 2

            Send-ChatMessage -Session $alice -Text 'hi bob'
            $message = Receive-ChatMessage -Session $bob -Count 1 -Timeout 5

            $message | Should -BeOfType PSChat.ChatMessage
            $message.Sender | Should -Be 'alice'
            $message.Text | Should -Be 'hi bob'
            $message.Kind | Should -Be 'Message'
            $message.SessionId | Should -Be $bob.Id
            Assert-NothingBefore $alice -Marker 'hi alice' { Send-ChatMessage -Session $bob -Text 'hi alice' }
        }

        It 'returns a ChatSession that is the default for the other cmdlets' {
            $first = New-TextSession $server -Name first
            $newest = New-TextSession $server -Name newest
            $newest | Should -BeOfType PSChat.ChatSession
            $newest.State | Should -Be 'Connected'
            $newest.Protocol | Should -Be 'Text'
            $newest.RemoteEndPoint.Port | Should -Be $server.Port
            Wait-ClientCount $server 2

            Send-ChatMessage -Text 'from the default session'
            (Receive-ChatMessage -Session $first -Count 1 -Timeout 5).Sender | Should -Be 'newest'
            (Get-ChatSession -Name 'new*').Id | Should -Be $newest.Id
        }

        It 'sends one message per pipeline object and per line, in their text form' {
            $alice = New-TextSession $server -Name alice
            $raw = [RawClient]::new($server.Port)
            Wait-ClientCount $server 2

            1, 'two', "three`nfour", [pscustomobject]@{ Name = 'x' } | Send-ChatMessage -Session $alice

            $raw.ReadLine() | Should -Be "alice:1`n"
            $raw.ReadLine() | Should -Be "alice:two`n"
            $raw.ReadLine() | Should -Be "alice:three`n"
            $raw.ReadLine() | Should -Be "alice:four`n"
            $raw.ReadLine() | Should -Be "alice:@{Name=x}`n"
            $raw.Dispose()
        }

        It 'never lets text inject protocol bytes' {
            $alice = New-TextSession $server -Name alice
            $raw = [RawClient]::new($server.Port)
            Wait-ClientCount $server 2

            Send-ChatMessage -Session $alice -Text "a`rb`0c`e[2Jd"

            $raw.ReadLine() | Should -Be "alice:a`n"
            $raw.ReadLine() | Should -Be "alice:bc[2Jd`n"
            $raw.Dispose()
        }

        It 'writes what it sent with -PassThru' {
            $alice = New-TextSession $server -Name alice
            $sent = Send-ChatMessage -Session $alice -Text 'echo' -PassThru
            $sent | Should -BeOfType PSChat.ChatMessage
            $sent.Sender | Should -Be 'alice'
            $sent.Text | Should -Be 'echo'
        }

        It 'binds messages back to their session by SessionId (a relay)' {
            $alice = New-TextSession $server -Name alice
            $bob = New-TextSession $server -Name bob
            $carol = New-TextSession $server -Name carol
            Wait-ClientCount $server 3

            Send-ChatMessage -Session $alice -Text 'relay me'
            Receive-ChatMessage -Session $bob -Count 1 -Timeout 5 | Send-ChatMessage
            $seen = Receive-ChatMessage -Session $carol -Count 2 -Timeout 5
            $seen.Sender | Should -Be @('alice', 'bob')
            $seen.Text | Should -Be @('relay me', 'relay me')
        }

        It 'counts overflow of a full buffer instead of losing silently' {
            $reader = New-TextSession $server -Name reader -BufferCapacity 5
            $raw = [RawClient]::new($server.Port)
            Wait-ClientCount $server 2

            1..10 | ForEach-Object { $raw.Send("x:$_`n") }
            Wait-Until { $reader.MessagesReceived -eq 10 } -Because 'all ten messages'

            $reader.MessagesDropped | Should -Be 5
            (Receive-ChatMessage -Session $reader -WarningVariable dropped -WarningAction SilentlyContinue).Text | Should -Be @('6', '7', '8', '9', '10')
            # The reader hears of the drop once, with what to do about it.
            $dropped.Count | Should -Be 1
            $dropped[0].Message | Should -BeLike '5 message(s) to session * were dropped before they were read: its buffer holds 5.*-BufferCapacity*'
            $raw.Send("x:11`n")
            (Receive-ChatMessage -Session $reader -Count 1 -Timeout 5 -WarningVariable again).Text | Should -Be '11'
            $again.Count | Should -Be 0
            $raw.Dispose()
        }

        It 'reports a missing session, a closed session and a short receive with stable error ids' {
            Get-ChatSession | Disconnect-ChatRoom -Confirm:$false
            { Send-ChatMessage -Text 'x' } | Should -Throw -ErrorId 'NoSession,PSChat.Commands.SendChatMessageCommand'

            $gone = New-TextSession $server -Name gone
            Disconnect-ChatRoom -Session $gone -Confirm:$false
            $gone.State | Should -Be 'Closed'
            Send-ChatMessage -Session $gone -Text 'x' -ErrorVariable err -ErrorAction SilentlyContinue
            $err[0].FullyQualifiedErrorId | Should -Be 'SessionClosed,PSChat.Commands.SendChatMessageCommand'
            $err[0].CategoryInfo.Category | Should -Be 'ConnectionError'

            $lonely = New-TextSession $server -Name lonely
            Receive-ChatMessage -Session $lonely -Count 1 -Timeout 0 -ErrorVariable err2 -ErrorAction SilentlyContinue
            $err2[0].FullyQualifiedErrorId | Should -Be 'ReceiveTimedOut,PSChat.Commands.ReceiveChatMessageCommand'
            $err2[0].TargetObject.Id | Should -Be $lonely.Id
        }

        It 'refuses a connection nobody listens for with ConnectionFailed' {
            $port = $server.Port
            $server | Stop-ChatServer -Confirm:$false
            Connect-ChatRoom -Port $port -Protocol Text -ErrorVariable err -ErrorAction SilentlyContinue
            $err[0].FullyQualifiedErrorId | Should -Be 'ConnectionFailed,PSChat.Commands.ConnectChatRoomCommand'
        }

        It 'disconnects from the pipeline, not with -WhatIf' {
            $session = New-TextSession $server -Name leaving
            $session | Disconnect-ChatRoom -WhatIf
            $session.State | Should -Be 'Connected'
            Get-ChatSession -Id $session.Id | Disconnect-ChatRoom -Confirm:$false
            $session.State | Should -Be 'Closed'
            Get-ChatSession | Where-Object Id -EQ $session.Id | Should -BeNullOrEmpty
        }
    }

    Context 'plain text clients' {
        It 'takes a raw client message with no line end as one message (the tutorial client)' {
            $bob = New-TextSession $server -Name bob
            $raw = [RawClient]::new($server.Port)
            Wait-ClientCount $server 2

            $raw.Send('carol:hi')
            $message = Receive-ChatMessage -Session $bob -Count 1 -Timeout 5
            $message.Sender | Should -Be 'carol'
            $message.Text | Should -Be 'hi'
            $raw.Dispose()
        }

        It 'relays lines between plain clients byte for byte, to everyone else' {
            $a = [RawClient]::new($server.Port)
            $b = [RawClient]::new($server.Port)
            $c = [RawClient]::new($server.Port)
            Wait-ClientCount $server 3

            $a.Send("alice:hello`r`n")
            $b.ReadLine() | Should -Be "alice:hello`r`n"
            $c.ReadLine() | Should -Be "alice:hello`r`n"
            Assert-NothingBefore $a -Marker "bob:marker`r`n" { $b.Send("bob:marker`r`n") }
            $a, $b, $c | ForEach-Object Dispose
        }

        It 'talks with netcat running as a second process' {
            if (-not (Get-Command nc -CommandType Application -ErrorAction Ignore)) {
                Set-ItResult -Skipped -Because 'nc is not installed'
                return
            }
            $bob = New-TextSession $server -Name bob
            $start = [System.Diagnostics.ProcessStartInfo]::new('nc', "-N 127.0.0.1 $($server.Port)")
            $start.RedirectStandardInput = $true
            $start.RedirectStandardOutput = $true
            $start.UseShellExecute = $false
            $nc = [System.Diagnostics.Process]::Start($start)
            try {
                Wait-ClientCount $server 2
                $nc.StandardInput.Write("dave:hello from nc`n")
                $nc.StandardInput.Flush()
                $fromNc = Receive-ChatMessage -Session $bob -Count 1 -Timeout 5
                $fromNc.Sender | Should -Be 'dave'
                $fromNc.Text | Should -Be 'hello from nc'

                Send-ChatMessage -Session $bob -Text 'hi nc'
                $line = $nc.StandardOutput.ReadLineAsync()
                $line.Wait(5000) | Should -BeTrue
                $line.Result | Should -Be 'bob:hi nc'

                $nc.StandardInput.Close()
                $nc.WaitForExit(5000) | Should -BeTrue
                Wait-Until { $server.ClientCount -eq 1 } -Because 'netcat to leave'
            }
            finally {
                if (-not $nc.HasExited) { $nc.Kill() }
                $nc.Dispose()
            }
        }

        It 'removes only the client that says exit' {
            $events = Watch-ServerEvent $server
            $a = [RawClient]::new($server.Port)
            $b = [RawClient]::new($server.Port)
            $c = [RawClient]::new($server.Port)
            Wait-ClientCount $server 3

            $a.Send('exit')
            $a.WaitForClose(5000) | Should -BeTrue
            (Wait-ServerEvent $events -Kind Disconnected).Reason | Should -Be 'client said exit'
            $b.Send("bob:still here`n")
            $c.ReadLine() | Should -Be "bob:still here`n"
            $a, $b, $c | ForEach-Object Dispose
        }
    }

    Context 'bad input: <Case>' -ForEach @(
        @{ Case = 'invalid UTF-8'; Bytes = [byte[]](0xC3, 0x28, 10); Reason = 'line is not valid UTF-8' }
        @{ Case = 'a NUL byte'; Bytes = [byte[]](0x61, 0, 0x62, 10); Reason = 'line contains a NUL byte' }
        @{ Case = 'a control byte'; Bytes = [byte[]](0x1B, 0x5B, 0x32, 0x4A, 10); Reason = 'line contains control byte 0x1B' }
        @{ Case = 'an overlong line'; Bytes = [System.Text.Encoding]::ASCII.GetBytes(('x' * 9000) + "`n"); Reason = 'line longer than 8192 bytes (9000 seen)' }
    ) {
        It 'refuses it with a clear error to the sender, and the room carries on' {
            $events = Watch-ServerEvent $server
            $bad = [RawClient]::new($server.Port)
            $alice = New-TextSession $server -Name alice
            $bob = New-TextSession $server -Name bob
            Wait-ClientCount $server 3

            $bad.SendBytes($Bytes)

            $bad.ReadLine() | Should -Be "*** error: $Reason; the line was not sent`n"
            (Wait-ServerEvent $events -Kind Rejected).Reason | Should -Be $Reason
            Send-ChatMessage -Session $alice -Text 'still working'
            (Receive-ChatMessage -Session $bob -Count 1 -Timeout 5).Text | Should -Be 'still working'
            $bad.Send("bad:recovered`n")
            (Receive-ChatMessage -Session $bob -Count 1 -Timeout 5).Text | Should -Be 'recovered'
            $bad.Dispose()
        }
    }

    Context 'bad input: binary garbage and silence' {
        It 'disconnects a client sending binary garbage, with the reason in the events' {
            $events = Watch-ServerEvent $server
            $garbage = [RawClient]::new($server.Port)
            $alice = New-TextSession $server -Name alice
            $bob = New-TextSession $server -Name bob
            Wait-ClientCount $server 3
            $random = [System.Random]::new(42)
            $bytes = [byte[]]::new(4096)
            $random.NextBytes($bytes)
            for ($i = 0; $i -lt $bytes.Length; $i += 97) { $bytes[$i] = 10 }
            for ($i = 1; $i -lt $bytes.Length; $i += 7) { $bytes[$i] = 0xFF }

            $garbage.SendBytes($bytes)

            $garbage.WaitForClose(5000) | Should -BeTrue
            $gone = Wait-ServerEvent $events -Kind Disconnected -Where { param($e) $e.Client -eq $garbage.LocalEndPoint() }
            $gone.Reason | Should -Be '10 refused lines in a row'
            Send-ChatMessage -Session $alice -Text 'after the garbage'
            # Stretches of the garbage that happen to be valid text were relayed before it.
            $after = Receive-ChatMessage -Session $bob -Wait -Timeout 5 | Where-Object Sender -EQ 'alice' | Select-Object -First 1
            $after.Text | Should -Be 'after the garbage'
        }

        It 'keeps a client that never speaks as a listener, without disturbing anyone' {
            $silent = [RawClient]::new($server.Port)
            $alice = New-TextSession $server -Name alice
            $bob = New-TextSession $server -Name bob
            Wait-ClientCount $server 3

            Send-ChatMessage -Session $alice -Text 'anyone?'
            (Receive-ChatMessage -Session $bob -Count 1 -Timeout 5).Text | Should -Be 'anyone?'
            $silent.ReadLine() | Should -Be "alice:anyone?`n"
            $silent.Dispose()
        }
    }

    Context 'many clients' {
        BeforeEach {
            # Fan-out under load, not flood control: every client sends its 50 lines at once.
            $server | Stop-ChatServer -Confirm:$false
            $server = Start-ChatServer -Port 0 -FloodControl:$false
        }

        It 'delivers 50 numbered messages from each of 100 concurrent clients to every other client, in order' {
            $sessions = 0..99 | ForEach-Object { New-TextSession $server -Name "c$_" }
            Wait-ClientCount $server 100 -TimeoutMs 20000

            $sessions | ForEach-Object -ThrottleLimit 10 -Parallel {
                Import-Module $env:PSCHAT_MODULE
                $session = $_
                1..50 | ForEach-Object { "$_" } | Send-ChatMessage -Session $session
            }

            foreach ($session in $sessions) {
                $messages = Receive-ChatMessage -Session $session -Count 4950 -Timeout 60
                $messages.Count | Should -Be 4950 -Because "session $($session.Name) gets everyone else's messages"
                $next = @{}
                foreach ($m in $messages) {
                    $expected = 1 + [int] $next[$m.Sender]
                    if ([int] $m.Text -ne $expected) { throw "$($session.Name): from $($m.Sender) got $($m.Text), expected $expected" }
                    $next[$m.Sender] = $expected
                }
                $next.Count | Should -Be 99
                $next.ContainsKey($session.Name) | Should -BeFalse
                $session.MessagesDropped | Should -Be 0
            }
        }
    }

    Context 'waiting and threads' {
        It 'stops Receive-ChatMessage -Wait when the pipeline is stopped (Ctrl+C)' {
            $session = New-TextSession $server -Name waiter
            $raw = [RawClient]::new($server.Port)
            Wait-ClientCount $server 2
            $run = Start-ReceiveWait $session
            try {
                # The first message proves the cmdlet is streaming before it is stopped.
                $raw.Send("x:first`n")
                Wait-Until { $run.Output.Count -eq 1 } -Because 'the first streamed message'
                # -Wait has no end of its own: a stop that is not noticed never completes. The bound is
                # generous for a loaded machine; only a failure waits for it.
                $null = $run.PowerShell.BeginStop($null, $null)
                $run.Async.AsyncWaitHandle.WaitOne(10000) | Should -BeTrue
                $run.PowerShell.InvocationStateInfo.State | Should -Be 'Stopped'
                $run.Output[0].Text | Should -Be 'first'
            }
            finally {
                $run.PowerShell.Dispose()
                $raw.Dispose()
            }
        }

        It 'ends Receive-ChatMessage -Wait when the session closes' {
            $session = New-TextSession $server -Name closing
            $run = Start-ReceiveWait $session
            try {
                Wait-Until { $run.PowerShell.InvocationStateInfo.State -eq 'Running' } -Because 'the wait to start'
                $server | Stop-ChatServer -Confirm:$false
                $run.Async.AsyncWaitHandle.WaitOne(5000) | Should -BeTrue
                $result = $run.Snapshot()
                $result.Text | Should -Be 'server is shutting down'
                $result.Kind | Should -Be 'System'
            }
            finally { $run.PowerShell.Dispose() }
        }

        It 'lets one thread job wait on a session while another sends on it (a bot)' {
            $bot = New-TextSession $server -Name bot
            $alice = New-TextSession $server -Name alice
            Wait-ClientCount $server 2
            $module = $env:PSCHAT_MODULE
            $listener = Start-ThreadJob -ArgumentList $bot, $module -ScriptBlock {
                param($session, $module)
                Import-Module $module
                Receive-ChatMessage -Session $session -Wait -Count 2 -Timeout 20
            }
            $speaker = Start-ThreadJob -ArgumentList $bot, $module -ScriptBlock {
                param($session, $module)
                Import-Module $module
                Send-ChatMessage -Session $session -Text 'bot online'
            }
            try {
                (Receive-ChatMessage -Session $alice -Count 1 -Timeout 10).Text | Should -Be 'bot online'
                Send-ChatMessage -Session $alice -Text 'ping 1', 'ping 2'
                $heard = $listener | Wait-Job -Timeout 20 | Receive-Job
                $heard.Text | Should -Be @('ping 1', 'ping 2')
                $speaker | Wait-Job -Timeout 10 | Receive-Job -ErrorAction Stop
            }
            finally {
                $listener, $speaker | Remove-Job -Force
            }
        }

        It 'keeps a thread job''s session out of the console''s list and default' {
            $console = New-TextSession $server -Name console
            $module = $env:PSCHAT_MODULE
            $job = Start-ThreadJob -ArgumentList $server.Port, $module -ScriptBlock {
                param($port, $module)
                Import-Module $module
                $null = Connect-ChatRoom -Port $port -Name jobbot -Protocol Text
                [pscustomobject]@{ Sessions = @(Get-ChatSession).Name }
                Receive-ChatMessage -Count 1 -Timeout 20
            }
            try {
                Wait-ClientCount $server 2
                @(Get-ChatSession).Name | Should -Be @('console')
                # Without -Session, the console speaks as itself, not as the job's newer session.
                Send-ChatMessage -Text 'meant as console'
                $out = @($job | Wait-Job -Timeout 20 | Receive-Job)
                $out[0].Sessions | Should -Be @('jobbot')
                $out[1].Sender | Should -Be 'console'
                $out[1].Text | Should -Be 'meant as console'
            }
            finally {
                $job | Remove-Job -Force
                Disconnect-ChatRoom -Session $console -Confirm:$false
            }
        }
    }
}

Describe 'build.ps1 Demo' -Tag 'E2E' {
    It 'prints the conversation of alice and the time bot, and stops everything' {
        $pwsh = Join-Path $PSHOME 'pwsh.dll'
        $output = & dotnet $pwsh -NoProfile -NonInteractive -File (Join-Path $PSScriptRoot '../../examples/Demo.ps1') -ModulePath $env:PSCHAT_MODULE 6>&1 2>&1 | Out-String
        $LASTEXITCODE | Should -Be 0 -Because $output
        $output | Should -Match "PSChat demo: server 'DemoServer' on 127\.0\.0\.1:\d+, default room #lobby"
        $output | Should -Match '\] alice: !help'
        $output | Should -Match '\] timebot: Commands \(!help <command> for its parameters\):'
        $output | Should -Match '\] timebot: !time'
        $output | Should -Match '\] alice: !time'
        $output | Should -Match '\] timebot: It is \d\d:\d\d:\d\d here\.'
        $output | Should -Match '\] alice: Thanks, bye!'
        $output | Should -Match 'Server stopped; 0 sessions and 0 servers left\.'
    }
}
