# The help that Get-Help shows for the staged module: built from docs/ by build.ps1 (tools/HelpBuilder).
# Every exported cmdlet must be documented, the docs must match the cmdlets' real parameters, and the
# examples must run.

BeforeDiscovery {
    if (-not $env:PSCHAT_MODULE) { $env:PSCHAT_MODULE = Join-Path $PSScriptRoot '../../PSChat' }
    Import-Module $env:PSCHAT_MODULE -Force
    $commands = @(Get-Command -Module PSChat -CommandType Cmdlet | Sort-Object Name | ForEach-Object { @{ Name = $_.Name } })

    # Examples that cannot run unattended, with the reason the test reports.
    $skipped = @{
        'Start-ChatServer/Example 3' = 'serves in the foreground until Ctrl+C'
        'Enter-ChatRoom/Example 1'   = 'interactive: needs a console and a person (EnterChatRoom.Tests.ps1 drives it in tmux)'
        'Enter-ChatRoom/Example 2'   = 'interactive: needs a console and a person (EnterChatRoom.Tests.ps1 drives it in tmux)'
        'New-ChatCertificate/Example 2' = 'asks for the PFX password (Read-Host); Tls.Tests.ps1 saves and loads a PFX'
    }
    $examples = @(foreach ($command in $commands) {
        $number = 0
        foreach ($example in @((Get-Help $command.Name -Examples).examples.example | Where-Object { $_ })) {
            $number++
            $key = "$($command.Name)/Example $number"
            @{ Key = $key; Code = ($example.code -join "`n"); Skip = $skipped[$key] }
        }
    })

    # The about topics' PowerShell code blocks run too.
    foreach ($about in Get-ChildItem (Join-Path $PSScriptRoot '../../docs') -Filter 'about_*.md') {
        $number = 0
        $code = $null
        foreach ($line in Get-Content $about.FullName) {
            if ($null -ne $code) {
                if ($line.StartsWith('```')) {
                    $number++
                    $key = "$($about.BaseName)/PowerShell block $number"
                    $examples += @{ Key = $key; Code = ($code -join "`n"); Skip = $skipped[$key] }
                    $code = $null
                }
                else { $code += $line }
            }
            elseif ($line -eq '```powershell') { $code = @() }
        }
    }
}

BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    $DocsDir = Join-Path $PSScriptRoot '../../docs'
    $CommonParameters = [System.Management.Automation.PSCmdlet]::CommonParameters

    function Get-DocSection {
        # The lines of one '## SECTION' of a doc, up to the next '## ' heading.
        param([string] $Path, [string] $Section)
        $inside = $false
        foreach ($line in Get-Content $Path) {
            if ($line -like '## *') { $inside = $line -eq "## $Section"; continue }
            if ($inside) { $line }
        }
    }

    function Get-DocSyntax {
        # The SYNTAX section as @{ Name; IsDefault; Text } per parameter set.
        param([string] $Path)
        $current = $null
        $inCode = $false
        foreach ($line in Get-DocSection $Path 'SYNTAX') {
            if ($line -like '### *') {
                if ($current) { [pscustomobject] $current }
                $name = $line.Substring(4).Trim()
                $current = @{ Name = $name -replace ' \(Default\)$'; IsDefault = $name -like '* (Default)'; Text = '' }
            }
            elseif ($line.StartsWith('```')) { $inCode = -not $inCode }
            elseif ($inCode -and $current) { $current.Text = ($current.Text + ' ' + $line).Trim() }
        }
        if ($current) { [pscustomobject] $current }
    }

    function ConvertTo-PlainText {
        # Markdown prose as Get-Help shows it: markers dropped, whitespace collapsed.
        param([string[]] $Lines)
        (($Lines -join ' ') -replace '[`*]', '' -replace '\s+', ' ').Trim()
    }

    function Get-TypeLabel {
        param([type] $Type)
        if ($Type.IsArray) { return $Type.GetElementType().Name + '[]' }
        $Type.Name
    }
}

