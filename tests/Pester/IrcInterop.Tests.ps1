BeforeDiscovery {
    $noNgircd = -not (Get-Command ngircd -CommandType Application -ErrorAction Ignore)
    $noOpenssl = -not (Get-Command openssl -CommandType Application -ErrorAction Ignore)
    $noWeechat = -not (Get-Command weechat-headless -CommandType Application -ErrorAction Ignore)
}

BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
}

Describe 'Connect-ChatRoom against a real ngircd' -Tag 'Interop' -Skip:$noNgircd {
    BeforeAll {
        # No flood penalty (tests send fast); nothing slow (no PAM, ident or DNS lookups).
        $ngircd = Start-TestNgircd -Name irc.interop.test
        $port = $ngircd.Port
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

Describe 'Connect-ChatRoom -UseTls against a real ngircd' -Tag 'Interop' -Skip:($noNgircd -or $noOpenssl) {
    BeforeAll {
        $port = Get-FreePort
        $tlsPort = Get-FreePort
        $cert = Join-Path $TestDrive 'ngircd-cert.pem'
        $key = Join-Path $TestDrive 'ngircd-key.pem'
        & openssl req -x509 -newkey rsa:2048 -nodes -keyout $key -out $cert -days 2 -subj '/CN=localhost' -addext 'subjectAltName=DNS:localhost,IP:127.0.0.1' 2>$null
        if ($LASTEXITCODE -ne 0) { throw "openssl could not make the test certificate (exit code $LASTEXITCODE)." }
        $thumbprint = [System.Security.Cryptography.X509Certificates.X509Certificate2]::new($cert).Thumbprint
        # Without a DHFile ngircd makes DH parameters before it listens: give it time.
        $ngircd = Start-TestNgircd -Port $port -Name irc.tls.test -TlsPort $tlsPort -CertFile $cert -KeyFile $key -TimeoutMs 60000
    }

    AfterAll {
        Get-ChatSession | Disconnect-ChatRoom -Confirm:$false
        Stop-Program $ngircd
    }

    It 'connects with -SkipCertificateCheck and talks to a plain session' {
        $alice = Connect-ChatRoom -Port $tlsPort -Name alice -Room '#tls' -SkipCertificateCheck -WarningAction SilentlyContinue
        $bob = Connect-ChatRoom -Port $port -Name bob -Room '#tls'
        $alice.TlsProtocol | Should -Match '^TLS 1\.[23]$'
        $alice.ServerName | Should -Be 'irc.tls.test'
        $alice.ServerCertificate.Thumbprint | Should -Be $thumbprint

        Send-ChatMessage -Session $bob -Room '#tls' -Text 'hello over the plain port'
        $message = Receive-ChatMessage -Session $alice -Kind Message -Count 1 -Timeout 10 -ErrorAction Stop
        "$($message.Sender):$($message.Text)" | Should -BeExactly 'bob:hello over the plain port'
        $alice, $bob | Disconnect-ChatRoom -Confirm:$false
    }

    It 'connects with the certificate pinned by its thumbprint' {
        $session = Connect-ChatRoom -Port $tlsPort -Name carol -CertificateThumbprint $thumbprint
        $session.State | Should -Be 'Connected'
        $session.Rooms | Should -Be @('#lobby')
        Disconnect-ChatRoom -Session $session -Confirm:$false
    }

    It 'rejects the self-signed certificate when nothing vouches for it' {
        Connect-ChatRoom -ComputerName localhost -Port $tlsPort -UseTls -ErrorAction SilentlyContinue -ErrorVariable failed
        $failed[0].FullyQualifiedErrorId | Should -BeExactly 'CertificateValidationFailed,PSChat.Commands.ConnectChatRoomCommand'
        $failed[0].Exception.Message | Should -BeLike "The certificate of localhost:$tlsPort was rejected: it is self-signed and this machine does not trust it (untrusted root).*-CertificateThumbprint $thumbprint*"
    }

    It 'suggests -UseTls when the TLS port drops a plain session' {
        Connect-ChatRoom -Port $tlsPort -Name dave -Protocol Irc -ErrorAction SilentlyContinue -ErrorVariable failed
        $failed[0].FullyQualifiedErrorId | Should -BeExactly 'ProtocolFailed,PSChat.Commands.ConnectChatRoomCommand'
        $failed[0].Exception.Message | Should -BeLike "The server closed the connection during IRC registration: *. It said nothing before it closed: if 127.0.0.1:$tlsPort is a TLS port, connect with -UseTls."
    }

    It 'says that the plain port never answered the TLS handshake' {
        # ngircd waits for a line end that a ClientHello does not have: only the timeout can tell.
        Connect-ChatRoom -Port $port -Timeout 1 -SkipCertificateCheck -WarningAction SilentlyContinue -ErrorAction SilentlyContinue -ErrorVariable failed
        $failed[0].FullyQualifiedErrorId | Should -BeExactly 'ConnectionTimedOut,PSChat.Commands.ConnectChatRoomCommand'
        $failed[0].Exception.Message | Should -BeExactly "127.0.0.1:$port accepted the connection but did not answer the TLS handshake within 1 s: the port may not speak TLS (connect without -UseTls, or to the server's TLS port)."
    }
}

Describe 'weechat joins a PSChat server (<Transport>)' -Tag 'Interop' -Skip:$noWeechat -ForEach @(
    @{ Transport = 'plain' }
    @{ Transport = 'TLS' }
    @{ Transport = 'TLS with an account' }
) {
    BeforeAll {
        $tls = @()
        $sasl = @()
        $aliceLogin = @{}
        if ($Transport -like 'TLS*') {
            $certificate = New-ChatCertificate -DnsName localhost, 127.0.0.1
            if ($Transport -eq 'TLS with an account') {
                # A server that lets in only clients logged in to an account: weechat logs in with SASL
                # PLAIN over TLS, alice (on this machine) with Connect-ChatRoom -Credential.
                $store = Join-Path $TestDrive 'accounts.txt'
                foreach ($name in 'weebot', 'alice') {
                    $password = ConvertTo-SecureString -String "$name-secret" -AsPlainText -Force
                    $null = New-ChatAccount -Path $store -Credential ([pscredential]::new($name, $password))
                }
                $server = Start-ChatServer -Port 0 -Certificate $certificate -AccountStore $store -RequireAccount
                $sasl = @(
                    '/set irc.server.pschat.sasl_mechanism plain'
                    '/set irc.server.pschat.sasl_username weebot'
                    '/set irc.server.pschat.sasl_password weebot-secret'
                )
                $aliceLogin = @{ Credential = [pscredential]::new('alice', (ConvertTo-SecureString -String 'alice-secret' -AsPlainText -Force)) }
            }
            else {
                $server = Start-ChatServer -Port 0 -Certificate $certificate
            }
            # weechat pins the certificate by its SHA-256 fingerprint (then trusts nothing else). WeeChat 4
            # renamed its ssl options to tls.
            $fingerprint = [System.Convert]::ToHexString([System.Security.Cryptography.SHA256]::HashData($certificate.RawData))
            $major = [int](("$(& (Get-Command weechat-headless -CommandType Application | Select-Object -First 1).Source --version)" -split '\.')[0])
            $word = if ($major -ge 4) { 'tls' } else { 'ssl' }
            $tls = @("/set irc.server.pschat.$word on", "/set irc.server.pschat.$($word)_fingerprint $fingerprint")
        }
        else {
            $server = Start-ChatServer -Port 0
        }

        $events = Watch-ServerEvent $server
        $alice = Connect-ChatRoom -Port $server.Port -Name alice @aliceLogin
        $weechatDir = Join-Path $TestDrive 'weechat'
        $null = New-Item -ItemType Directory -Path $weechatDir
        # The logger writes each line at once (flush_delay 0): the test reads what weechat shows.
        $commands = @(
            '/set logger.file.flush_delay 0'
            "/server add pschat 127.0.0.1/$($server.Port)"
            $tls
            $sasl
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

    It 'connects over <Transport>' {
        $null = Wait-ServerEvent $events Connected    # alice's
        $weechatConnected = Wait-ServerEvent $events Connected -TimeoutMs 20000
        if ($Transport -like 'TLS*') { $weechatConnected.Text | Should -Match '^TLS 1\.[23]$' } else { $weechatConnected.Text | Should -BeNullOrEmpty }
    }

    It 'sends a private message that the PSChat session receives' {
        $private = Receive-ChatMessage -Session $alice -Kind Private -Count 1 -Timeout 20 -ErrorAction Stop
        $private.Sender | Should -Be 'weebot'
        $private.Target | Should -Be 'alice'
        $private.Text | Should -Be 'hello from weechat'
        # The account travels with the message (account-tag) when weechat logged in to one.
        $private.Account | Should -Be $(if ($Transport -eq 'TLS with an account') { 'weebot' } else { $null })
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
