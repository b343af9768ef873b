BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1

    function Build-Bench {
        # Builds the load generator and the host; returns their paths by project name.
        $root = Resolve-Path "$PSScriptRoot/../.."
        $bin = @{}
        foreach ($project in 'PSChat.BenchHost', 'PSChat.Bench') {
            & dotnet build "$root/bench/$project/$project.csproj" -c Release --nologo -v quiet -clp:ErrorsOnly | Out-Null
            $LASTEXITCODE | Should -Be 0 -Because "bench/$project builds"
            $bin[$project] = "$root/bench/$project/bin/Release/net10.0/$project"
        }
        $bin
    }

    function Start-BenchHost {
        # A PSChat.BenchHost process (stopped by closing its input) and the port it printed.
        param([Parameter(Mandatory)][string] $Path, [Parameter(Mandatory)][string] $Arguments)
        $info = [System.Diagnostics.ProcessStartInfo]::new($Path, $Arguments)
        $info.RedirectStandardInput = $true
        $info.RedirectStandardOutput = $true
        $info.UseShellExecute = $false
        $process = [System.Diagnostics.Process]::Start($info)
        $portLine = $process.StandardOutput.ReadLine()
        $portLine | Should -Match '^port \d+$'
        [pscustomobject]@{ Process = $process; Port = [int]($portLine -split ' ')[1] }
    }

    function Read-BenchTable {
        # The rows of the load generator's Markdown table: figure name to the first target's value.
        param([string[]] $Table)
        $rows = @{}
        foreach ($line in $Table | Where-Object { $_ -match '^\| ' -and $_ -notmatch '^\| Figure ' }) {
            $cells = $line.Trim('|').Split('|') | ForEach-Object Trim
            $rows[$cells[0] -replace ' \(lower is better\)$', ''] = $cells[1]
        }
        $rows
    }

    function Stop-BenchHost {
        param($BenchHost)
        if ($BenchHost) {
            $BenchHost.Process.StandardInput.Close()
            if (-not $BenchHost.Process.WaitForExit(5000)) { $BenchHost.Process.Kill() }
            $BenchHost.Process.Dispose()
        }
    }
}

# The benchmark's smoke run: the load generator against a PSChat host over IRC, small sizes, so the benchmark
# itself cannot rot. Figures are not asserted against targets here (see README, Performance).
Describe 'The benchmark (quick run)' -Tag 'Bench' {
    BeforeAll {
        # The load generator reads the host's CPU time and memory from /proc, with libc's sysconf.
        $linuxOnly = 'the benchmark reads process figures from /proc and libc sysconf, which only Linux has'
        if (-not $IsLinux) { return }
        $bin = Build-Bench
        $benchHost = Start-BenchHost -Path $bin['PSChat.BenchHost'] -Arguments 'Irc'
        $hostProcess = $benchHost.Process
        $table = & $bin['PSChat.Bench'] --quick --target "PSChat,irc,$($benchHost.Port),$($hostProcess.Id)"
        $exitCode = $LASTEXITCODE
        $rows = Read-BenchTable $table
    }

    BeforeEach {
        if (-not $IsLinux) { Set-ItResult -Skipped -Because $linuxOnly }
    }

    AfterAll {
        Stop-BenchHost $benchHost
    }

    It 'finishes every scenario' {
        $exitCode | Should -Be 0
        $table[0] | Should -BeExactly '| Figure | PSChat (irc) |'
        $rows.Count | Should -Be 21
        $rows.Values | Should -Not -Contain 'n/a'
    }

    It 'loses no message in <_>' -ForEach 'burst 20 clients, 2x200 msgs', 'paced 20 clients, 2x200/s for 1 s' {
        $rows["${_}: lost"] | Should -Be '0'
        [double]$rows["${_}: deliveries/s"] | Should -BeGreaterThan 0
    }

    It 'holds and serves every connection' {
        $rows['200 connected: held'] | Should -Be '200'
        $rows['200 connected: served'] | Should -Be '200'
    }

    It 'stops the host when its input closes and reports no slow consumer' {
        $hostProcess.StandardInput.Close()
        $hostProcess.WaitForExit(5000) | Should -BeTrue
        $hostProcess.StandardOutput.ReadToEnd().Trim() | Should -BeExactly 'slow-consumers 0'
    }
}

# The TLS column of ./build.ps1 Bench: the fan-out scenarios over TLS, against a host serving TLS.
Describe 'The benchmark over TLS (quick run)' -Tag 'Bench' {
    BeforeAll {
        if (-not $IsLinux) { return }
        $bin = Build-Bench
        $benchHost = Start-BenchHost -Path $bin['PSChat.BenchHost'] -Arguments 'Irc tls'
        $table = & $bin['PSChat.Bench'] --quick --target "PSChat-TLS,irc,$($benchHost.Port),$($benchHost.Process.Id),tls"
        $exitCode = $LASTEXITCODE
        $rows = Read-BenchTable $table
    }

    BeforeEach {
        if (-not $IsLinux) { Set-ItResult -Skipped -Because 'the benchmark reads process figures from /proc and libc sysconf, which only Linux has' }
    }

    AfterAll {
        Stop-BenchHost $benchHost
    }

    It 'runs the fan-out scenarios only' {
        $exitCode | Should -Be 0
        $table[0] | Should -BeExactly '| Figure | PSChat-TLS (irc) |'
        @($rows.Keys | Where-Object { $_ -notmatch '^(burst|paced) ' -and $rows[$_] -ne 'n/a' }) | Should -BeNullOrEmpty
    }

    It 'loses no message over TLS in <_>' -ForEach 'burst 20 clients, 2x200 msgs', 'paced 20 clients, 2x200/s for 1 s' {
        $rows["${_}: lost"] | Should -Be '0'
        [double]$rows["${_}: deliveries/s"] | Should -BeGreaterThan 0
    }
}
