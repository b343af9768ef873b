# The tutorial's greeting services (programs 1 and 2), both sides: PSChat's servers against raw
# clients that behave exactly like the tutorial's, PSChat's clients against PSChat's servers and
# against tiny servers written here, and the tutorial's own programs (tests/tutorial, Python 3).
BeforeDiscovery {
    # The tutorial's programs run under python3, each bounded by coreutils' timeout.
    $HasPython = -not ('python3', 'timeout' | Where-Object { -not (Get-Command $_ -CommandType Application -ErrorAction Ignore) })
}

BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    $script:Utf8 = [System.Text.Encoding]::UTF8
    $script:TutorialDir = Join-Path $PSScriptRoot '../tutorial'
    $script:Names = 'zhangkang', 'jack', 'tom'

    class RawUdp : System.IDisposable {
        # An unconnected UDP socket like the tutorial's client: sendto a port, recv with a deadline.
        [System.Net.Sockets.UdpClient] $Udp = [System.Net.Sockets.UdpClient]::new([System.Net.IPEndPoint]::new([System.Net.IPAddress]::Loopback, 0))

        [void] SendBytes([byte[]] $Bytes, [int] $Port) { $null = $this.Udp.Send($Bytes, $Bytes.Length, [System.Net.IPEndPoint]::new([System.Net.IPAddress]::Loopback, $Port)) }

        [void] Send([string] $Text, [int] $Port) { $this.SendBytes([System.Text.Encoding]::UTF8.GetBytes($Text), $Port) }

        # The next datagram's bytes; a TimeoutException when none comes in time.
        [byte[]] ReceiveBytes([int] $TimeoutMs) {
            $receive = $this.Udp.ReceiveAsync()
            if (-not $receive.Wait($TimeoutMs)) { $this.Udp.Dispose(); throw [System.TimeoutException]::new("No datagram within $TimeoutMs ms.") }
            return $receive.Result.Buffer
        }

        [string] Receive() { return [System.Text.Encoding]::UTF8.GetString($this.ReceiveBytes(5000)) }

        [int] Port() { return $this.Udp.Client.LocalEndPoint.Port }

        [void] Dispose() { $this.Udp.Dispose() }
    }

    function Start-Responder {
        # A tiny server written in the test, run in its own runspace; $Body gets the bound socket as $args[0].
        param([Parameter(Mandatory)] $Socket, [Parameter(Mandatory)][string] $Body)
        $ps = [powershell]::Create()
        $null = $ps.AddScript($Body).AddArgument($Socket)
        $null = $ps.BeginInvoke()
        $ps
    }

    function Invoke-Tutorial {
        # Runs one of the tutorial's Python programs against a port, bounded, and returns its lines.
        param([Parameter(Mandatory)][string] $Program, [Parameter(Mandatory)][int] $Port)
        $lines = & timeout 20 python3 -u (Join-Path $TutorialDir $Program) $Port
        if ($LASTEXITCODE -ne 0) { throw "$Program exited with $LASTEXITCODE." }
        $lines
    }

    function Start-TutorialServer {
        # Starts one of the tutorial's Python servers on a free port; returns the process and its port.
        param([Parameter(Mandatory)][string] $Program)
        $info = [System.Diagnostics.ProcessStartInfo]::new('python3')
        foreach ($a in '-u', (Join-Path $TutorialDir $Program), '0') { $info.ArgumentList.Add($a) }
        $info.RedirectStandardOutput = $true
        $process = [System.Diagnostics.Process]::Start($info)
        $first = $process.StandardOutput.ReadLineAsync()
        if (-not $first.Wait(10000)) { $process.Kill(); throw "$Program did not start." }
        [pscustomobject]@{ Process = $process; Port = [int]($first.Result -replace '.*port (\d+)$', '$1') }
    }

    function Read-Greeting {
        # The tutorial's TCP client flow through PSChat: the welcome, then one reply per name.
        param([Parameter(Mandatory)][int] $Port)
        $session = Connect-ChatRoom -Port $Port -Protocol Text
        try {
            (Receive-ChatMessage -Count 1 -Timeout 5).Text
            $Names | ForEach-Object { Send-ChatMessage $_; (Receive-ChatMessage -Count 1 -Timeout 5).Text }
        }
        finally { Disconnect-ChatRoom -Session $session -Confirm:$false }
    }
}