Describe 'Help of <Name>' -Tag 'Unit' -ForEach $commands {
    BeforeAll {
        $command = Get-Command $Name
        $help = Get-Help $Name -Full
        $doc = Join-Path $DocsDir "$Name.md"
        $documented = @($command.Parameters.Values | Where-Object Name -NotIn $CommonParameters)
    }

    It 'has a doc in docs/<Name>.md' {
        Test-Path $doc | Should -BeTrue -Because "every exported cmdlet needs docs/$Name.md (PlatyPS schema, see HELP-FORMAT.md)"
    }

    It 'shows the synopsis of its doc' {
        $expected = ConvertTo-PlainText (Get-DocSection $doc 'SYNOPSIS')
        $expected | Should -Not -BeNullOrEmpty
        ($help.Synopsis -replace '\s+', ' ').Trim() | Should -Be $expected
    }

    It 'has a description' {
        $text = ($help.description.Text -join ' ')
        $text.Length | Should -BeGreaterThan 200 -Because 'the description says what the cmdlet does, its defaults, limits and errors'
        $first = (ConvertTo-PlainText (Get-DocSection $doc 'DESCRIPTION')).Substring(0, 60)
        ($text -replace '\s+', ' ') | Should -BeLike "$([WildcardPattern]::Escape($first))*"
    }

    It 'has at least two examples, each with code and remarks' {
        $examples = @((Get-Help $Name -Examples).examples.example)
        $examples.Count | Should -BeGreaterOrEqual 2
        foreach ($example in $examples) {
            $example.title | Should -Match 'Example \d+: \S'
            ($example.code -join '') | Should -Not -BeNullOrEmpty
            ($example.remarks.Text -join '') | Should -Not -BeNullOrEmpty -Because "$($example.title) needs a paragraph that says what it does"
        }
    }

    It 'documents every parameter, with its description under -Parameter' {
        foreach ($parameter in $documented) {
            $entry = Get-Help $Name -Parameter $parameter.Name -ErrorAction SilentlyContinue
            $entry | Should -Not -BeNullOrEmpty -Because "-$($parameter.Name) of $Name must be documented"
            ($entry.description.Text -join '') | Should -Not -BeNullOrEmpty -Because "-$($parameter.Name) needs a description"
        }
    }

    It 'documents no parameter the cmdlet lacks' {
        $real = $documented.Name
        foreach ($name in @($help.parameters.parameter.name)) {
            $name | Should -BeIn $real -Because "docs/$Name.md documents -$name"
        }
    }

    It "states each parameter's type, position, aliases, pipeline input and wildcards as the code does" {
        foreach ($parameter in $documented) {
            $entry = Get-Help $Name -Parameter $parameter.Name
            $sets = @($parameter.ParameterSets.Values)
            $because = "docs/$Name.md must match -$($parameter.Name)"
            $entry.type.name | Should -BeExactly (Get-TypeLabel $parameter.ParameterType) -Because $because
            $entry.required | Should -Be ([string]($sets.IsMandatory -contains $true)).ToLowerInvariant() -Because $because
            $position = if ($sets[0].Position -ge 0) { [string] $sets[0].Position } else { 'named' }
            $entry.position | Should -Be $position -Because $because
            $byValue = $sets.ValueFromPipeline -contains $true
            $byName = $sets.ValueFromPipelineByPropertyName -contains $true
            $pipeline = if ($byValue -and $byName) { 'True (ByValue, ByPropertyName)' } elseif ($byValue) { 'True (ByValue)' } elseif ($byName) { 'True (ByPropertyName)' } else { 'False' }
            $entry.pipelineInput | Should -Be $pipeline -Because $because
            $aliases = if ($parameter.Aliases.Count) { ($parameter.Aliases | Sort-Object) -join ', ' } else { 'none' }
            (($entry.aliases -split ',\s*' | Sort-Object) -join ', ') | Should -BeExactly $aliases -Because $because
            $wildcards = [bool]($parameter.Attributes | Where-Object { $_ -is [System.Management.Automation.SupportsWildcardsAttribute] })
            $entry.globbing | Should -Be ([string]$wildcards).ToLowerInvariant() -Because $because
        }
    }

    It 'has one syntax per parameter set, with the same parameters' {
        $real = @($command.ParameterSets | ForEach-Object { (@($_.Parameters.Name | Where-Object { $_ -notin $CommonParameters }) | Sort-Object) -join ' ' }) | Sort-Object
        $shown = @($help.syntax.syntaxItem | ForEach-Object { (@($_.parameter.name) | Sort-Object) -join ' ' }) | Sort-Object
        $shown | Should -Be $real -Because "the parameters' 'Parameter Sets' in docs/$Name.md must match the cmdlet"
    }

    It 'has a SYNTAX section that matches Get-Command -Syntax' {
        $syntax = @(Get-DocSyntax $doc)
        $syntax.Name | Should -Be @($command.ParameterSets.Name) -Because 'one ### block per parameter set, in the order Get-Command lists them'
        foreach ($set in $command.ParameterSets) {
            $entry = $syntax | Where-Object Name -EQ $set.Name
            $entry.Text | Should -Be "$Name $set" -Because "the syntax of set $($set.Name) must be what Get-Command -Syntax prints"
            $entry.IsDefault | Should -Be ($set.IsDefault -and $command.ParameterSets.Count -gt 1) -Because '(Default) marks the default set'
        }
    }

    It 'lists every [OutputType] under OUTPUTS' {
        $outputs = @($help.returnValues.returnValue.type.name)
        foreach ($type in $command.OutputType) {
            $type.Name | Should -BeIn $outputs
        }
    }

    It 'shows the real text with Get-Help -Full' {
        $full = Get-Help $Name -Full | Out-String -Width 4096
        $full | Should -Match ([regex]::Escape("NAME`n    $Name").Replace('\n', '\r?\n'))
        foreach ($parameter in $documented) {
            $full | Should -Match ("-$($parameter.Name) ")
        }
        $full | Should -Match 'RELATED LINKS'
    }
}

