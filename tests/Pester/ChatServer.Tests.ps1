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
