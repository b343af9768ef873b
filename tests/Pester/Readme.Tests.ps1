BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
}

Describe 'The README''s examples run as printed' -Tag 'E2E' {
    BeforeAll {
        $root = Resolve-Path (Join-Path $PSScriptRoot '../..')
        $readme = Get-Content (Join-Path $root 'README.md') -Raw
        # The first PowerShell block under "## Use".
        $use = $readme.Substring($readme.IndexOf("`n## Use"))
        $match = [regex]::Match($use, '```powershell\r?\n(?<code>.*?)```', 'Singleline')
        $script:block = $match.Groups['code'].Value
    }

    It 'runs the Use block, thread-job bot included, in a fresh pwsh that imported PSChat by path' {
        $block | Should -Match 'Import-Module \./PSChat'
        $block | Should -Match 'Start-ThreadJob'
        # The staged module folder, named PSChat, under a folder of its own, like the build's ./PSChat.
        $work = Join-Path ([IO.Path]::GetTempPath()) ("pschat-readme-" + [guid]::NewGuid().ToString('N'))
        $null = New-Item -ItemType Directory -Path $work
        Copy-Item $env:PSCHAT_MODULE (Join-Path $work 'PSChat') -Recurse
        $script = Join-Path $work 'use.ps1'
        # Only harness around the block: stop on the first error, and show the bot's answer as text.
        Set-Content -Path $script -Value ("`$ErrorActionPreference = 'Stop'`n" + $block.Replace(
            "Receive-ChatMessage -Session `$alice -Kind Message -Count 1 -Timeout 10",
            "Receive-ChatMessage -Session `$alice -Kind Message -Count 1 -Timeout 10 -ErrorAction Stop | ForEach-Object { 'ANSWER ' + `$_.Sender + ' ' + `$_.Text }"))
        $saved = $env:PSModulePath
        try {
            # The child starts from PowerShell's own module path: nothing of the test run's leaks in.
            $env:PSModulePath = $null
            Push-Location $work
            $pwsh = Join-Path $PSHOME 'pwsh.dll'
            $output = & dotnet $pwsh -NoProfile -NonInteractive -File $script 2>&1 | Out-String
            $exit = $LASTEXITCODE
        }
        finally {
            Pop-Location
            $env:PSModulePath = $saved
            Remove-Item $work -Recurse -Force -ErrorAction Ignore
        }
        $exit | Should -Be 0 -Because $output
        $output | Should -Match 'ANSWER bob \d{1,2}:\d\d:\d\d'
    }
}