Describe 'Docs in docs/' -Tag 'Unit' {
    It 'are all for exported cmdlets or about topics' {
        $exported = (Get-Command -Module PSChat -CommandType Cmdlet).Name
        foreach ($file in Get-ChildItem $DocsDir -Filter *.md) {
            if ($file.BaseName -like 'about_*') { continue }
            $file.BaseName | Should -BeIn $exported -Because "docs/$($file.Name) documents a cmdlet the module does not export"
        }
    }
}

Describe 'about_PSChat' -Tag 'Unit' {
    BeforeAll {
        $topic = Get-Help about_PSChat
        $path = Join-Path $env:PSCHAT_MODULE 'en-US/about_PSChat.help.txt'
    }

    It 'loads with Get-Help about_PSChat' {
        ($topic | Out-String) | Should -Match 'SHORT DESCRIPTION'
        ($topic | Out-String) | Should -Match 'THE TUTORIAL''S THREE PROGRAMS'
    }

    It 'covers the concepts' {
        $text = $topic | Out-String
        foreach ($heading in 'SERVERS', 'SESSIONS', 'ROOMS', 'PROTOCOLS', 'BOTS', 'LIMITS', 'SECURITY') {
            $text | Should -Match "(?m)^$heading\r?$"
        }
    }

    It 'fits 80 columns' {
        foreach ($line in Get-Content $path) {
            $line.Length | Should -BeLessOrEqual 80 -Because "'$line' is too wide"
        }
    }
}

