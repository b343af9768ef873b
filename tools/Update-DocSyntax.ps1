<#
.SYNOPSIS
    Rewrites the SYNTAX code lines of docs/*.md from the built module's Get-Command -Syntax.
.DESCRIPTION
    Help.Tests checks that each ### block of a doc's SYNTAX section holds exactly what
    Get-Command prints for that parameter set. After adding parameters (or merging branches that
    did), run this against the staged module instead of editing the long lines by hand:
    ./build.ps1 Build; dotnet pwsh -NoProfile -File tools/Update-DocSyntax.ps1
    Only the code line of a block whose set exists is replaced; blocks are not added or removed.
#>
[CmdletBinding()]
param(
    [string] $ModulePath = (Join-Path $PSScriptRoot '../PSChat'),
    [string] $DocsPath = (Join-Path $PSScriptRoot '../docs')
)
$ErrorActionPreference = 'Stop'
Import-Module (Resolve-Path $ModulePath).Path -Force
foreach ($doc in Get-ChildItem $DocsPath -Filter '*-*.md') {
    $name = $doc.BaseName
    $command = Get-Command $name -Module PSChat -ErrorAction Ignore
    if (-not $command) { continue }
    $lines = [System.Collections.Generic.List[string]](Get-Content $doc.FullName)
    $inSyntax = $false
    $set = $null
    $inCode = $false
    $changed = $false
    for ($i = 0; $i -lt $lines.Count; $i++) {
        $line = $lines[$i]
        if ($line -like '## *') { $inSyntax = $line -eq '## SYNTAX'; continue }
        if (-not $inSyntax) { continue }
        if ($line -like '### *') {
            $setName = $line.Substring(4).Trim() -replace ' \(Default\)$'
            $set = $command.ParameterSets | Where-Object Name -EQ $setName
            continue
        }
        if ($line.StartsWith('```')) { $inCode = -not $inCode; continue }
        if ($inCode -and $set) {
            $text = "$name $set"
            if ($line -ne $text) { $lines[$i] = $text; $changed = $true }
        }
    }
    if ($changed) {
        Set-Content -Path $doc.FullName -Value $lines -Encoding utf8NoBOM
        Write-Host "Updated the SYNTAX of $($doc.Name)"
    }
}
