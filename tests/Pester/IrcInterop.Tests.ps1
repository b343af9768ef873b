BeforeDiscovery {
    $noNgircd = -not (Get-Command ngircd -CommandType Application -ErrorAction Ignore)
    $noWeechat = -not (Get-Command weechat-headless -CommandType Application -ErrorAction Ignore)
}

BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
}

Describe 'Connect-ChatRoom against a real ngircd' -Tag 'Interop' -Skip:$noNgircd {
    BeforeAll {
        $port = Get-FreePort
        $config = Join-Path $TestDrive 'ngircd.conf'
        # No PAM, no ident or DNS lookups (loopback only, nothing slow), no flood penalty (tests send fast).
        Set-Content -Path $config -Value @"
[Global]
    Name = irc.interop.test
    Info = PSChat interop test
    Listen = 127.0.0.1
    Ports = $port
    MotdPhrase = "PSChat interop test"
    PidFile = $(Join-Path $TestDrive 'ngircd.pid')
[Limits]
    MaxPenaltyTime = 0
    PingTimeout = 120
[Options]
    PAM = no
    Ident = no
    DNS = no
"@
        $ngircd = Start-Program -Path (Get-Command ngircd -CommandType Application | Select-Object -First 1).Source -ArgumentList '--nodaemon', '--config', $config
        Wait-Until -TimeoutMs 10000 -Because "ngircd listening on $port" -Condition {
            try { [System.Net.Sockets.TcpClient]::new('127.0.0.1', $port).Dispose(); $true } catch { $false }
        }
    }

    AfterAll {
        Get-ChatSession | Disconnect-ChatRoom -Confirm:$false
        Stop-Program $ngircd
    }

    It 'registers with Auto, joins a channel and two sessions exchange messages' {
        $alice = Connect-ChatRoom -Port $port -Name alice -Room '#interop'
        $bob = Connect-ChatRoom -Port $port -Name bob -Room '#interop' -Protocol Irc
        $alice.Protocol | Should -Be 'Irc'
        $alice.ServerName | Should -Be 'irc.interop.test'
        $alice.Rooms | Should -Be @('#interop')
        (Receive-ChatMessage -Session $alice -Kind Join -Count 1 -Timeout 10 -ErrorAction Stop).Sender | Should -Be 'bob'

        Send-ChatMessage -Session $alice -Room '#interop' -Text 'hello from PSChat'
        $message = Receive-ChatMessage -Session $bob -Kind Message -Count 1 -Timeout 10 -ErrorAction Stop
        $message.Room | Should -Be '#interop'
        $message.Sender | Should -Be 'alice'
        $message.Text | Should -Be 'hello from PSChat'
        $message.Raw | Should -Be ':alice!~alice@127.0.0.1 PRIVMSG #interop :hello from PSChat'

        Send-ChatMessage -Session $bob -To alice -Text 'psst'
        $private = Receive-ChatMessage -Session $alice -Kind Private -Count 1 -Timeout 10 -ErrorAction Stop
        $private.Sender | Should -Be 'bob'
        $private.Target | Should -Be 'alice'
        $private.Text | Should -Be 'psst'
    }

    It 'takes a suffixed nick when ngircd says the nick is in use' {
        $second = Connect-ChatRoom -Port $port -Name alice -Protocol Irc
        $second.Name | Should -Be 'alice_'
        Disconnect-ChatRoom -Session $second -Confirm:$false
    }

    It 'splits long text so that ngircd relays every character' {
        $alice = Get-ChatSession | Where-Object Name -EQ 'alice'
        $bob = Get-ChatSession | Where-Object Name -EQ 'bob'
        $text = ('ü' * 400) + ('😀' * 150) + ('z' * 50)

        Send-ChatMessage -Session $alice -Room '#interop' -Text $text

        $pieces = @(Receive-ChatMessage -Session $bob -Kind Message -Count 4 -Timeout 10 -ErrorAction Stop)
        -join $pieces.Text | Should -Be $text
        foreach ($piece in $pieces) { [Text.Encoding]::UTF8.GetByteCount($piece.Raw) + 2 | Should -BeLessOrEqual 512 }
    }
}

Describe 'weechat joins a PSChat server' -Tag 'Interop' -Skip:$noWeechat {
    BeforeAll {
        $server = Start-ChatServer -Port 0
        $alice = Connect-ChatRoom -Port $server.Port -Name alice
        $weechatDir = Join-Path $TestDrive 'weechat'
        $null = New-Item -ItemType Directory -Path $weechatDir
        # The logger writes each line at once (flush_delay 0): the test reads what weechat shows.
        $commands = @(
            '/set logger.file.flush_delay 0'
            "/server add pschat 127.0.0.1/$($server.Port)"
            '/set irc.server.pschat.nicks weebot'
            '/set irc.server.pschat.autojoin #lobby'
            '/set irc.server.pschat.command "/msg alice hello from weechat"'
            '/connect pschat'
        ) -join ';'
        $weechat = Start-Program -Path (Get-Command weechat-headless -CommandType Application | Select-Object -First 1).Source -ArgumentList '--dir', $weechatDir, '--run-command', $commands
    }

    AfterAll {
        Stop-Program $weechat
        Get-ChatSession | Disconnect-ChatRoom -Confirm:$false
        $server | Stop-ChatServer -Confirm:$false
    }

    It 'sends a private message that the PSChat session receives' {
        $private = Receive-ChatMessage -Session $alice -Kind Private -Count 1 -Timeout 20 -ErrorAction Stop
        $private.Sender | Should -Be 'weebot'
        $private.Target | Should -Be 'alice'
        $private.Text | Should -Be 'hello from weechat'
    }

    It 'joins #lobby and shows what the PSChat session says there' {
        $joined = Receive-ChatMessage -Session $alice -Kind Join -Count 1 -Timeout 20 -ErrorAction Stop
        $joined.Sender | Should -Be 'weebot'
        $joined.Room | Should -Be '#lobby'

        Send-ChatMessage -Session $alice -Room '#lobby' -Text 'hello weechat'

        $log = Join-Path $weechatDir 'logs/irc.pschat.#lobby.weechatlog'
        Wait-Until -TimeoutMs 10000 -Because 'weechat to log the message' -Condition {
            (Test-Path -LiteralPath $log) -and ((Get-Content -LiteralPath $log) -match "`t@?alice`thello weechat$")
        }
    }
}
