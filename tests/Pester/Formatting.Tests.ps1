BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1

    function Get-FormattedLine {
        # The non-blank lines Format-Table/Format-List print, as a person sees them at the prompt.
        param([Parameter(Mandatory)] $InputObject, [Parameter(Mandatory)][ValidateSet('Table', 'List')] $View)
        $text = if ($View -eq 'Table') { $InputObject | Format-Table | Out-String -Width 200 } else { $InputObject | Format-List | Out-String -Width 200 }
        @($text -split "`r?`n" | ForEach-Object TrimEnd | Where-Object { $_ })
    }

    function Get-ListLabel {
        # The property labels of a Format-List block, in order.
        param([string[]] $Line)
        @($Line | ForEach-Object { if ($_ -match '^(\S+)\s*: ?') { $Matches[1] } })
    }
}

Describe 'PSChat.format.ps1xml' -Tag 'Unit' {
    BeforeAll {
        $server = Start-ChatServer -Port 0 -Name fmt -MaxClients 100
        $alice = Connect-ChatRoom -Port $server.Port -Name alice -Protocol Text -Room '#lobby'
        $bob = Connect-ChatRoom -Port $server.Port -Name bob -Protocol Text -Room '#lobby'
        Wait-ClientCount $server 2
        Send-ChatMessage -Session $alice -Text 'hi bob'
        $message = Receive-ChatMessage -Session $bob -Count 1 -Timeout 5
        $reply = [pscustomobject]@{
            PSTypeName     = 'PSChat.GreetingReply'
            Name           = 'daytime'
            Reply          = 'Hello, world'
            RoundTripTime  = [timespan]::FromTicks(15000)
            RemoteEndPoint = '127.0.0.1:13'
        }
    }

    AfterAll {
        Get-ChatSession | Disconnect-ChatRoom -Confirm:$false
        Get-ChatServer | Stop-ChatServer -Confirm:$false
    }

    It 'shows a message as Time, Room, Sender, Text' {
        $lines = Get-FormattedLine $message Table
        $lines[0] | Should -Match '^Time\s+Room\s+Sender\s+Text$'
        $lines[2] | Should -Match ('^{0}\s+#lobby\s+alice\s+hi bob$' -f $message.Time.ToString('HH:mm:ss'))
        $lines.Count | Should -Be 3
    }

    It 'lists a message with its detail' {
        $lines = Get-FormattedLine $message List
        Get-ListLabel $lines | Should -Be @('Time', 'Kind', 'Room', 'Sender', 'Account', 'Target', 'Text', 'SessionId', 'Raw')
        $lines | Should -Contain 'Raw       : alice:hi bob'
        $lines | Should -Contain "SessionId : $($bob.Id)"
    }

    It 'shows a session as Id, Name, Server, State, Rooms' {
        $lines = Get-FormattedLine $alice Table
        $lines[0] | Should -Match '^\s*Id\s+Name\s+Server\s+State\s+Rooms$'
        $lines[2] | Should -Match ('^\s*{0}\s+alice\s+127\.0\.0\.1:{1}\s+Connected\s+#lobby$' -f $alice.Id, $server.Port)
    }

    It 'lists a session with its counters and protocol' {
        $lines = Get-FormattedLine $alice List
        Get-ListLabel $lines | Should -Be @('Id', 'Name', 'Protocol', 'State', 'ComputerName', 'Port', 'RemoteEndPoint', 'ServerName', 'Rooms',
            'ConnectedAt', 'MessagesSent', 'MessagesReceived', 'MessagesPending', 'MessagesDropped', 'BufferCapacity', 'CloseReason')
        $lines | Should -Contain 'Protocol         : Text'
        $lines | Should -Contain 'MessagesSent     : 1'
    }

    It 'shows a server as Name, Kind, EndPoint, State, Clients' {
        $lines = Get-FormattedLine $server Table
        $lines[0] | Should -Match '^Name\s+Kind\s+EndPoint\s+State\s+Clients$'
        $lines[2] | Should -Match ('^fmt\s+Chat\s+127\.0\.0\.1:{0}\s+Running\s+2$' -f $server.Port)
    }

    It 'lists a chat server with its rooms and limits' {
        $lines = Get-FormattedLine $server List
        Get-ListLabel $lines | Should -Be @('Name', 'Kind', 'EndPoint', 'State', 'StartTime', 'ClientCount', 'Rooms', 'DefaultRoom', 'Protocol', 'MaxClients', 'MaxLineLength', 'MaxSendQueue')
        # Set explicitly: the default is lowered below the machine's descriptor limit (ulimit -n).
        $lines | Should -Contain 'MaxClients    : 100'
        $lines | Should -Contain 'Rooms         : #lobby'
    }

    It 'shows a server event as Time, Kind, Client, Name, Detail' {
        $event = [PSChat.ServerEvent]::new('fmt', 'Disconnected')
        $event.Client = '127.0.0.1:5000'
        $event.Name = 'carol'
        $event.Reason = 'client said exit'
        $lines = Get-FormattedLine $event Table
        $lines[0] | Should -Match '^Time\s+Kind\s+Client\s+Name\s+Detail$'
        $lines[2] | Should -Match '^\d\d:\d\d:\d\d\s+Disconnected\s+127\.0\.0\.1:5000\s+carol\s+client said exit$'
        Get-ListLabel (Get-FormattedLine $event List) | Should -Be @('Time', 'Server', 'Kind', 'Client', 'Protocol', 'Name', 'Room', 'Text', 'Reason')
    }

    It 'shows a greeting reply with its round trip in milliseconds' {
        $lines = Get-FormattedLine $reply Table
        $lines[0] | Should -Match '^Name\s+RoundTrip\(ms\)\s+RemoteEndPoint\s+Reply$'
        $lines[2] | Should -Match '^daytime\s+1\.500\s+127\.0\.0\.1:13\s+Hello, world$'
        Get-ListLabel (Get-FormattedLine $reply List) | Should -Be @('Name', 'Reply', 'RoundTripTime', 'RemoteEndPoint')
    }
}

