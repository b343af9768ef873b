BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
}

Describe 'Start-ChatServer connection limits' -Tag 'E2E' {
    AfterEach {
        Get-ChatServer | Stop-ChatServer -Confirm:$false
    }

    It 'refuses an allow or deny entry that is not an address range with InvalidAddressRange' {
        { Start-ChatServer -Port 0 -DenyAddress '10.0.0.0/33' } | Should -Throw -ErrorId 'InvalidAddressRange,PSChat.Commands.StartChatServerCommand'
        { Start-ChatServer -Port 0 -AllowAddress 'example.com' } | Should -Throw -ErrorId 'InvalidAddressRange,PSChat.Commands.StartChatServerCommand'
        Get-ChatServer | Should -BeNullOrEmpty
    }

    It 'tells a denied client why in one line, closes it, and counts it' {
        $server = Start-ChatServer -Port 0 -Protocol Text -DenyAddress '127.0.0.0/8', '::1'
        $events = Watch-ServerEvent $server
        $client = [RawClient]::new($server.Port)
        try {
            $client.ReadLine() | Should -BeExactly "*** error: your address is not allowed on this server`n"
            $client.WaitForClose(5000) | Should -BeTrue
        }
        finally { $client.Dispose() }
        $rejected = Wait-ServerEvent $events Rejected
        $rejected.Limit | Should -Be 'DenyAddress'
        $server.Limits.RefusedDenied | Should -Be 1
        $server.ClientCount | Should -Be 0
    }

    It 'keeps -MaxClients below a lowered descriptor limit: past it clients are refused with a line, not left hanging' -Skip:($IsWindows) {
        # Issue 11, finding 2: under `ulimit -n 1024` the accept loop spun on EMFILE. A server in a child
        # PowerShell under `ulimit -n 256` takes only the clients its descriptors can hold, and says so.
        $portFile = Join-Path ([System.IO.Path]::GetTempPath()) ("pschat-ulimit-" + [guid]::NewGuid().ToString('N'))
        $serverScript = "$portFile.ps1"
        Set-Content -Path $serverScript -Value @'
param($ModulePath, $PortFile)
Import-Module $ModulePath
$s = Start-ChatServer -Port 0 -Protocol Text
Set-Content -Path $PortFile -Value "$($s.Port) $($s.Options.MaxClients)"
$null = [Console]::In.ReadLine()
'@
        $child = [System.Diagnostics.Process]::new()
        $child.StartInfo.FileName = 'bash'
        foreach ($arg in @('-c', 'ulimit -n 256 && exec "$@"', 'bash') + @(Get-PwshCommand) + @('-NoProfile', '-NonInteractive', '-File', $serverScript, $env:PSCHAT_MODULE, $portFile)) {
            $child.StartInfo.ArgumentList.Add($arg)
        }
        $child.StartInfo.RedirectStandardInput = $true
        $child.StartInfo.UseShellExecute = $false
        $null = $child.Start()
        $clients = [System.Collections.Generic.List[RawClient]]::new()
        try {
            Wait-Until -Condition { (Test-Path $portFile) -and (Get-Content $portFile -ErrorAction SilentlyContinue) } -TimeoutMs 60000 -Because 'the child server to start'
            $port, $max = (Get-Content $portFile) -split ' '
            # What is left of 256 after the child's own ~200 descriptors, less a margin of 64.
            [int] $max | Should -BeLessThan 128
            for ($i = 0; $i -lt 150; $i++) { $clients.Add([RawClient]::new([int] $port)) }
            # Accepted in order: the last ones are past the limit, told so, and closed.
            $clients[149].ReadLine(15000) | Should -BeExactly "*** error: server full ($max clients)`n"
            $clients[149].WaitForClose(5000) | Should -BeTrue
            $clients[0].Send("still here`n")
            $clients[1].ReadLine(15000) | Should -Match 'still here'
        }
        finally {
            foreach ($c in $clients) { $c.Dispose() }
            if (-not $child.HasExited) { $child.Kill() }
            $child.Dispose()
            Remove-Item $portFile, $serverScript -ErrorAction SilentlyContinue
        }
    }
}
