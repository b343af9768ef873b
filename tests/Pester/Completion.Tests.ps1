BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1

    function Complete {
        # What Tab offers at the end of a command line, as the console would insert it.
        param([Parameter(Mandatory)][string] $Line)
        @((TabExpansion2 -inputScript $Line -cursorColumn $Line.Length).CompletionMatches.CompletionText)
    }
}

Describe 'Argument completion' -Tag 'Unit' {
    BeforeAll {
        $alpha = Start-ChatServer -Port 0 -Name alpha
        $null = Start-ChatServer -Port 0 -Name beta
        $null = Start-ChatServer -Port 0 -Name 'my server'
        $alice = Connect-ChatRoom -Port $alpha.Port -Name alice -Protocol Text -Room '#lobby'
        $bob = Connect-ChatRoom -Port $alpha.Port -Name bob -Protocol Text -Room 'back room'
    }

    AfterAll {
        Get-ChatSession | Disconnect-ChatRoom -Confirm:$false
        Get-ChatServer | Stop-ChatServer -Confirm:$false
    }

    It 'completes server names for <Line>' -ForEach @(
        @{ Line = 'Get-ChatServer -Name '; Expected = @('alpha', 'beta', "'my server'") }
        @{ Line = 'Get-ChatServer -Name al'; Expected = @('alpha') }
        @{ Line = 'Get-ChatServer -Name *et'; Expected = @('beta') }
        @{ Line = 'Stop-ChatServer -Name my'; Expected = @("'my server'") }
        @{ Line = "Stop-ChatServer -Name 'my"; Expected = @("'my server'") }
        @{ Line = 'Stop-ChatServer -Name "my'; Expected = @('"my server"') }
        @{ Line = 'Get-ChatServer -Name zz'; Expected = @() }
    ) {
        Complete $Line | Should -Be $Expected
    }

    It 'completes -Protocol with the protocols (PowerShell completes enum values itself)' {
        Complete 'Connect-ChatRoom -Protocol ' | Should -Be @('Auto', 'Irc', 'Text')
        Complete 'Start-ChatServer -Protocol i' | Should -Be @('Irc')
    }

    It 'completes -SessionId and Get-ChatSession -Id with ids, matched by id or name' {
        Complete 'Receive-ChatMessage -SessionId ' | Should -Be @("$($alice.Id)", "$($bob.Id)")
        Complete 'Send-ChatMessage hi -SessionId bo' | Should -Be @("$($bob.Id)")
        Complete 'Get-ChatSession -Id al' | Should -Be @("$($alice.Id)")
        Complete 'Get-ChatSession -Name b' | Should -Be @('bob')
    }

    It 'completes -Session with an expression that finds the session' {
        $completed = @(Complete 'Disconnect-ChatRoom -Session ali')
        $completed | Should -Be @("(Get-ChatSession -Id $($alice.Id))")
        (Invoke-Expression $completed[0]) | Should -Be $alice
    }

    It 'completes -Room with the rooms of the session on the line, quoting # and spaces' {
        Complete "Send-ChatMessage hi -Session (Get-ChatSession -Id $($alice.Id)) -Room " | Should -Be @("'#lobby'")
        Complete "Send-ChatMessage hi -SessionId $($alice.Id) -Room lob" | Should -Be @("'#lobby'")
        Complete "Send-ChatMessage hi -SessionId $($bob.Id) -Room ba" | Should -Be @("'back room'")
        Complete "Send-ChatMessage hi -SessionId $($bob.Id) -Room lob" | Should -Be @()
    }

    It 'completes Connect-ChatRoom -Room with the rooms of the server on -Port' {
        # An IRC session makes the room; it leaves again so bob stays the newest session.
        $carol = Connect-ChatRoom -Port $alpha.Port -Name carol -Protocol Irc -Room '#dev'
        Complete "Connect-ChatRoom -Port $($alpha.Port) -Room " | Should -Be @("'#dev'", "'#lobby'")
        Complete "Connect-ChatRoom -Port 1 -Room " | Should -Be @()
        $carol | Disconnect-ChatRoom -Confirm:$false
    }

    It 'completes -Room of the default session (the newest) when none is named' {
        Complete 'Send-ChatMessage hi -Room ' | Should -Be @("'back room'")
    }
}