Describe 'Control characters on screen' -Tag 'Unit' {
    BeforeAll {
        # What a hostile sender puts in a message: set the title (OSC 0 ... BEL), colour (CSI), the C1 CSI,
        # and a right-to-left override.
        $evil = "hi`e]0;pwned`a`e[31mred`u{9b}2J`u{202e}txt"
        $shown = 'hi␛]0;pwned␇␛[31mred<U+009B>2J<U+202E>txt'
        $unsafe = [char[]] @(0x1B, 0x07, 0x9B, 0x202E)
        $message = [PSChat.ChatMessage]::new('Message', "#r`e[2J", "mal`e]52;c;cHduZWQ=`a", $evil, [datetime]::Now, 1)
        $message.Raw = ":mal PRIVMSG #r :$evil"
        $event = [PSChat.ServerEvent]::new('fmt', 'Message')
        $event.Client = '127.0.0.1:5000'
        $event.Name = "mal`e[8m"
        $event.Text = $evil
        $reply = [PSChat.GreetingReply]::new("day`e[1A", $evil, [timespan]::FromTicks(15000), [System.Net.IPEndPoint]::new([System.Net.IPAddress]::Loopback, 13))
    }

    It 'shows <Name> with visible stand-ins in Format-<View> and keeps the raw text on the object' -ForEach @(
        @{ Name = 'a message'; Object = 'message'; View = 'Table' }
        @{ Name = 'a message'; Object = 'message'; View = 'List' }
        @{ Name = 'a server event (Start-ChatServer -Wait)'; Object = 'event'; View = 'Table' }
        @{ Name = 'a server event (Start-ChatServer -Wait)'; Object = 'event'; View = 'List' }
        @{ Name = 'a greeting reply'; Object = 'reply'; View = 'Table' }
        @{ Name = 'a greeting reply'; Object = 'reply'; View = 'List' }
    ) {
        $target = Get-Variable $Object -ValueOnly
        $text = if ($View -eq 'Table') { $target | Format-Table | Out-String -Width 400 } else { $target | Format-List | Out-String -Width 400 }
        $text.IndexOfAny($unsafe) | Should -Be -1 -Because 'no control character reaches the terminal'
        $text.Contains($shown) | Should -BeTrue -Because "the text shows as $shown"
        $raw = if ($Object -eq 'reply') { $target.Reply } else { $target.Text }
        $raw | Should -BeExactly $evil
    }

    It 'renders ToString() of <Object> the same way' -ForEach @(
        @{ Object = 'message' }
        @{ Object = 'event' }
        @{ Object = 'reply' }
    ) {
        $text = (Get-Variable $Object -ValueOnly).ToString()
        $text.IndexOfAny($unsafe) | Should -Be -1
        $text.Contains($shown) | Should -BeTrue -Because "the text shows as $shown"
    }

    It 'shows the names in a message as safely as its text' {
        $text = $message | Format-List | Out-String -Width 400
        $text.Contains('mal␛]52;c;cHduZWQ=␇') | Should -BeTrue
        $text.Contains('#r␛[2J') | Should -BeTrue
        $text.IndexOfAny($unsafe) | Should -Be -1
    }
}