AfterAll {
    Get-ChatSession | Disconnect-ChatRoom -Confirm:$false
    Get-ChatServer | Stop-ChatServer -Confirm:$false
}

Describe 'Start-GreetingServer (TCP)' -Tag 'E2E' {
    BeforeEach {
        $server = Start-GreetingServer -Port 0
        # A client like the tutorial's, with the welcome read.
        $client = [RawClient]::new($server.Port)
        $client.ReadExactly(8, 5000) | Should -BeExactly 'welcome!'
    }

    AfterEach {
        $client.Dispose()
        Get-ChatServer | Stop-ChatServer -Confirm:$false
    }

    It 'is a Greeting server listed by Get-ChatServer and stopped by Stop-ChatServer' {
        $server | Should -BeOfType PSChat.GreetingServer
        $server.Kind | Should -Be 'Greeting'
        $server.Name | Should -Be "Greeting$($server.Port)"
        $server.EndPoint.Address.ToString() | Should -Be '127.0.0.1'
        (Get-ChatServer -Port $server.Port).Name | Should -Be $server.Name
        Stop-ChatServer -Name $server.Name -Confirm:$false
        $server.State | Should -Be 'Stopped'
        Get-ChatServer -Name $server.Name -ErrorAction Ignore | Should -BeNullOrEmpty
    }

    It 'answers a client that behaves exactly like the tutorial''s, byte for byte' {
        foreach ($name in $Names) {
            $client.Send($name)
            $client.ReadExactly("hello $name".Length, 5000) | Should -BeExactly "hello $name"
        }
        $client.Send('exit')
        $client.WaitForClose(5000) | Should -BeTrue
        # The close comes after anything else the server sent: nothing more came, not even for the exit.
        $client.Pending.Count | Should -Be 0
    }

    It 'answers lines with the terminator they came with' {
        $client.Send("bob`r`n")
        $client.ReadLine() | Should -BeExactly "hello bob`r`n"
        $client.Send("carol`nexit`n")
        $client.ReadLine() | Should -BeExactly "hello carol`n"
        $client.WaitForClose(5000) | Should -BeTrue
    }

    It 'keeps the bytes of a message that is not UTF-8' {
        $tcp = [System.Net.Sockets.TcpClient]::new('127.0.0.1', $server.Port)
        try {
            $stream = $tcp.GetStream()
            $stream.ReadTimeout = 5000
            $stream.Write([byte[]](0xFF, 0xFE, 0x0A), 0, 3)
            $expected = $Utf8.GetBytes('welcome!hello ') + [byte[]](0xFF, 0xFE, 0x0A)
            $got = [byte[]]::new($expected.Length)
            $have = 0
            while ($have -lt $got.Length) {
                $n = $stream.Read($got, $have, $got.Length - $have)
                if ($n -eq 0) { break }
                $have += $n
            }
            $got | Should -Be $expected
        }
        finally { $tcp.Dispose() }
    }

    It 'refuses an overlong message and still answers that client and another' {
        $other = [RawClient]::new($server.Port)
        try {
            $client.Send(('x' * 9000) + "`n")
            $client.ReadLine() | Should -Match '^\*\*\* error: message longer than 8192 bytes \(\d+ seen\); it was not answered\n$'
            $client.Send("tom`n")
            $client.ReadLine() | Should -BeExactly "hello tom`n"
            $other.ReadExactly(8, 5000) | Should -BeExactly 'welcome!'
            $other.Send('jack')
            $other.ReadExactly(10, 5000) | Should -BeExactly 'hello jack'
        }
        finally { $other.Dispose() }
    }

    It 'answers an empty line with an empty name' {
        $client.Send("`n")
        $client.ReadLine() | Should -BeExactly "hello `n"
    }

    It 'ends only the connection that says exit or closes; a silent client delays nobody' {
        $silent = [RawClient]::new($server.Port)
        $closing = [RawClient]::new($server.Port)
        $staying = [RawClient]::new($server.Port)
        try {
            Wait-ClientCount $server 4
            $client.Send('exit')
            $client.WaitForClose(5000) | Should -BeTrue
            $closing.Dispose()
            Wait-Until { $server.ClientCount -eq 2 } -Because 'the two connections to end'
            $staying.ReadExactly(8, 5000) | Should -BeExactly 'welcome!'
            $staying.Send('tom')
            $staying.ReadExactly(9, 5000) | Should -BeExactly 'hello tom'
        }
        finally { $silent.Dispose(); $staying.Dispose() }
    }

    It 'drops a client that sends but never reads, and still answers the others' {
        # Replies of 4 KiB: 16 MiB for 8192 short lines, past the 1 MiB send queue and whatever the
        # kernel buffers on both sides.
        $loud = Start-GreetingServer -Port 0 -Welcome '' -Reply ('y' * 4096 + '{0}')
        $events = [PSChatTests.EventRecorder]::new($loud).Queue
        $hog = [RawClient]::new($loud.Port, 4096)
        $other = [RawClient]::new($loud.Port)
        try {
            try { $hog.Send("x`n" * 8192) } catch [System.IO.IOException] { }
            $gone = Wait-ServerEvent $events -Kind Disconnected -TimeoutMs 10000
            $gone.Client | Should -BeLike "*:$($hog.Tcp.Client.LocalEndPoint.Port)"
            $gone.Reason | Should -BeLike 'send queue full*'
            $other.Send("tom`n")
            $other.ReadExactly(4096 + 4, 5000) | Should -BeExactly ('y' * 4096 + "tom`n")
        }
        finally { $hog.Dispose(); $other.Dispose() }
    }

    It 'takes -Welcome and a -Reply format' {
        $custom = Start-GreetingServer -Port 0 -Welcome '' -Reply '{{{0}}} hi {0}'
        $plain = [RawClient]::new($custom.Port)
        try {
            $plain.Send("ann`n")
            $plain.ReadLine() | Should -BeExactly "{ann} hi ann`n"
        }
        finally { $plain.Dispose() }
    }

    It 'refuses a -Reply that is not a format with {0}' {
        { Start-GreetingServer -Port 0 -Reply 'hello {1}' } | Should -Throw -ErrorId 'InvalidReplyFormat,PSChat.Commands.StartGreetingServerCommand'
    }

    It 'refuses a port in use with PortInUse' {
        { Start-GreetingServer -Port $server.Port -Name other } | Should -Throw -ErrorId 'PortInUse,PSChat.Commands.StartGreetingServerCommand'
    }

    It 'refuses an address that is not an IP address, and a name in use' {
        { Start-GreetingServer -Port 0 -Address 'nope' } | Should -Throw -ErrorId 'InvalidAddress,PSChat.Commands.StartGreetingServerCommand'
        { Start-GreetingServer -Port 0 -Udp -Name $server.Name } | Should -Throw -ErrorId 'ServerNameInUse,PSChat.Commands.StartGreetingServerCommand'
    }

    It 'gives the tutorial''s transcript to a PSChat client' {
        Read-Greeting -Port $server.Port | Should -Be @('welcome!', 'hello zhangkang', 'hello jack', 'hello tom')
    }

    It 'writes its events with -Wait until stopped' {
        $run = Start-InRunspace 'Start-GreetingServer -Port 0 -Name waiting -Wait'
        try {
            Wait-Until { Get-ChatServer -Name waiting -ErrorAction Ignore } -Because 'the foreground server'
            $waiting = Get-ChatServer -Name waiting
            $visitor = [RawClient]::new($waiting.Port)
            $visitor.Send("zhangkang`n")
            $null = $visitor.ReadLine()
            Wait-Until { $run.Snapshot() | Where-Object Kind -EQ 'Message' } -Because 'the message event'
            $run.PowerShell.Stop()
            $waiting.State | Should -Be 'Stopped'
            $events = $run.Snapshot()
            $events.Kind | Select-Object -First 3 | Should -Be @('Started', 'Connected', 'Message')
            ($events | Where-Object Kind -EQ 'Message').Text | Should -BeExactly 'zhangkang'
            $visitor.Dispose()
        }
        finally { $run.PowerShell.Dispose() }
    }
}

