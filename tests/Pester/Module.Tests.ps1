BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    $manifestPath = Join-Path $env:PSCHAT_MODULE 'PSChat.psd1'
    $repoRoot = Resolve-Path (Join-Path $PSScriptRoot '../..')
}

Describe 'The module manifest' -Tag 'Unit' {
    BeforeAll {
        $manifest = Test-ModuleManifest -Path $manifestPath -ErrorAction Stop
        $data = Import-PowerShellDataFile $manifestPath
        [xml] $props = Get-Content (Join-Path $repoRoot 'Directory.Build.props')
        $version = $props.Project.PropertyGroup.PSChatVersion | Where-Object { $_ } | Select-Object -First 1
    }

    It 'passes Test-ModuleManifest with the version from Directory.Build.props' {
        $manifest.Name | Should -Be 'PSChat'
        $manifest.Version | Should -Be ([version] $version)
        $manifest.Guid | Should -Be '6f1c2a57-3f0e-4d8e-9a0c-5d6b2e7c9a41'
    }

    It 'says who made it, what it is, and where it runs' {
        $manifest.Author | Should -Be 'PSChat contributors'
        $manifest.Description | Should -Match '^Host chat rooms'
        $manifest.CompatiblePSEditions | Should -Be @('Desktop', 'Core')
        $manifest.PowerShellVersion | Should -Be ([version] '5.1')
    }

    It 'exports exactly the cmdlets the assembly defines, and no functions or aliases' {
        $assembly = [PSChat.Commands.PSChatCmdlet].Assembly
        $defined = $assembly.GetExportedTypes() |
            ForEach-Object { $_.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false) } |
            ForEach-Object { "$($_.VerbName)-$($_.NounName)" } | Sort-Object
        $data.CmdletsToExport | Sort-Object | Should -Be $defined
        (Get-Command -Module PSChat -CommandType Cmdlet).Name | Sort-Object | Should -Be $defined
        $data.FunctionsToExport | Should -BeNullOrEmpty
        $data.AliasesToExport | Should -BeNullOrEmpty
        $data.VariablesToExport | Should -BeNullOrEmpty
    }

    It 'lists a format file that is staged' {
        $data.FormatsToProcess | Should -Be @('PSChat.format.ps1xml')
        Join-Path $env:PSCHAT_MODULE 'PSChat.format.ps1xml' | Should -Exist
    }

    It 'has tags, project and licence links and release notes' {
        $psData = $data.PrivateData.PSData
        $psData.Tags | Should -Contain 'chat'
        $psData.Tags | Should -Contain 'PSEdition_Core'
        $psData.ProjectUri | Should -Be 'https://github.com/pschat/PSChat'
        $psData.LicenseUri | Should -Be 'https://github.com/pschat/PSChat/blob/main/LICENSE'
        $psData.ReleaseNotes | Should -Match 'CHANGELOG\.md'
        Join-Path $env:PSCHAT_MODULE 'LICENSE' | Should -Exist
    }

    It 'ships a changelog in the Keep a Changelog form with the current version or Unreleased on top' {
        $changelog = Get-Content (Join-Path $repoRoot 'CHANGELOG.md')
        $changelog[0] | Should -Be '# Changelog'
        $releases = @($changelog | Where-Object { $_ -match '^## \[' })
        $releases[0] | Should -BeIn @('## [Unreleased]', "## [$version] - *")
        $changelog | Should -Contain '### Added'
        $changelog | Should -Contain "[Unreleased]: https://github.com/pschat/PSChat/commits/main"
    }
}

Describe 'Packaging (build.ps1 Package runs tools/New-PSChatPackage.ps1)' -Tag 'E2E' {
    BeforeAll {
        $work = Join-Path ([IO.Path]::GetTempPath()) "pschat-package-test-$PID"
        $null = New-Item -ItemType Directory -Path $work -Force
        $feed = Join-Path $work 'feed'
        $repository = "PSChatTest$PID"
        Register-PSResourceRepository -Name $repository -Uri $feed -Trusted -ErrorAction Stop
        $pwsh = @(Get-PwshCommand)
    }

    AfterAll {
        Unregister-PSResourceRepository -Name $repository -ErrorAction Ignore
        Remove-Item $work -Recurse -Force -ErrorAction Ignore
    }

    It 'makes a <Id> package that installs from a folder repository and imports from there' -ForEach @(
        @{ Id = 'PSChat' }
        @{ Id = 'PSChat.Rooms' }
    ) {
        $version = (Import-PowerShellDataFile $manifestPath).ModuleVersion
        $package = & (Join-Path $repoRoot 'tools/New-PSChatPackage.ps1') -ModulePath $env:PSCHAT_MODULE -DestinationPath $feed -PackageId $Id
        $package.Name | Should -Be "$Id.$version.nupkg"

        $found = Find-PSResource -Name $Id -Repository $repository
        $found.Type | Should -Be 'Module'
        $found.Version | Should -Be ([version] $version)

        $modules = Join-Path $work "modules-$Id"
        $null = New-Item -ItemType Directory -Path $modules -Force
        Save-PSResource -Name $Id -Repository $repository -Path $modules -TrustRepository -Quiet
        # In a fresh PowerShell whose module path starts with the install folder: import by name and chat.
        $script = @"
`$env:PSModulePath = '$modules' + [IO.Path]::PathSeparator + `$env:PSModulePath
Import-Module $Id -ErrorAction Stop
`$module = Get-Module $Id
`$module.ModuleBase
`$module.Version.ToString()
(Get-Command -Module $Id -CommandType Cmdlet).Count
`$server = Start-ChatServer -Port 0
`$session = Connect-ChatRoom -Port `$server.Port -Name pkg -Protocol Text
`$session.State.ToString()
Stop-ChatServer -InputObject `$server -Confirm:`$false
"@
        $output = & $pwsh[0] @($pwsh | Select-Object -Skip 1) -NoProfile -NonInteractive -Command $script
        $LASTEXITCODE | Should -Be 0
        $output[0] | Should -BeLike (Join-Path $modules "$Id*")
        $output[1] | Should -Be $version
        $output[2] | Should -Be (Import-PowerShellDataFile $manifestPath).CmdletsToExport.Count
        $output[3] | Should -Be 'Connected'
    }
}
