BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
}

Describe 'Start-ChatServer, Get-ChatServer, Stop-ChatServer' -Tag 'E2E' {
    AfterEach {
        Get-ChatServer | Stop-ChatServer -Confirm:$false
    }

    It 'takes a free port with -Port 0 and shows it' {
        $server = Start-ChatServer -Port 0
        $server | Should -BeOfType PSChat.ChatServer
        $server.Port | Should -BeGreaterThan 0
        $server.EndPoint.Address.ToString() | Should -Be '127.0.0.1'
        $server.Name | Should -Be "Chat$($server.Port)"
        $server.State | Should -Be 'Running'
        $server.Rooms | Should -Be @('#lobby')
    }

    It 'is listed by Get-ChatServer by name, wildcard and port' {
        $server = Start-ChatServer -Port 0 -Name 'alpha'
        (Get-ChatServer -Name 'alpha').Port | Should -Be $server.Port
        (Get-ChatServer -Name 'al*').Name | Should -Be 'alpha'
        (Get-ChatServer -Port $server.Port).Name | Should -Be 'alpha'
    }

    It 'refuses a port in use with PortInUse' {
        $server = Start-ChatServer -Port 0
        { Start-ChatServer -Port $server.Port -Name other } | Should -Throw -ErrorId 'PortInUse,PSChat.Commands.StartChatServerCommand'
    }

    It 'refuses a name in use with ServerNameInUse' {
        $null = Start-ChatServer -Port 0 -Name dup
        { Start-ChatServer -Port 0 -Name dup } | Should -Throw -ErrorId 'ServerNameInUse,PSChat.Commands.StartChatServerCommand'
    }

    It 'refuses an address that is not an IP address' {
        { Start-ChatServer -Port 0 -Address 'not-an-ip' } | Should -Throw -ErrorId 'InvalidAddress,PSChat.Commands.StartChatServerCommand'
    }

    It 'listens on localhost as on the IPv4 loopback, and on an IPv6 literal in brackets' {
        $local = Start-ChatServer -Port 0 -Address localhost
        $local.EndPoint.Address | Should -Be ([ipaddress]::Loopback)
        if ([System.Net.Sockets.Socket]::OSSupportsIPv6) {
            $v6 = Start-ChatServer -Port 0 -Address '[::1]'
            $v6.EndPoint.Address | Should -Be ([ipaddress]::IPv6Loopback)
        }
    }

    It 'reports ServerNotFound for an unknown name' {
        Get-ChatServer -Name 'nope' -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -Be 'ServerNotFound,PSChat.Commands.GetChatServerCommand'
    }

    It 'does not stop with -WhatIf' {
        $server = Start-ChatServer -Port 0
        Stop-ChatServer -InputObject $server -WhatIf
        $server.State | Should -Be 'Running'
    }

    It 'stops from the pipeline and closes every client with a notice' {
        $server = Start-ChatServer -Port 0
        $client = [RawClient]::new($server.Port)
        Wait-ClientCount $server 1
        Get-ChatServer -Name $server.Name | Stop-ChatServer -Confirm:$false
        $server.State | Should -Be 'Stopped'
        $client.ReadLine() | Should -Be "*** server is shutting down`n"
        $client.WaitForClose(5000) | Should -BeTrue
        Get-ChatServer | Should -BeNullOrEmpty
        $client.Dispose()
    }

    It 'stops by port' {
        $server = Start-ChatServer -Port 0
        Stop-ChatServer -Port $server.Port -Confirm:$false
        $server.State | Should -Be 'Stopped'
    }

    It 'writes server events with -Wait until stopped' {
        $run = Start-InRunspace 'Start-ChatServer -Port 0 -Name waiting -Wait'
        try {
            Wait-Until { Get-ChatServer -Name waiting -ErrorAction Ignore } -Because 'the foreground server'
            $server = Get-ChatServer -Name waiting
            $client = [RawClient]::new($server.Port)
            $client.Send("zoe:hello`n")
            Wait-Until { $run.Snapshot() | Where-Object Kind -EQ 'Message' } -Because 'the message event'
            $run.PowerShell.Stop()
            $server.State | Should -Be 'Stopped'
            $events = $run.Snapshot()
            $events[0].Kind | Should -Be 'Started'
            ($events | Where-Object Kind -EQ 'Message').Text | Should -Be 'hello'
            ($events | Where-Object Kind -EQ 'Message').Name | Should -Be 'zoe'
            $events | ForEach-Object { $_ | Should -BeOfType PSChat.ServerEvent }
            $client.Dispose()
        }
        finally {
            $run.PowerShell.Dispose()
        }
    }

    It 'reports the events -Wait had to drop, and keeps Disconnected and Stopped over messages' {
        # The pipeline after -Wait holds the first event (Started) until the gate opens, so what the
        # server raises meanwhile piles up in the queue of 20.
        $gate = [System.Threading.ManualResetEventSlim]::new($false)
        $script = 'Start-ChatServer -Port 0 -Name flooded -Wait -MaxQueuedEvents 20 -FloodControl:$false 3>&1 | ForEach-Object { $null = $Arguments[0].Wait(60000); $_ }'
        $run = Start-InRunspace $script -ArgumentList $gate
        try {
            Wait-Until { Get-ChatServer -Name flooded -ErrorAction Ignore } -Because 'the foreground server'
            $server = Get-ChatServer -Name flooded
            $client = [RawClient]::new($server.Port)
            $client.Send((@(1..40 | ForEach-Object { "zoe:m$_`n" }) -join '') + "exit`n")
            # The server closes zoe's connection after her "exit", the last of her lines: then all 40 ran.
            # (A client count of 0 proves nothing: it is 0 too before the server has counted her.)
            $client.WaitForClose(20000) | Should -BeTrue -Because 'the server closes the connection after exit'
            Wait-Until { $server.ClientCount -eq 0 } -Because 'zoe to leave'
            Stop-ChatServer -Name flooded -Confirm:$false
            $gate.Set()
            $null = $run.PowerShell.EndInvoke($run.Async)
            $output = $run.Snapshot()

            $dropped = $server.Limits.DroppedEvents
            $dropped | Should -BeGreaterThan 20
            $warnings = @($output | Where-Object { $_ -is [System.Management.Automation.WarningRecord] })
            $warnings.Count | Should -BeGreaterThan 0
            $reported = ($warnings | ForEach-Object { [long]($_.Message -replace '^(\d+) server events were dropped.*$', '$1') } | Measure-Object -Sum).Sum
            $reported | Should -Be $dropped
            $warnings[-1].Message | Should -Match "\($dropped in all\): more than -MaxQueuedEvents were waiting"
            $events = @($output | Where-Object { $_ -is [PSChat.ServerEvent] })
            $events[0].Kind | Should -Be 'Started'
            ($events | Where-Object Kind -EQ 'Disconnected').Name | Should -Be 'zoe'
            # zoe's Disconnected may be raised just after Stopped (ClientCount drops first): both are kept.
            $events.Kind | Should -Contain 'Stopped'
            @($events | Where-Object Kind -EQ 'Message').Count | Should -BeLessThan 19
            $client.Dispose()
        }
        finally {
            $gate.Set()
            $run.PowerShell.Dispose()
        }
    }

    It 'writes a message with control characters to the console as visible stand-ins (-Wait)' {
        # A real console write: a child pwsh whose -Wait output goes through Out-Default to its stdout.
        $port = Get-FreePort
        $pwsh = @(Get-PwshCommand)
        $info = [System.Diagnostics.ProcessStartInfo]::new($pwsh[0])
        foreach ($arg in @($pwsh | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-Command', "Import-Module '$env:PSCHAT_MODULE'; Start-ChatServer -Port $port -Wait")) {
            $info.ArgumentList.Add($arg)
        }
        $info.RedirectStandardOutput = $true
        $info.StandardOutputEncoding = [System.Text.UTF8Encoding]::new($false)
        $info.UseShellExecute = $false
        $process = [System.Diagnostics.Process]::Start($info)
        $client = $null
        try {
            $seen = [System.Collections.Generic.List[string]]::new()
            # One read in flight at a time, kept across calls (a stream allows no second one).
            $reader = @{ Pending = $process.StandardOutput.ReadLineAsync() }
            function Read-UntilLine([string] $Like) {
                $deadline = [datetime]::UtcNow.AddSeconds(30)
                while ([datetime]::UtcNow -lt $deadline) {
                    if (-not $reader.Pending.Wait(200)) { continue }
                    $line = $reader.Pending.Result
                    if ($null -eq $line) { throw "pwsh ended: $($seen -join "`n")" }
                    $seen.Add($line)
                    $reader.Pending = $process.StandardOutput.ReadLineAsync()
                    if ($line -like $Like) { return $line }
                }
                throw "No line like '$Like' within 30 s: $($seen -join "`n")"
            }
            $null = Read-UntilLine '*Started*'
            $client = [RawClient]::new($port)
            $client.Send("NICK mal`r`nUSER mal 0 * :m`r`nJOIN #lobby`r`nPRIVMSG #lobby :`u{9b}2J`e]0;pwned`a`e[31m`r`n")
            $line = Read-UntilLine '*Message*'
            $line.IndexOfAny([char[]] @(0x1B, 0x07, 0x9B)) | Should -Be -1 -Because 'no control character reaches the console'
            $line | Should -Match ([regex]::Escape('mal') + '\s+' + [regex]::Escape('<U+009B>2J␛]0;pwned␇'))
        }
        finally {
            if ($client) { $client.Dispose() }
            if (-not $process.HasExited) { $process.Kill() }
            $process.Dispose()
        }
    }

    It 'Remove-Module stops the servers and sessions its runspace started, not others' {
        $mine = Start-ChatServer -Port 0
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript("Import-Module '$env:PSCHAT_MODULE'; `$s = Start-ChatServer -Port 0 -Name theirs; `$c = Connect-ChatRoom -Port `$s.Port -Protocol Text; Remove-Module PSChat; `$s.State; `$c.State")
            $states = $ps.Invoke()
            $ps.HadErrors | Should -BeFalse
            $states[0] | Should -Be 'Stopped'
            $states[1] | Should -Be 'Closed'
            $mine.State | Should -Be 'Running'
        }
        finally { $ps.Dispose() }
    }
}