Describe 'Start-GreetingServer -Udp' -Tag 'E2E' {
    BeforeEach {
        $server = Start-GreetingServer -Port 0 -Udp
        $client = [RawUdp]::new()
    }

    AfterEach {
        $client.Dispose()
        Get-ChatServer | Stop-ChatServer -Confirm:$false
    }

    It 'is a UdpGreeting server listed by Get-ChatServer and stopped by Stop-ChatServer' {
        $server | Should -BeOfType PSChat.UdpGreetingServer
        $server.Kind | Should -Be 'UdpGreeting'
        $server.Name | Should -Be "UdpGreeting$($server.Port)"
        Get-ChatServer -Port $server.Port | Stop-ChatServer -Confirm:$false
        $server.State | Should -Be 'Stopped'
        Get-ChatServer | Should -BeNullOrEmpty
    }

    It 'answers a client that behaves exactly like the tutorial''s' {
        foreach ($name in $Names) {
            $client.Send($name, $server.Port)
            $client.Receive() | Should -BeExactly "Hello, $name!"
        }
    }

    It 'sends the datagram''s bytes back as they came, UTF-8 or not' {
        $client.SendBytes([byte[]](0xFF, 0xFE, 0x41), $server.Port)
        $client.ReceiveBytes(5000) | Should -Be ($Utf8.GetBytes('Hello, ') + [byte[]](0xFF, 0xFE, 0x41) + $Utf8.GetBytes('!'))
        $client.Send('中文', $server.Port)
        $client.Receive() | Should -BeExactly 'Hello, 中文!'
    }

    It 'greets an empty datagram with an empty name' {
        $client.SendBytes([byte[]]::new(0), $server.Port)
        $client.Receive() | Should -BeExactly 'Hello, !'
    }

    It 'does not answer an oversized datagram, reports it, and answers the next' {
        $events = [PSChatTests.EventRecorder]::new($server).Queue
        $client.Send('x' * 9000, $server.Port)
        $client.Send('tom', $server.Port)
        $client.Receive() | Should -BeExactly 'Hello, tom!'
        $rejected = Wait-ServerEvent $events -Kind Rejected
        $rejected.Reason | Should -BeExactly 'datagram of 9000 bytes is longer than 8192 bytes; no reply'
        $rejected.Client | Should -Be "127.0.0.1:$($client.Port())"
        $server.DatagramsDropped | Should -Be 1
    }
}

