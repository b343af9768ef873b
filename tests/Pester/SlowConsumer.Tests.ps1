BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
}

Describe 'A client that stops reading' -Tag 'E2E' {
    BeforeAll {
        # The default queue: a smaller one can overflow for a reader that keeps reading but is scheduled
        # late on a busy machine, which is not what this test is about.
        $queueBytes = 1MB
        $lineBytes = 1000
        # More than the slow client's socket buffers (4 MiB send side here) and its send queue together,
        # so it must overflow.
        $lineCount = 12000
        $server = Start-ChatServer -Port 0 -Protocol Text -MaxSendQueue $queueBytes
        # Not Watch-ServerEvent: its output is the queue enumerated (empty), not the queue.
        $events = [PSChatTests.EventRecorder]::new($server).Queue
        $slow = [RawClient]::new($server.Port, 4096)
        $fast = [RawClient]::new($server.Port)
        $sender = [RawClient]::new($server.Port)
        Wait-ClientCount $server 3

        $line = [byte[]]::new($lineBytes)
        [System.Array]::Fill($line, [byte][char]'x')
        $line[$lineBytes - 1] = 10
        $burst = [System.IO.MemoryStream]::new()
        foreach ($i in 1..$lineCount) { $burst.Write($line, 0, $lineBytes) }
        $sent = $burst.ToArray()
        # The fast client reads at socket speed on the thread pool while the sender writes.
        $received = [byte[]]::new($sent.Length)
        $reading = $fast.Stream.ReadExactlyAsync($received, 0, $received.Length).AsTask()
        $writing = $sender.Stream.WriteAsync($sent, 0, $sent.Length)
        $writing.Wait(30000) | Should -BeTrue
        $reading.Wait(30000) | Should -BeTrue
    }

    AfterAll {
        $slow, $fast, $sender | ForEach-Object Dispose
        $server | Stop-ChatServer -Confirm:$false
    }

    It 'is disconnected with the reason in the server events' {
        $e = Wait-ServerEvent $events -Kind Disconnected -Where { $args[0].Client -eq "127.0.0.1:$($slow.Tcp.Client.LocalEndPoint.Port)" } -TimeoutMs 10000
        $e.Reason | Should -BeExactly "send queue full ($queueBytes bytes): the client is not reading"
    }

    It 'does not hold back a client that keeps reading' {
        [System.Linq.Enumerable]::SequenceEqual($received, $sent) | Should -BeTrue
    }

    It 'sees its connection closed by the server' {
        $slow.WaitForClose(10000) | Should -BeTrue
    }
}
