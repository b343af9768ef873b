BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
}

# The benchmark's smoke run: the load generator against a PSChat host over IRC, small sizes, so the benchmark
# itself cannot rot. Figures are not asserted against targets here (see README, Performance).
Describe 'The benchmark (quick run)' -Tag 'Bench' {
    BeforeAll {
        # The load generator reads the host's CPU time and memory from /proc, with libc's sysconf.
        $linuxOnly = 'the benchmark reads process figures from /proc and libc sysconf, which only Linux has'
        if (-not $IsLinux) { return }
        $root = Resolve-Path "$PSScriptRoot/../.."
        $bin = @{}
        foreach ($project in 'PSChat.BenchHost', 'PSChat.Bench') {
            & dotnet build "$root/bench/$project/$project.csproj" -c Release --nologo -v quiet -clp:ErrorsOnly | Out-Null
            $LASTEXITCODE | Should -Be 0 -Because "bench/$project builds"
            $bin[$project] = "$root/bench/$project/bin/Release/net10.0/$project"
        }

        $info = [System.Diagnostics.ProcessStartInfo]::new($bin['PSChat.BenchHost'], 'Irc')
        $info.RedirectStandardInput = $true
        $info.RedirectStandardOutput = $true
        $info.UseShellExecute = $false
        $hostProcess = [System.Diagnostics.Process]::Start($info)
        $portLine = $hostProcess.StandardOutput.ReadLine()
        $portLine | Should -Match '^port \d+$'
        $port = [int]($portLine -split ' ')[1]

        $table = & $bin['PSChat.Bench'] --quick --target "PSChat,irc,$port,$($hostProcess.Id)"
        $exitCode = $LASTEXITCODE
        $rows = @{}
        foreach ($line in $table | Where-Object { $_ -match '^\| ' -and $_ -notmatch '^\| Figure ' }) {
            $cells = $line.Trim('|').Split('|') | ForEach-Object Trim
            $rows[$cells[0] -replace ' \(lower is better\)$', ''] = $cells[1]
        }
    }

    BeforeEach {
        if (-not $IsLinux) { Set-ItResult -Skipped -Because $linuxOnly }
    }

    AfterAll {
        if ($hostProcess) {
            $hostProcess.StandardInput.Close()
            if (-not $hostProcess.WaitForExit(5000)) { $hostProcess.Kill() }
            $hostProcess.Dispose()
        }
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