Describe 'Send-UdpGreeting' -Tag 'E2E' {
    AfterEach {
        Get-ChatServer | Stop-ChatServer -Confirm:$false
    }

    It 'reproduces the tutorial''s UDP client from the pipeline' {
        $server = Start-GreetingServer -Port 0 -Udp
        $replies = $Names | Send-UdpGreeting -Port $server.Port
        $replies | ForEach-Object { $_ | Should -BeOfType PSChat.GreetingReply }
        $replies.Reply | Should -Be @('Hello, zhangkang!', 'Hello, jack!', 'Hello, tom!')
        $replies.Name | Should -Be $Names
        $replies[0].PSObject.Properties.Name | Should -Be @('Name', 'Reply', 'RoundTripTime', 'RemoteEndPoint')
        $replies[0].RoundTripTime | Should -BeOfType System.TimeSpan
        $replies[0].RoundTripTime | Should -BeGreaterThan ([TimeSpan]::Zero)
        $replies[0].RemoteEndPoint.ToString() | Should -Be "127.0.0.1:$($server.Port)"
    }

    It 'reports a lost name with GreetingTimedOut after its retries, and the others go out' {
        $server = Start-GreetingServer -Port 0 -Udp
        $events = [PSChatTests.EventRecorder]::new($server).Queue
        $lost = 'x' * 9000
        $replies = 'zhangkang', $lost, 'tom' | Send-UdpGreeting -Port $server.Port -Timeout 1 -Retry 1 -ErrorVariable err -ErrorAction SilentlyContinue
        $replies.Reply | Should -Be @('Hello, zhangkang!', 'Hello, tom!')
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -Be 'GreetingTimedOut,PSChat.Commands.SendUdpGreetingCommand'
        $err[0].CategoryInfo.Category | Should -Be 'OperationTimeout'
        $err[0].TargetObject | Should -BeExactly $lost
        $err[0].Exception.Message | Should -BeLike "No reply from 127.0.0.1:$($server.Port) to 'xxx*' after 2 attempts of 1 s."
        # One datagram and one retry, both refused by the server.
        $null = Wait-ServerEvent $events -Kind Rejected
        $null = Wait-ServerEvent $events -Kind Rejected
        $server.DatagramsDropped | Should -Be 2
    }

    It 'takes a late retry''s reply from a server that loses the first datagram' {
        $socket = [System.Net.Sockets.UdpClient]::new([System.Net.IPEndPoint]::new([System.Net.IPAddress]::Loopback, 0))
        $port = $socket.Client.LocalEndPoint.Port
        # Drops the first datagram of every name, answers the second.
        $responder = Start-Responder -Socket $socket -Body {
            param($udp)
            $from = [System.Net.IPEndPoint]::new([System.Net.IPAddress]::Any, 0)
            while ($true) {
                $null = $udp.Receive([ref] $from)
                $data = $udp.Receive([ref] $from)
                $reply = [System.Text.Encoding]::UTF8.GetBytes('Hi ' + [System.Text.Encoding]::UTF8.GetString($data))
                $null = $udp.Send($reply, $reply.Length, $from)
            }
        }
        try {
            $replies = 'jack', 'tom' | Send-UdpGreeting -Port $port -Timeout 1 -Retry 1
            $replies.Reply | Should -Be @('Hi jack', 'Hi tom')
        }
        finally { $socket.Dispose(); $responder.Stop(); $responder.Dispose() }
    }

    It 'reports a name too long for a datagram with NameTooLong' {
        $server = Start-GreetingServer -Port 0 -Udp
        $replies = 'ann', ('x' * 65508), 'bob' | Send-UdpGreeting -Port $server.Port -ErrorVariable err -ErrorAction SilentlyContinue
        $replies.Reply | Should -Be @('Hello, ann!', 'Hello, bob!')
        $err[0].FullyQualifiedErrorId | Should -Be 'NameTooLong,PSChat.Commands.SendUdpGreetingCommand'
        $err[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
    }

    It 'stops at once when the pipeline is stopped (Ctrl+C) while waiting for a reply' {
        $silent = [System.Net.Sockets.UdpClient]::new([System.Net.IPEndPoint]::new([System.Net.IPAddress]::Loopback, 0))
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript("Import-Module '$env:PSCHAT_MODULE'; Send-UdpGreeting -Name tom -Port $($silent.Client.LocalEndPoint.Port) -Timeout 60")
            $running = $ps.BeginInvoke()
            # The datagram has gone out: the cmdlet is waiting for the reply.
            $from = [System.Net.IPEndPoint]::new([System.Net.IPAddress]::Any, 0)
            $silent.Client.ReceiveTimeout = 5000
            $null = $silent.Receive([ref] $from)
            # Far less than the 60 s the cmdlet would otherwise wait, and generous for a loaded machine.
            $null = $ps.BeginStop($null, $null)
            $running.AsyncWaitHandle.WaitOne(10000) | Should -BeTrue
        }
        finally { $ps.Dispose(); $silent.Dispose() }
    }

    It 'reports GreetingRefused when nobody listens on the port' {
        $probe = [System.Net.Sockets.UdpClient]::new([System.Net.IPEndPoint]::new([System.Net.IPAddress]::Loopback, 0))
        $port = $probe.Client.LocalEndPoint.Port
        $probe.Dispose()
        Send-UdpGreeting -Name 'tom' -Port $port -Timeout 5 -Retry 0 -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -Be 'GreetingRefused,PSChat.Commands.SendUdpGreetingCommand'
        $err[0].CategoryInfo.Category | Should -Be 'ConnectionError'
        $err[0].TargetObject | Should -BeExactly 'tom'
    }
}