Describe 'Examples run against a live server' -Tag 'Unit' {
    BeforeAll {
        # Thread-job examples rely on module autoloading, as for an installed module.
        $savedModulePath = $env:PSModulePath
        $env:PSModulePath = (Split-Path $env:PSCHAT_MODULE -Parent) + [System.IO.Path]::PathSeparator + $env:PSModulePath

        # What some examples must write; the others must run without an error.
        $expected = @{
            'Connect-ChatRoom/Example 3'    = { param($out) $out | Should -BeExactly 'ConnectionFailed,PSChat.Commands.ConnectChatRoomCommand' }
            'Connect-ChatRoom/Example 4'    = { param($out) "$($out.Sender):$($out.Text)" | Should -BeExactly 'alice:hi bob' }
            'Disconnect-ChatRoom/Example 1' = { param($out) "$out" | Should -BeExactly 'Closed' }
            'Disconnect-ChatRoom/Example 2' = { param($out) $out | Should -BeNullOrEmpty }
            'Disconnect-ChatRoom/Example 3' = { param($out) "$($out.State)" | Should -BeExactly 'Closed' }
            'Get-ChatHistory/Example 1'     = { param($out) @($out | ForEach-Object { "$($_.Sender):$($_.Text)" }) | Should -BeExactly @('alice:deploy started', 'alice:deploy done') }
            'Get-ChatHistory/Example 2'     = { param($out) "$($out.Sender):$($out.Text)" | Should -BeExactly 'alice:backup done' }
            'Get-ChatHistory/Example 3'     = { param($out) $out | Should -BeExactly 'HistoryNotSupported,PSChat.Commands.GetChatHistoryCommand' }
            'Get-ChatServer/Example 2'      = { param($out) @($out)[-1].Name | Should -BeExactly 'team-blue' }
            'Get-ChatSession/Example 2'     = { param($out) @($out).Name | Should -BeExactly @('bot-1', 'alice') }
            'Get-ChatSession/Example 3'     = { param($out) $out.Name | Should -BeExactly 'bob' }
            'Receive-ChatMessage/Example 1' = { param($out) "$($out.Sender):$($out.Text)" | Should -BeExactly 'alice:hi bob' }
            'Receive-ChatMessage/Example 3' = { param($out) $out.Text | Should -BeExactly '!time' }
            'Receive-ChatMessage/Example 4' = { param($out) $out.Text | Should -Match '^\d\d:\d\d:\d\d$' }
            'Send-ChatMessage/Example 2'    = { param($out) @($out.Text)[3, 4] | Should -BeExactly @('first line', 'second line') }
            'Send-ChatMessage/Example 3'    = { param($out) @($out | ForEach-Object { "$($_.Sender):$($_.Text)" }) | Should -BeExactly @('echo:ping', 'echo:ping') }
            'Send-ChatMessage/Example 4'    = { param($out) $out | Should -BeExactly 'SessionClosed,PSChat.Commands.SendChatMessageCommand' }
            'Stop-ChatServer/Example 1'     = { param($out) "$out" | Should -BeExactly 'Stopped' }
            'Stop-ChatServer/Example 3'     = { param($out) "$($out.Name) $($out.State)" | Should -BeExactly 'lobby Stopped' }
            'Join-ChatRoom/Example 1'       = { param($out) $out | Should -BeExactly @('#lobby', '#ops', '#dev') }
            'Join-ChatRoom/Example 2'       = { param($out) $out | Should -BeExactly 'InvalidName,PSChat.Commands.JoinChatRoomCommand' }
            'Exit-ChatRoom/Example 1'       = { param($out) $out | Should -BeExactly '#b' }
            'Set-ChatTopic/Example 2'       = { param($out) $out | Should -BeExactly '482' }
            'Remove-ChatMember/Example 1'   = { param($out) $out | Should -Be @('spam', 0) }
            'Remove-ChatMember/Example 2'   = { param($out) "$out" | Should -BeExactly 'PermissionDenied' }
            'Set-ChatMode/Example 2'        = { param($out) $out.Name | Should -BeExactly 'alice' }
            'Set-ChatNick/Example 1'        = { param($out) $out | Should -BeExactly 'alice_away' }
            'Set-ChatNick/Example 2'        = { param($out) $out | Should -BeExactly @('433', 'bob') }
            'Invoke-ChatCommand/Example 1'  = { param($out) @($out.Text)[0] | Should -Match '^bob ' }
            'Invoke-ChatCommand/Example 2'  = { param($out) $out | Should -BeExactly '421' }
            'Send-ChatMessage/Example 5'    = { param($out) @($out)[0].PSObject.TypeNames[0] | Should -BeExactly 'Deserialized.Selected.System.Diagnostics.Process' }
            'Send-ChatMessage/Example 6'    = { param($out) @($out)[0]['Asked'] | Should -BeExactly '!status' }
            'Receive-ChatMessage/Example 5' = { param($out) @($out.Id) | Should -Be @(2, 1) }
            'Invoke-ChatRequest/Example 1'  = { param($out) $out.Sum | Should -Be 6 }
            'Invoke-ChatRequest/Example 2'  = { param($out) $out | Should -BeNullOrEmpty }
            'Start-ChatBot/Example 4'       = { param($out) @($out)[0].PSObject.TypeNames[0] | Should -BeExactly 'Deserialized.Selected.System.Management.Automation.PSDriveInfo' }
            'about_PSChat/PowerShell block 3' = { param($out) "$($out.Sender):$($out.Text)" | Should -BeExactly 'alice:hi bob' }
        }
    }

    AfterAll {
        $env:PSModulePath = $savedModulePath
    }

    AfterEach {
        Get-ChatSession | Disconnect-ChatRoom -Confirm:$false
        Get-ChatServer | Stop-ChatServer -Confirm:$false
    }

    It '<Key>' -ForEach $examples {
        if ($Skip) { Set-ItResult -Skipped -Because $Skip; return }

        # Port 9999 in an example is the tutorial's; a free one keeps parallel runs apart.
        $script = $Code -replace '\b9999\b', (Get-FreePort)

        # Each example in its own runspace, with errors as failures and a deadline so a hang fails.
        $runspace = [runspacefactory]::CreateRunspace()
        $runspace.Open()
        $shell = [powershell]::Create()
        $shell.Runspace = $runspace
        try {
            $null = $shell.AddScript("`$ErrorActionPreference = 'Stop'; Import-Module '$($env:PSCHAT_MODULE)'").AddStatement().AddScript($script)
            $pending = $shell.BeginInvoke()
            if (-not $pending.AsyncWaitHandle.WaitOne([TimeSpan]::FromSeconds(30))) {
                $shell.Stop()
                throw "$Key did not finish within 30 s."
            }
            $output = @($shell.EndInvoke($pending) | ForEach-Object { $_ })
            $shell.Streams.Error | Should -BeNullOrEmpty -Because "$Key must run without errors"
            if ($expected.ContainsKey($Key)) { & $expected[$Key] $output }
        }
        finally {
            $shell.Dispose()
            $runspace.Dispose()
        }
    }
}
