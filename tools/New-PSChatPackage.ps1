#Requires -Version 7.4
<#
.SYNOPSIS
    Packs a staged PSChat module folder into a versioned .nupkg for a PowerShell repository.
.DESCRIPTION
    Used by build.ps1 Package and by the packaging test, so both exercise the same steps. The package is
    made by Compress-PSResource (PSResourceGet, shipped with PowerShell 7.4+), so its .nuspec (id,
    version, tags, licence, project, release notes) comes from the manifest, as Publish-PSResource makes it.

    The PowerShell Gallery ignores case in package ids and already has an unrelated 'PsChat', so a release
    may need another id. A PowerShell package's id must be its module's name (the manifest file's name),
    so with -PackageId the manifest is named after that id; the assembly, its cmdlets, types and formats
    stay PSChat's.
.OUTPUTS
    System.IO.FileInfo: the .nupkg.
#>
[CmdletBinding()]
[OutputType([System.IO.FileInfo])]
param(
    # The staged module folder (build.ps1 stages ./PSChat).
    [Parameter(Mandatory)][string] $ModulePath,
    # Where the .nupkg is written.
    [Parameter(Mandatory)][string] $DestinationPath,
    # The package id; PSChat unless a release needs a free id.
    [ValidatePattern('^[A-Za-z][A-Za-z0-9._-]*$')]
    [string] $PackageId = 'PSChat'
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0

$manifest = Join-Path $ModulePath 'PSChat.psd1'
if (-not (Test-Path $manifest)) { throw "No staged module at $ModulePath (run build.ps1 first)." }
$version = (Import-PowerShellDataFile $manifest).ModuleVersion

# Compress-PSResource names the package after the folder and the manifest: stage a copy under the id.
$staging = Join-Path ([IO.Path]::GetTempPath()) "pschat-package-$([guid]::NewGuid().ToString('n'))"
$content = Join-Path $staging $PackageId
try {
    $null = New-Item -ItemType Directory -Path $content
    Copy-Item -Path (Join-Path $ModulePath '*') -Destination $content -Recurse
    if ($PackageId -ne 'PSChat') { Rename-Item (Join-Path $content 'PSChat.psd1') "$PackageId.psd1" }

    $null = New-Item -ItemType Directory -Path $DestinationPath -Force
    $package = Join-Path $DestinationPath "$PackageId.$version.nupkg"
    Remove-Item $package -ErrorAction Ignore
    Compress-PSResource -Path $content -DestinationPath $DestinationPath
    if (-not (Test-Path $package)) { throw "Compress-PSResource did not write $package." }
    Get-Item $package
}
finally {
    Remove-Item $staging -Recurse -Force -ErrorAction Ignore
}