Describe 'The tutorial''s TCP client flow in PSChat against a server that sends no line ends' -Tag 'E2E' {
    It 'yields the welcome, then one reply per name' {
        $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $listener.Start()
        $responder = Start-Responder -Socket $listener -Body {
            param($server)
            # The tutorial's server, in PowerShell: no line ends, one reply per message.
            $sock = $server.AcceptSocket()
            $null = $sock.Send([System.Text.Encoding]::UTF8.GetBytes('welcome!'))
            $buffer = [byte[]]::new(1024)
            while (($n = $sock.Receive($buffer)) -gt 0) {
                $data = [System.Text.Encoding]::UTF8.GetString($buffer, 0, $n).TrimEnd("`r", "`n")
                if ($data -eq 'exit') { break }
                $null = $sock.Send([System.Text.Encoding]::UTF8.GetBytes("hello $data"))
            }
            $sock.Dispose()
        }
        try {
            Read-Greeting -Port $listener.LocalEndpoint.Port | Should -Be @('welcome!', 'hello zhangkang', 'hello jack', 'hello tom')
        }
        finally { $listener.Stop(); $responder.Stop(); $responder.Dispose() }
    }
}

Describe 'The tutorial''s own programs (Python 3) and PSChat' -Tag 'Interop' -Skip:(-not $HasPython) {
    BeforeAll {
        $tcp = Start-TutorialServer 'tcp_server.py'
        $udp = Start-TutorialServer 'udp_server.py'
    }

    AfterAll {
        foreach ($p in $tcp, $udp) { if ($p -and -not $p.Process.HasExited) { $p.Process.Kill(); $p.Process.WaitForExit(5000) } }
        Get-ChatServer | Stop-ChatServer -Confirm:$false
    }

    It 'TCP: the tutorial''s client sees the same transcript from PSChat as from the tutorial''s server' {
        $server = Start-GreetingServer -Port 0
        $theirs = Invoke-Tutorial 'tcp_client.py' $tcp.Port
        $theirs | Should -Be @('welcome!', 'hello zhangkang', 'hello jack', 'hello tom')
        Invoke-Tutorial 'tcp_client.py' $server.Port | Should -Be $theirs
    }

    It 'TCP: PSChat''s client gets the tutorial''s transcript from the tutorial''s server' {
        Read-Greeting -Port $tcp.Port | Should -Be @('welcome!', 'hello zhangkang', 'hello jack', 'hello tom')
    }

    It 'UDP: the tutorial''s client sees the same transcript from PSChat as from the tutorial''s server' {
        $server = Start-GreetingServer -Port 0 -Udp
        $theirs = Invoke-Tutorial 'udp_client.py' $udp.Port
        $theirs | Should -Be @('Hello, zhangkang!', 'Hello, jack!', 'Hello, tom!')
        Invoke-Tutorial 'udp_client.py' $server.Port | Should -Be $theirs
    }

    It 'UDP: Send-UdpGreeting gets the tutorial''s transcript from the tutorial''s server' {
        ($Names | Send-UdpGreeting -Port $udp.Port).Reply | Should -Be @('Hello, zhangkang!', 'Hello, jack!', 'Hello, tom!')
    }
}
