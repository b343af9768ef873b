BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
}

Describe 'A client that stops reading' -Tag 'E2E' {
    BeforeAll {
        # The default queue: a smaller one can overflow for a reader that keeps reading but is scheduled
        # late on a busy machine, which is not what this test is about.
        $queueBytes = 1MB
        # The sender writes megabytes at once on purpose: flood control is off, it is not what this is about.
        $server = Start-ChatServer -Port 0 -Protocol Text -MaxSendQueue $queueBytes -FloodControl:$false
        $events = [PSChatTests.EventRecorder]::new($server).Queue
        $slow = [RawClient]::new($server.Port, 4096)
        $fast = [RawClient]::new($server.Port)
        $sender = [RawClient]::new($server.Port)
        Wait-ClientCount $server 3
        $slowEndPoint = "127.0.0.1:$($slow.Tcp.Client.LocalEndPoint.Port)"

        # Megabyte after megabyte until the slow client is dropped: how much it takes depends on the
        # machine's socket buffers, so the test does not guess (bounded at 256 MB). Then one more, which
        # the fast client must still get. Each megabyte's lines are numbered, so order is checked too.
        $chunks = 0
        $dropped = $null
        $intact = $true
        while ($chunks -lt 256) {
            $text = [System.Text.StringBuilder]::new()
            foreach ($i in 0..999) { $null = $text.Append(('{0:D6}-{1:D3}' -f $chunks, $i).PadRight(999, 'x')).Append("`n") }
            $chunk = [System.Text.Encoding]::ASCII.GetBytes($text.ToString())
            # The fast client reads at socket speed on the thread pool while the sender writes.
            $received = [byte[]]::new($chunk.Length)
            $reading = $fast.Stream.ReadExactlyAsync($received, 0, $received.Length).AsTask()
            $sender.Stream.WriteAsync($chunk, 0, $chunk.Length).Wait(30000) | Should -BeTrue
            $reading.Wait(30000) | Should -BeTrue
            $intact = $intact -and [System.Linq.Enumerable]::SequenceEqual($received, $chunk)
            $chunks++
            if ($dropped) { break }
            $dropped = $events.ToArray() | Where-Object { $_.Kind -eq 'Disconnected' -and $_.Client -eq $slowEndPoint } | Select-Object -First 1
        }
    }

    AfterAll {
        $slow, $fast, $sender | ForEach-Object Dispose
        $server | Stop-ChatServer -Confirm:$false
    }

    It 'is disconnected with the reason in the server events' {
        $dropped | Should -Not -BeNullOrEmpty
        $dropped.Reason | Should -BeExactly "send queue full ($queueBytes bytes): the client is not reading"
    }

    It 'does not hold back a client that keeps reading, also after the drop' {
        $intact | Should -BeTrue
    }

    It 'sees its connection closed by the server' {
        $slow.WaitForClose(10000) | Should -BeTrue
    }
}
