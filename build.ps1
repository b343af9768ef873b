#Requires -Version 7.0
<#
.SYNOPSIS
    Builds, tests, demonstrates and packages PSChat.
.DESCRIPTION
    One entry point for every task. The tools it needs (PowerShell as a .NET local tool, Pester from
    NuGet) are restored by the task itself; nothing depends on anything installed by hand.
    Run it as: dotnet tool restore && dotnet pwsh ./build.ps1 <Task>
.PARAMETER Task
    Build (default): compile and stage the module into ./PSChat.
    Test: Build, then the xunit engine tests and the Pester suite against the staged module.
    Demo: Build, then a chat on the embedded default server with two scripted clients.
    Docs: convert docs/*.md (PlatyPS markdown) into the staged module's en-US help; Build runs it.
    Package: Build, then a versioned .nupkg of the staged module in ./out/packages (see -PackageId).
    Bench: Build, then the load generator in bench/ against PSChat, ngircd and inspircd (where
    installed), each in its own process on a free loopback port; prints one table and writes it
    to out/bench-<time>.md.
    Fuzz: the fuzz targets in fuzz/PSChat.Fuzz (irc: the IRC parser, formatter and input rules;
    framer: the line framer; text: the text rules, SafeText and the UTF-8 splitter) under AFL++
    through SharpFuzz, each for -FuzzSeconds from the seed corpus in fuzz/corpus/<target>. Installs
    AFL++ (Debian package afl++) when it is missing and we are root; without it, or with
    -FuzzEngine Random, a built-in random mutator runs instead (no coverage feedback). Findings are
    replayed and the task fails; AFL++'s output is kept in out/fuzz/afl-<target>.
    Conformance: Build, then irctest (the third-party IRC server conformance suite; the snapshot in
    ../shared/irctest beside the checkout, or IRCTEST_DIR) against the staged module through
    tests/irctest/run.sh, for each selection of -Selection. Installs the Debian packages the runner needs
    when they are missing and we are root. Fails when a selection passes fewer tests than its floor in
    tests/irctest/floor.json, and says how to raise a floor that was beaten. Test runs it too, on the
    selections floor.json lists under "test".
    Clean: remove build output.
.PARAMETER Configuration
    Release (default) or Debug.
.PARAMETER Tag
    With Test: run only the Pester tests with these tags (Unit, E2E, Interop, Bench).
.PARAMETER PackageId
    With Package: the package id (PSChat by default). The PowerShell Gallery already has an unrelated
    'PsChat' (ids ignore case), so a release may pick a free id; the manifest is then named after it.
.PARAMETER Quick
    With Bench: small scenarios that run in seconds (the smoke run CI can afford).
.PARAMETER FuzzTarget
    With Fuzz: the targets to run (irc, framer, text); all by default.
.PARAMETER FuzzSeconds
    With Fuzz: how long each target runs (60 by default).
.PARAMETER FuzzEngine
    With Fuzz: Auto (AFL++ where it can be had, else the random mutator), Afl or Random.
.PARAMETER Selection
    With Conformance: the irctest selections to run, each a name with a floor in tests/irctest/floor.json
    (rfc, ci, all, ...); by default those floor.json lists under "test".
#>
[CmdletBinding()]
param(
    [Parameter(Position = 0)]
    [ValidateSet('Build', 'Test', 'Demo', 'Docs', 'Package', 'Bench', 'Fuzz', 'Conformance', 'Clean')]
    [string] $Task = 'Build',

    [ValidateSet('Release', 'Debug')]
    [string] $Configuration = 'Release',

    [string[]] $Tag,

    [string] $PackageId = 'PSChat',

    [switch] $Quick,

    [ValidateSet('irc', 'framer', 'text')]
    [string[]] $FuzzTarget = @('irc', 'framer', 'text'),

    [ValidateRange(1, 86400)]
    [int] $FuzzSeconds = 60,

    [ValidateSet('Auto', 'Afl', 'Random')]
    [string] $FuzzEngine = 'Auto',

    [string[]] $Selection
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0
$Root = $PSScriptRoot
$ModuleDir = Join-Path $Root 'PSChat'
$OutDir = Join-Path $Root 'out'

# The staged module, file by file: the build fails if any is missing.
$ModuleFiles = @(
    'PSChat.dll'
    'PSChat.Engine.dll'
    'System.Buffers.dll'
    # -DataPath: SQLite, and its native library for each platform PowerShell 7 runs on (loaded by
    # Engine/History/SqliteNative.cs from runtimes/<rid>/native).
    'Microsoft.Data.Sqlite.dll'
    'SQLitePCLRaw.core.dll'
    'SQLitePCLRaw.batteries_v2.dll'
    'SQLitePCLRaw.provider.e_sqlite3.dll'
    'runtimes/linux-x64/native/libe_sqlite3.so'
    'runtimes/linux-arm64/native/libe_sqlite3.so'
    'runtimes/linux-musl-x64/native/libe_sqlite3.so'
    'runtimes/osx-x64/native/libe_sqlite3.dylib'
    'runtimes/osx-arm64/native/libe_sqlite3.dylib'
    'runtimes/win-x64/native/e_sqlite3.dll'
    'runtimes/win-x86/native/e_sqlite3.dll'
    'runtimes/win-arm64/native/e_sqlite3.dll'
)

# The engine suite runs on each connection driver: one epoll loop thread, the stream driver on the
# thread pool (what Windows and macOS use), and four loops (more loops than cores: cross-loop races).
# Where epoll is missing, every run is the stream driver.
$XunitRuns = @(
    @{ Project = 'PSChat.Engine.Tests'; Name = 'one-loop'; Loops = '1' }
    @{ Project = 'PSChat.Engine.Tests'; Name = 'thread-pool'; Loops = '0' }
    @{ Project = 'PSChat.Engine.Tests'; Name = 'four-loops'; Loops = '4' }
    @{ Project = 'HelpBuilder.Tests'; Name = 'default'; Loops = '' }
)

# The help the Docs task writes into the staged module (Get-Help reads en-US/<cmdlet dll>-Help.xml).
$HelpFiles = @(
    'en-US/PSChat.dll-Help.xml'
    'en-US/about_PSChat.help.txt'
)

function Invoke-Native {
    # Runs a native command and stops the build when it fails.
    param([Parameter(Mandatory)][string] $Command, [string[]] $Arguments)
    & $Command @Arguments
    if ($LASTEXITCODE -ne 0) { throw "'$Command $($Arguments -join ' ')' failed with exit code $LASTEXITCODE." }
}

function Get-PSChatVersion {
    [xml] $props = Get-Content (Join-Path $Root 'Directory.Build.props')
    $props.Project.PropertyGroup.PSChatVersion | Where-Object { $_ } | Select-Object -First 1
}

function Invoke-Build {
    Invoke-Native dotnet @('build', (Join-Path $Root 'src/PSChat/PSChat.csproj'), '-c', $Configuration, '--nologo', '-v', 'quiet', '-clp:ErrorsOnly')
    $bin = Join-Path $Root "src/PSChat/bin/$Configuration/netstandard2.0"

    if (Test-Path $ModuleDir) { Remove-Item $ModuleDir -Recurse -Force }
    $null = New-Item -ItemType Directory -Path $ModuleDir
    foreach ($file in $ModuleFiles) {
        $source = Join-Path $bin $file
        if (-not (Test-Path $source)) { throw "Build output is missing $file (looked in $bin)." }
        $target = Join-Path $ModuleDir $file
        $null = New-Item -ItemType Directory -Path (Split-Path $target -Parent) -Force
        Copy-Item $source $target
    }

    foreach ($file in 'PSChat.format.ps1xml') {
        $source = Join-Path $Root "src/PSChat/$file"
        if (-not (Test-Path $source)) { throw "Missing module file src/PSChat/$file." }
        Copy-Item $source $ModuleDir
    }

    Copy-Item (Join-Path $Root 'LICENSE') $ModuleDir

    $version = Get-PSChatVersion
    $manifest = (Get-Content (Join-Path $Root 'PSChat.psd1') -Raw) -replace "ModuleVersion(\s*)=(\s*)'[^']*'", "ModuleVersion`$1=`$2'$version'"
    Set-Content -Path (Join-Path $ModuleDir 'PSChat.psd1') -Value $manifest -Encoding utf8NoBOM
    Invoke-Docs
    Write-Host "Staged PSChat $version in $ModuleDir"
}

function Invoke-Docs {
    # PlatyPS cannot be installed here: tools/HelpBuilder (Markdig) converts the docs and fails on any fault in them.
    $helpDir = Join-Path $ModuleDir 'en-US'
    if (Test-Path $helpDir) { Remove-Item $helpDir -Recurse -Force }
    $builder = Join-Path $Root 'tools/HelpBuilder'
    Invoke-Native dotnet @('build', (Join-Path $builder 'HelpBuilder.csproj'), '-c', $Configuration, '--nologo', '-v', 'quiet', '-clp:ErrorsOnly')
    Invoke-Native dotnet @((Join-Path $builder "bin/$Configuration/net10.0/HelpBuilder.dll"), (Join-Path $Root 'docs'), $helpDir, 'PSChat.dll-Help.xml')
    foreach ($file in $HelpFiles) {
        if (-not (Test-Path (Join-Path $ModuleDir $file))) { throw "The Docs task did not produce $file." }
    }
}

function Get-PesterModulePath {
    $tools = Join-Path $Root 'tools/tools.csproj'
    [xml] $project = Get-Content $tools
    $version = ($project.Project.ItemGroup.PackageDownload | Where-Object Include -EQ 'Pester').Version.Trim('[', ']')
    $nugetRoot = if ($env:NUGET_PACKAGES) { $env:NUGET_PACKAGES } else { Join-Path ([Environment]::GetFolderPath('UserProfile')) '.nuget/packages' }
    $psd1 = Join-Path $nugetRoot "pester/$version/tools/Pester.psd1"
    if (-not (Test-Path $psd1)) {
        Invoke-Native dotnet @('restore', $tools, '--nologo', '-v', 'quiet')
    }
    if (-not (Test-Path $psd1)) { throw "Pester $version did not restore to $psd1." }
    $psd1
}

function Install-TestDependency {
    # The end-to-end tests drive real third-party programs: netcat, tmux (the console of Enter-ChatRoom),
    # ngircd, weechat and irssi (IRC interop), python3 (the tutorial's programs). On a Debian machine where we
    # are root, install what is missing; elsewhere, tests that need them report themselves as skipped.
    $wanted = [ordered]@{ nc = 'netcat-openbsd'; tmux = 'tmux' }
    $wanted['ngircd'] = 'ngircd'                       # IrcInterop: a real IRC server for Connect-ChatRoom
    $wanted['weechat-headless'] = 'weechat-headless'   # IrcInterop: a real IRC client for the PSChat server
    $wanted['irssi'] = 'irssi'                         # IrssiInterop: the other terminal IRC client (in tmux)
    # Tls and IrcInterop: openssl s_client on PSChat's shared port, and the certificate of ngircd's TLS
    # port (Debian's ngircd is built with GnuTLS).
    $wanted['openssl'] = 'openssl'
    # The tutorial's own programs (tests/tutorial), bounded by coreutils' timeout.
    $wanted['python3'] = 'python3'
    $missing = @($wanted.Keys | Where-Object { -not (Get-Command $_ -CommandType Application -ErrorAction Ignore) } | ForEach-Object { $wanted[$_] })
    if ($missing.Count -eq 0) { return }
    $isRoot = (Get-Command id -ErrorAction Ignore) -and ((& id -u) -eq '0')
    if ($isRoot -and (Get-Command apt-get -ErrorAction Ignore)) {
        Write-Host "Installing test dependencies: $($missing -join ', ')"
        $env:DEBIAN_FRONTEND = 'noninteractive'
        Invoke-Native apt-get @('update', '-qq')
        Invoke-Native apt-get (@('install', '-y', '-qq', '--no-install-recommends') + $missing)
    }
    else {
        Write-Warning "Not installed: $($missing -join ', '). Tests that need them will be skipped."
    }
}

function Invoke-Test {
    Invoke-Build
    Install-TestDependency
    $null = New-Item -ItemType Directory -Path $OutDir -Force

    # xunit: the engine once per driver configuration, then the help converter. PSCHAT_IO_LOOPS is set
    # explicitly for every run (and cleared for Pester), so an inherited value changes nothing.
    $unitPassed = 0
    $unitFailed = 0
    # The abuse suite (xunit, Category=Abuse) records a well-behaved client's round trips during each abuse.
    $abuseReport = Join-Path $OutDir 'abuse-rtt.tsv'
    Remove-Item $abuseReport -ErrorAction Ignore
    $env:PSCHAT_ABUSE_REPORT = $abuseReport
    foreach ($run in $XunitRuns) {
        $trx = Join-Path $OutDir "$($run.Project)-$($run.Name).trx"
        Remove-Item $trx -ErrorAction Ignore
        Write-Host "xunit $($run.Project) [$($run.Name)]"
        $env:PSCHAT_IO_LOOPS = $run.Loops
        try {
            & dotnet test (Join-Path $Root "tests/$($run.Project)/$($run.Project).csproj") -c $Configuration --nologo -v quiet `
                --logger "trx;LogFileName=$trx" --logger 'console;verbosity=minimal'
        }
        finally { $env:PSCHAT_IO_LOOPS = $null }
        if (-not (Test-Path $trx)) { throw "The xunit run of $($run.Project) [$($run.Name)] wrote no results." }
        [xml] $results = Get-Content $trx
        $counters = $results.TestRun.ResultSummary.Counters
        $unitPassed += [int] $counters.passed
        $unitFailed += [int] $counters.failed + [int] $counters.error + [int] $counters.timeout + [int] $counters.aborted
    }
    $env:PSCHAT_ABUSE_REPORT = $null
    Write-Host "xunit: $unitPassed passed, $unitFailed failed"
    Write-AbuseReport $abuseReport

    # Pester: the staged module, in a fresh pwsh without profile.
    $summary = Join-Path $OutDir 'pester-summary.json'
    Remove-Item $summary -ErrorAction Ignore
    $runner = Join-Path $Root 'tests/Invoke-PesterSuite.ps1'
    $pwshArgs = @('pwsh', '-NoProfile', '-NonInteractive', '-File', $runner, '-PesterPath', (Get-PesterModulePath), '-ModulePath', $ModuleDir, '-SummaryPath', $summary)
    if ($Tag) { $pwshArgs += @('-Tag', ($Tag -join ',')) }
    Push-Location $Root
    try { & dotnet @pwshArgs } finally { Pop-Location }
    if (-not (Test-Path $summary)) { throw 'The Pester run wrote no summary.' }
    $pester = Get-Content $summary -Raw | ConvertFrom-Json

    # irctest on the CI selections (not with -Tag, which picks Pester tests): each selection counts as
    # one test, passed when it reaches its floor, failed when it falls below.
    $conformance = if ($Tag) { @() } else { @(Invoke-ConformanceSelection (Get-ConformanceFloor)['test']) }
    $conformancePassed = @($conformance | Where-Object { $_.Passed -ge $_.Floor }).Count
    $conformanceFailed = $conformance.Count - $conformancePassed

    $passed = $unitPassed + $pester.Passed + $conformancePassed
    $failed = $unitFailed + $pester.Failed + $conformanceFailed
    $skipped = $pester.Skipped
    Write-Host ''
    foreach ($run in $conformance) { Write-Host (Format-ConformanceResult $run) }
    Write-Host "xunit: $unitPassed passed, $unitFailed failed; Pester: $($pester.Passed) passed, $($pester.Failed) failed, $($pester.Skipped) skipped; irctest floors: $conformancePassed reached, $conformanceFailed missed"
    Write-Host "$passed passed, $failed failed, $skipped skipped"
    if ($failed -gt 0 -or $passed -eq 0) { exit 1 }
}

$ConformanceFloorFile = Join-Path $Root 'tests/irctest/floor.json'

function Get-ConformanceFloor {
    Get-Content $ConformanceFloorFile -Raw | ConvertFrom-Json -AsHashtable
}

function Install-ConformanceDependency {
    # tests/irctest/run.sh runs irctest with Debian's pytest (and its plugins); irctest imports ecdsa and
    # websockets for its SASL and websocket tests even where they are skipped.
    $wanted = [ordered]@{
        'python3-pytest' = 'pytest'; 'python3-pytest-xdist' = 'xdist'; 'python3-ecdsa' = 'ecdsa'
        'python3-filelock' = 'filelock'; 'python3-websockets' = 'websockets'
    }
    # run.sh runs Debian's /usr/bin/python3 (another python3 first on PATH has none of these packages).
    $python = '/usr/bin/python3'
    $hasPython = Test-Path $python
    $missing = @($wanted.Keys | Where-Object {
            if (-not $hasPython) { return $true }
            $null = & $python -c "import $($wanted[$_])" 2>&1
            $LASTEXITCODE -ne 0
        })
    if ($missing.Count -eq 0) { return $true }
    $isRoot = (Get-Command id -ErrorAction Ignore) -and ((& id -u) -eq '0')
    if (-not ($isRoot -and (Get-Command apt-get -ErrorAction Ignore))) {
        Write-Warning "Not installed: $($missing -join ', '). irctest cannot run."
        return $false
    }
    Write-Host "Installing irctest dependencies: $($missing -join ', ')"
    $env:DEBIAN_FRONTEND = 'noninteractive'
    Invoke-Native apt-get @('update', '-qq')
    Invoke-Native apt-get (@('install', '-y', '-qq', '--no-install-recommends', 'python3') + $missing)
    $true
}

function Invoke-ConformanceSelection {
    # Runs irctest on each selection against the staged module; one result per selection (nothing when
    # irctest cannot run here: no snapshot, or its packages cannot be installed).
    param([string[]] $Names)
    $floors = (Get-ConformanceFloor)['floors']
    foreach ($name in $Names) {
        if (-not $floors.ContainsKey($name)) { throw "tests/irctest/floor.json has no floor for the selection '$name'." }
    }
    $suite = if ($env:IRCTEST_DIR) { $env:IRCTEST_DIR } else { Join-Path $Root '../shared/irctest' }
    if (-not (Test-Path (Join-Path $suite 'conftest.py'))) {
        Write-Warning "No irctest snapshot at $suite (set IRCTEST_DIR); the conformance run is left out."
        return
    }
    if (-not (Install-ConformanceDependency)) { return }
    foreach ($name in $Names) {
        $selection = $floors[$name]
        $started = [datetime]::UtcNow
        $keywords = $selection['k']
        Write-Host "irctest $name ($($selection['select'])$(if ($keywords) { " -k '$keywords'" }))"
        $runArgs = @('pschat', $selection['select'])
        if ($keywords) { $runArgs += @('-k', $keywords) }
        Push-Location $Root
        # run.sh prints pytest's summary line: to the host, so this function returns only results.
        try { & bash (Join-Path $Root 'tests/irctest/run.sh') @runArgs | Out-Host } finally { Pop-Location }
        $sel = if ($selection['select'] -in 'all', 'rfc', 'ircv3') { $selection['select'] } else { 'custom' }
        $xmlPath = Join-Path $OutDir "irctest/pschat-$sel.xml"
        if ($LASTEXITCODE -gt 1 -or -not (Test-Path $xmlPath)) { throw "irctest ($name) did not run: exit code $LASTEXITCODE (see out/irctest)." }
        [xml] $xml = Get-Content $xmlPath
        $suiteNode = $xml.testsuites.testsuite
        $failedNames = @($suiteNode.testcase | Where-Object { $_['failure'] -or $_['error'] } | ForEach-Object { ($_.classname -replace '^.*\.', '') + '.' + $_.name })
        $skipped = [int] $suiteNode.skipped
        $failed = [int] $suiteNode.failures + [int] $suiteNode.errors
        [pscustomobject]@{
            Name = $name
            Passed = [int] $suiteNode.tests - $failed - $skipped
            Failed = $failed
            Skipped = $skipped
            Floor = [int] $selection['floor']
            FailedTests = $failedNames
            Seconds = [int] ([datetime]::UtcNow - $started).TotalSeconds
        }
    }
}

function Format-ConformanceResult {
    param($Run)
    $line = "irctest $($Run.Name): $($Run.Passed) passed, $($Run.Failed) failed, $($Run.Skipped) skipped in $($Run.Seconds) s (floor $($Run.Floor))"
    if ($Run.Passed -lt $Run.Floor) {
        $line += "`n  BELOW THE FLOOR: a test that passed before fails now (out/irctest/*.log has the details). Failed: $($Run.FailedTests -join ', ')"
    }
    elseif ($Run.Passed -gt $Run.Floor) {
        $line += "`n  Above the floor: raise it by setting `"floor`": $($Run.Passed) for `"$($Run.Name)`" in tests/irctest/floor.json and committing it (a floor only goes up)."
    }
    $line
}

function Invoke-Conformance {
    Invoke-Build
    $names = if ($Selection) { $Selection } else { (Get-ConformanceFloor)['test'] }
    $runs = @(Invoke-ConformanceSelection $names)
    if ($runs.Count -eq 0) { throw 'irctest could not run here (see the warnings above).' }
    foreach ($run in $runs) { Write-Host (Format-ConformanceResult $run) }
    $below = @($runs | Where-Object { $_.Passed -lt $_.Floor })
    if ($below.Count -gt 0) { throw "irctest fell below its floor on: $($below.Name -join ', ')." }
}

function Write-AbuseReport {
    # One line per abuse scenario: the worst PING round trip of the well-behaved client across the driver runs.
    param([string] $Path)
    if (-not (Test-Path $Path)) { return }
    $rows = Import-Csv $Path -Delimiter "`t" -Header Scenario, Checks, MedianMs, WorstMs, Loops
    Write-Host 'Abuse suite: a well-behaved client''s PING round trip while each abuse runs (ms)'
    $rows | Group-Object Scenario | Sort-Object Name | ForEach-Object {
        $worst = ($_.Group | Measure-Object { [double] $_.WorstMs } -Maximum).Maximum
        $median = ($_.Group | Measure-Object { [double] $_.MedianMs } -Maximum).Maximum
        Write-Host ('  {0,-40} median {1,8:F1}  worst {2,8:F1}' -f $_.Name, $median, $worst)
    }
}

function Invoke-Demo {
    Invoke-Build
    Push-Location $Root
    try {
        Invoke-Native dotnet @('pwsh', '-NoProfile', '-NonInteractive', '-File', (Join-Path $Root 'examples/Demo.ps1'), '-ModulePath', $ModuleDir)
    }
    finally { Pop-Location }
}

function Invoke-Package {
    Invoke-Build
    $package = & (Join-Path $Root 'tools/New-PSChatPackage.ps1') -ModulePath $ModuleDir -DestinationPath (Join-Path $OutDir 'packages') -PackageId $PackageId
    Write-Host "Packaged $($package.FullName)"
}

# The file limit the benchmark's 10,000 connections need (the hard limit on the reference machine).
$BenchFileLimit = 20000

function Get-FreeLoopbackPort {
    $probe = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $probe.Start()
    try { $probe.LocalEndpoint.Port } finally { $probe.Stop() }
}

function Start-BenchProcess {
    # Starts a program with the benchmark's file limit; exec keeps the pid the program's own. With a
    # log, its output goes to that file (an undrained pipe would stall a server that logs).
    param([Parameter(Mandatory)][string] $FilePath, [string[]] $Arguments = @(), [string] $LogPath)
    $redirect = if ($LogPath) { " >'$LogPath' 2>&1" } else { '' }
    $info = [System.Diagnostics.ProcessStartInfo]::new('bash')
    $info.ArgumentList.Add('-c')
    $info.ArgumentList.Add("ulimit -n $BenchFileLimit 2>/dev/null || ulimit -n `$(ulimit -Hn); exec `"`$0`" `"`$@`"$redirect")
    $info.ArgumentList.Add($FilePath)
    foreach ($a in $Arguments) { $info.ArgumentList.Add($a) }
    $info.RedirectStandardInput = $true
    $info.RedirectStandardOutput = -not $LogPath
    $info.RedirectStandardError = -not $LogPath
    $info.UseShellExecute = $false
    [System.Diagnostics.Process]::Start($info)
}

function Wait-BenchPort {
    # Bounded wait until something accepts on the port, or the process died.
    param([Parameter(Mandatory)][int] $Port, [Parameter(Mandatory)] $Process, [string] $Name)
    $deadline = [datetime]::UtcNow.AddSeconds(15)
    while ([datetime]::UtcNow -lt $deadline) {
        if ($Process.HasExited) { throw "$Name exited with code $($Process.ExitCode) before listening." }
        $probe = [System.Net.Sockets.TcpClient]::new()
        try { $probe.Connect('127.0.0.1', $Port); return } catch { Start-Sleep -Milliseconds 100 } finally { $probe.Dispose() }
    }
    throw "$Name did not listen on 127.0.0.1:$Port within 15 s."
}

function New-NgircdConfig {
    # Flood penalty off and limits off, so it is measured at full speed; no PAM, ident or DNS.
    param([Parameter(Mandatory)][string] $Dir, [Parameter(Mandatory)][int] $Port)
    $path = Join-Path $Dir 'ngircd.conf'
    @"
[Global]
Name = bench.ngircd
Info = PSChat benchmark
Listen = 127.0.0.1
Ports = $Port
MotdPhrase = bench
PidFile = $(Join-Path $Dir 'ngircd.pid')
[Limits]
MaxConnections = 0
MaxConnectionsIP = 0
MaxJoins = 0
MaxNickLength = 30
MaxPenaltyTime = 0
PingTimeout = 600
PongTimeout = 600
[Options]
DNS = no
Ident = no
PAM = no
"@ | Set-Content -Path $path -Encoding utf8NoBOM
    $path
}

function New-InspircdConfig {
    # Fake lag and flood limits off, per-IP limits above the scenario sizes, no DNS or ident.
    param([Parameter(Mandatory)][string] $Dir, [Parameter(Mandatory)][int] $Port)
    $path = Join-Path $Dir 'inspircd.conf'
    @"
<server name="bench.inspircd" description="PSChat benchmark" network="bench">
<admin name="bench" nick="bench" email="bench@localhost">
<bind address="127.0.0.1" port="$Port" type="clients">
<connect name="bench" allow="127.0.0.1" timeout="60" pingfreq="600" threshold="1000000" commandrate="1000000000" fakelag="no" hardsendq="1048576" softsendq="65536" recvq="1048576" localmax="$BenchFileLimit" globalmax="$BenchFileLimit" maxconnwait="0" resolvehostnames="no" useident="no" limit="$BenchFileLimit">
<performance softlimit="$BenchFileLimit" somaxconn="512" netbuffersize="65536" clonesonconnect="no" quietbursts="yes">
<channels users="100" opers="100">
<pid file="$(Join-Path $Dir 'inspircd.pid')">
<log method="file" type="* -USERINPUT -USEROUTPUT" level="default" target="$(Join-Path $Dir 'inspircd.log')">
<options syntaxhints="no" announcets="no">
<security hideserver="" userstats="Pu" maxtargets="20">
<dns timeout="1">
"@ | Set-Content -Path $path -Encoding utf8NoBOM
    $path
}

function Invoke-Bench {
    Invoke-Build
    foreach ($project in 'PSChat.BenchHost', 'PSChat.Bench') {
        Invoke-Native dotnet @('build', (Join-Path $Root "bench/$project/$project.csproj"), '-c', 'Release', '--nologo', '-v', 'quiet', '-clp:ErrorsOnly')
    }
    $benchBin = { param($project) Join-Path $Root "bench/$project/bin/Release/net10.0/$project" }
    $runDir = Join-Path $OutDir 'bench'
    $null = New-Item -ItemType Directory -Path $runDir -Force

    $servers = [System.Collections.Generic.List[object]]::new()
    try {
        # PSChat over IRC first (the ratios compare it with the others), then over its text protocol, then
        # over IRC in TLS (the fan-out scenarios only: the cost of encryption under the same load), then
        # over IRC with rooms that keep no history (-HistorySize 0) and with history also written to
        # SQLite (-DataPath in a temporary folder), both on the fan-out scenarios only: the second table
        # gives in-memory history (PSChat) and SQLite against no history (targets: 1.10x and 1.25x of the
        # server CPU per delivery).
        $targets = @()
        foreach ($pschat in @(
                @{ Name = 'PSChat'; Protocol = 'Irc'; Tls = $false; History = $null }
                @{ Name = 'PSChat-text'; Protocol = 'Text'; Tls = $false; History = $null }
                @{ Name = 'PSChat-TLS'; Protocol = 'Irc'; Tls = $true; History = $null }
                @{ Name = 'PSChat-nohistory'; Protocol = 'Irc'; Tls = $false; History = 'nohistory' }
                @{ Name = 'PSChat-sqlite'; Protocol = 'Irc'; Tls = $false; History = 'datapath' })) {
            $hostArguments = @($pschat.Protocol) + @(if ($pschat.Tls) { 'tls' }) + @(if ($pschat.History) { $pschat.History })
            $host_ = Start-BenchProcess -FilePath (& $benchBin 'PSChat.BenchHost') -Arguments $hostArguments
            $servers.Add($host_)
            $portLine = $host_.StandardOutput.ReadLine()
            if ($portLine -notmatch '^port (\d+)$') { throw "PSChat.BenchHost said '$portLine' instead of its port." }
            $flag = if ($pschat.Tls) { ',tls' } elseif ($pschat.History) { ',fanout' } else { '' }
            $targets += "$($pschat.Name),$($pschat.Protocol.ToLowerInvariant()),$($Matches[1]),$($host_.Id)$flag"
        }

        $others = @(
            @{ Name = 'ngircd'; Program = 'ngircd'; Config = { param($p) New-NgircdConfig $runDir $p }; Arguments = { param($c) @('-n', '-f', $c) } }
            @{ Name = 'inspircd'; Program = 'inspircd'; Config = { param($p) New-InspircdConfig $runDir $p }; Arguments = { param($c) @("--config=$c", '--nofork', '--runasroot') } }
        )
        foreach ($other in $others) {
            $program = Get-Command $other.Program -CommandType Application -ErrorAction Ignore | Select-Object -First 1
            if (-not $program) {
                Write-Warning "$($other.Name) is not installed; the table leaves it out."
                continue
            }
            $port = Get-FreeLoopbackPort
            $config = & $other.Config $port
            $process = Start-BenchProcess -FilePath $program.Source -Arguments (& $other.Arguments $config) -LogPath (Join-Path $runDir "$($other.Name).log")
            $servers.Add($process)
            Wait-BenchPort -Port $port -Process $process -Name $other.Name
            $targets += "$($other.Name),irc,$port,$($process.Id)"
        }

        $stamp = [datetime]::UtcNow.ToString('yyyyMMdd-HHmmss')
        $tableFile = Join-Path $OutDir "bench-$stamp.md"
        $benchArgs = @($targets | ForEach-Object { '--target', $_ }) + @('--ratio', 'PSChat/PSChat-nohistory', '--ratio', 'PSChat-sqlite/PSChat-nohistory', '--out', $tableFile)
        if ($Quick) { $benchArgs += '--quick' }
        $bench = Start-BenchProcess -FilePath (& $benchBin 'PSChat.Bench') -Arguments $benchArgs
        $bench.StandardInput.Close()
        $errors = $bench.StandardError.ReadToEndAsync()
        $table = $bench.StandardOutput.ReadToEnd()
        $bench.WaitForExit()
        Write-Host $errors.Result
        if (-not (Test-Path $tableFile)) { throw "The load generator wrote no table (exit code $($bench.ExitCode))." }

        $count = if ($Quick) { 20000 } else { 200000 }
        $clientTable = & dotnet pwsh -NoProfile -NonInteractive -File (Join-Path $Root 'bench/Measure-CmdletThroughput.ps1') -ModulePath $ModuleDir -Count $count
        if ($LASTEXITCODE -ne 0) { throw 'Measuring the cmdlets failed.' }
        $objectArguments = if ($Quick) { @('-Objects', 2000, '-Requests', 200) } else { @('-Objects', 20000, '-Requests', 2000) }
        $clientTable = @($clientTable) + @(& dotnet pwsh -NoProfile -NonInteractive -File (Join-Path $Root 'bench/Measure-ObjectThroughput.ps1') -ModulePath $ModuleDir @objectArguments)
        if ($LASTEXITCODE -ne 0) { throw 'Measuring objects between sessions failed.' }
        $waitCount = if ($Quick) { 2000 } else { 20000 }
        $waitTable = & dotnet pwsh -NoProfile -NonInteractive -File (Join-Path $Root 'bench/Measure-WaitServerCost.ps1') -ModulePath $ModuleDir -Count $waitCount
        if ($LASTEXITCODE -ne 0) { throw 'Measuring Start-ChatServer -Wait failed.' }
        $botArguments = if ($Quick) { @('-Count', 500, '-Requests', 100) } else { @('-Count', 5000, '-Requests', 1000) }
        $botTable = & dotnet pwsh -NoProfile -NonInteractive -File (Join-Path $Root 'bench/Measure-BotThroughput.ps1') -ModulePath $ModuleDir @botArguments
        if ($LASTEXITCODE -ne 0) { throw 'Measuring the chat bot failed.' }
        $clientTable = @($clientTable) + @('') + @($waitTable) + @('') + @($botTable)
        $header = "PSChat benchmark, $([datetime]::UtcNow.ToString('yyyy-MM-dd HH:mm')) UTC, $([Environment]::ProcessorCount) cores, command: ./build.ps1 Bench$(if ($Quick) { ' -Quick' })"
        $report = @($header, '', $table.TrimEnd(), '', ($clientTable -join [Environment]::NewLine)) -join [Environment]::NewLine
        Set-Content -Path $tableFile -Value $report -Encoding utf8NoBOM
        Write-Host $report
        Write-Host "Written to $tableFile"
        # A server that fails a scenario is a result (a note under the table), not a broken build; the
        # Pester test tagged Bench is what fails when PSChat's own run does.
        if ($bench.ExitCode -ne 0) { Write-Warning "Some scenarios failed (exit code $($bench.ExitCode)); see the notes under the table." }
    }
    finally {
        foreach ($process in $servers) {
            # The PSChat host stops when its stdin closes; the IRC servers are ended by their own pid.
            try { $process.StandardInput.Close() } catch { }
            if (-not $process.WaitForExit(3000)) { $process.Kill() }
            $process.Dispose()
        }
    }
}

function Install-Afl {
    # AFL++ from Debian (afl++), where we are root; returns afl-fuzz or $null.
    $afl = Get-Command afl-fuzz -CommandType Application -ErrorAction Ignore | Select-Object -First 1
    if ($afl) { return $afl }
    $isRoot = (Get-Command id -ErrorAction Ignore) -and ((& id -u) -eq '0')
    if ($isRoot -and (Get-Command apt-get -ErrorAction Ignore)) {
        Write-Host 'Installing AFL++ (afl++)'
        $env:DEBIAN_FRONTEND = 'noninteractive'
        & apt-get update -qq
        & apt-get install -y -qq --no-install-recommends afl++
    }
    Get-Command afl-fuzz -CommandType Application -ErrorAction Ignore | Select-Object -First 1
}

function Invoke-Fuzz {
    # The harness is published to out/fuzz/bin; for AFL++ its copy of the engine is instrumented by SharpFuzz.
    $fuzzDir = Join-Path $OutDir 'fuzz'
    $bin = Join-Path $fuzzDir 'bin'
    if (Test-Path $bin) { Remove-Item $bin -Recurse -Force }
    Invoke-Native dotnet @('publish', (Join-Path $Root 'fuzz/PSChat.Fuzz/PSChat.Fuzz.csproj'), '-c', $Configuration, '-o', $bin, '--nologo', '-v', 'quiet', '-clp:ErrorsOnly')
    $harness = Join-Path $bin 'PSChat.Fuzz.dll'
    $afl = if ($FuzzEngine -ne 'Random') { Install-Afl } else { $null }
    if ($FuzzEngine -eq 'Afl' -and -not $afl) { throw 'AFL++ (afl-fuzz) is not installed and could not be.' }
    # AFL++ runs an instrumented copy; the plain one replays findings and runs the random mutator (the
    # instrumented engine writes to AFL's shared memory, which only exists under afl-fuzz).
    $aflBin = Join-Path $fuzzDir 'afl-bin'
    if ($afl) {
        if (Test-Path $aflBin) { Remove-Item $aflBin -Recurse -Force }
        Copy-Item $bin $aflBin -Recurse
        Invoke-Native dotnet @('tool', 'restore')
        Invoke-Native dotnet @('sharpfuzz', (Join-Path $aflBin 'PSChat.Engine.dll'))
    }
    else {
        Write-Warning "$(if ($FuzzEngine -eq 'Random') { 'As asked' } else { 'No AFL++' }): running the random mutator (no coverage feedback)."
    }

    $findings = 0
    foreach ($target in $FuzzTarget) {
        $corpus = Join-Path $Root "fuzz/corpus/$target"
        Write-Host "fuzz $target for $FuzzSeconds s ($(if ($afl) { 'AFL++' } else { 'random' }))"
        if ($afl) {
            $results = Join-Path $fuzzDir "afl-$target"
            if (Test-Path $results) { Remove-Item $results -Recurse -Force }
            # dotnet is no AFL binary (SKIP_BIN_CHECK); a crash is the harness's own exception, not a core dump.
            $env:AFL_SKIP_BIN_CHECK = '1'; $env:AFL_NO_UI = '1'; $env:AFL_SKIP_CPUFREQ = '1'; $env:AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES = '1'
            try { & $afl.Source -i $corpus -o $results -t 5000 -m none -V $FuzzSeconds -- (Join-Path $aflBin 'PSChat.Fuzz') $target | Select-Object -Last 3 | Write-Host }
            finally { 'AFL_SKIP_BIN_CHECK', 'AFL_NO_UI', 'AFL_SKIP_CPUFREQ', 'AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES' | ForEach-Object { Remove-Item "env:$_" -ErrorAction Ignore } }
            $crashes = @(Get-ChildItem (Join-Path $results 'default/crashes') -File -ErrorAction Ignore | Where-Object Name -NE 'README.txt')
            foreach ($crash in $crashes) { & dotnet $harness $target --replay $crash.FullName }
            $findings += $crashes.Count
        }
        else {
            & dotnet $harness $target --random $FuzzSeconds 1 $corpus
            if ($LASTEXITCODE -ne 0) { $findings++ }
        }
    }

    if ($findings -gt 0) { throw "Fuzzing found $findings inputs that break an invariant (see above and out/fuzz)." }
    Write-Host 'Fuzzing found nothing.'
}

function Invoke-Clean {
    foreach ($path in $ModuleDir, $OutDir) {
        if (Test-Path $path) { Remove-Item $path -Recurse -Force }
    }
    Get-ChildItem $Root -Directory -Recurse -Include bin, obj | Where-Object FullName -NotMatch 'node_modules' | Remove-Item -Recurse -Force
}

switch ($Task) {
    'Build' { Invoke-Build }
    'Test' { Invoke-Test }
    'Demo' { Invoke-Demo }
    'Docs' { Invoke-Docs }
    'Package' { Invoke-Package }
    'Bench' { Invoke-Bench }
    'Fuzz' { Invoke-Fuzz }
    'Conformance' { Invoke-Conformance }
    'Clean' { Invoke-Clean }
    default { throw "Unknown task $Task" }
}
