BeforeDiscovery {
    $noNgircd = -not (Get-Command ngircd -CommandType Application -ErrorAction Ignore)
}

BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1

    function Wait-System {
        # The next System message of a session that matches, the others passed over.
        param([Parameter(Mandatory)] $Session, [Parameter(Mandatory)][string] $Pattern, [int] $TimeoutSeconds = 60)
        $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
        while ([DateTime]::UtcNow -lt $deadline) {
            $left = [int][Math]::Ceiling(($deadline - [DateTime]::UtcNow).TotalSeconds)
            $message = Receive-ChatMessage -Session $Session -Kind System -Count 1 -Timeout $left -ErrorAction Stop
            if ($message.Text -match $Pattern) { return $message }
        }
        throw "No System message matching '$Pattern' within $TimeoutSeconds s."
    }
}

Describe 'Sessions against ngircd with its default settings (issue 13, done criteria)' -Tag 'Interop' -Skip:$noNgircd {
    BeforeEach {
        $port = Get-FreePort
        $ngircd = Start-TestNgircd -Port $port -DefaultLimits -Name irc.session.test
    }

    AfterEach {
        Get-ChatSession | Disconnect-ChatRoom -Confirm:$false
        Stop-Program $ngircd
    }

    It 'delivers 60 lines in order without ngircd disconnecting the sender' {
        $alice = Connect-ChatRoom -Port $port -Name alice -Room '#pace' -Protocol Irc
        $bob = Connect-ChatRoom -Port $port -Name bob -Room '#pace' -Protocol Irc
        $lines = 1..60 | ForEach-Object { "line $_ " + ('x' * 80) }
        $lines | Send-ChatMessage -Session $alice -Room '#pace'
        $got = @(Receive-ChatMessage -Session $bob -Kind Message -Count 60 -Timeout 120 -ErrorAction Stop)
        $got.Text | Should -Be $lines
        $alice.State | Should -Be 'Connected'
        # Nothing the server said to alice is an error: a marker answered after the lines proves it read them all.
        $null = Invoke-ChatCommand -Session $alice -Line 'NAMES #pace'
        @(Receive-ChatMessage -Session $alice -Kind System | Where-Object Raw -Match '^:\S+ [45]\d\d |^ERROR') | Should -BeNullOrEmpty
    }

    It 'reconnects a -Reconnect session after ngircd restarts on the same port, back in its rooms' {
        $alice = Connect-ChatRoom -Port $port -Name alice -Room '#one', '#two' -Protocol Irc -Reconnect
        $id = $alice.Id
        Stop-Program $ngircd
        $null = Wait-System $alice 'dropped .*reconnecting'
        $alice.State | Should -Be 'Reconnecting'
        $ngircd = Start-TestNgircd -Port $port -DefaultLimits -Name irc.session.test
        $null = Wait-System $alice '^Reconnected to .* as alice; back in #one, #two\.$'
        $alice.State | Should -Be 'Connected'
        $alice.Id | Should -Be $id
        $alice.Rooms | Should -Be @('#one', '#two')
        $bob = Connect-ChatRoom -Port $port -Name bob -Room '#two' -Protocol Irc
        Send-ChatMessage -Session $bob -Room '#two' -Text 'welcome back'
        (Receive-ChatMessage -Session $alice -Kind Message -Count 1 -Timeout 10 -ErrorAction Stop).Text | Should -Be 'welcome back'
    }
}
