BeforeDiscovery {
    $noOpenssl = -not (Get-Command openssl -CommandType Application -ErrorAction Ignore)
}

BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1

    # One key pair for the file: RSA key generation is the slow part of a certificate.
    $script:certificate = New-ChatCertificate -DnsName localhost, 127.0.0.1

    function Get-ConnectError {
        # Runs Connect-ChatRoom and returns its one ErrorRecord (the cmdlet writes non-terminating errors).
        param([Parameter(Mandatory)][hashtable] $Parameters)
        $failures = @(Connect-ChatRoom @Parameters -ErrorAction SilentlyContinue -ErrorVariable failed -WarningAction SilentlyContinue)
        $failures | Should -BeNullOrEmpty -Because 'no session may come of it'
        $failed.Count | Should -Be 1
        $failed[0]
    }
}

AfterAll {
    Get-ChatSession | Disconnect-ChatRoom -Confirm:$false
    Get-ChatServer | Stop-ChatServer -Confirm:$false
}

Describe 'New-ChatCertificate' -Tag 'Unit' {
    It 'makes a self-signed server certificate with its names and private key' {
        $certificate.HasPrivateKey | Should -BeTrue
        $certificate.Subject | Should -BeExactly 'CN=localhost'
        $certificate.Issuer | Should -BeExactly 'CN=localhost'
        $names = ($certificate.Extensions | Where-Object { $_.Oid.Value -eq '2.5.29.17' }).Format($false)
        $names | Should -Match 'localhost'
        $names | Should -Match '127\.0\.0\.1'
        $certificate.NotAfter | Should -BeGreaterThan (Get-Date).AddDays(364)
        $certificate.NotAfter | Should -BeLessThan (Get-Date).AddDays(366)
    }

    It 'saves a PFX that Start-ChatServer loads with its password' {
        $password = ConvertTo-SecureString 'pfx test password' -AsPlainText -Force
        $path = Join-Path $TestDrive 'chat.pfx'
        $saved = New-ChatCertificate -DnsName chat.example.test -ValidDays 2 -Path $path -Password $password

        $server = Start-ChatServer -Port 0 -CertificatePath $path -CertificatePassword $password
        $session = Connect-ChatRoom -ComputerName localhost -Port $server.Port -Name alice -CertificateThumbprint $saved.Thumbprint

        $session.TlsProtocol | Should -Match '^TLS 1\.[23]$'
        $session.ServerCertificate.Thumbprint | Should -BeExactly $saved.Thumbprint
        Disconnect-ChatRoom -Session $session -Confirm:$false
        Stop-ChatServer -InputObject $server -Confirm:$false
    }

    It 'does not overwrite a file without -Force' {
        $path = Join-Path $TestDrive 'taken.pfx'
        Set-Content -Path $path -Value 'not a certificate'
        { New-ChatCertificate -Path $path } | Should -Throw -ErrorId 'CertificateFileExists,PSChat.Commands.NewChatCertificateCommand'
        Get-Content $path | Should -BeExactly 'not a certificate'
    }
}

Describe 'Start-ChatServer certificate errors' -Tag 'Unit' {
    It '<Case>' -ForEach @(
        @{ Case = 'a wrong PFX password'; Id = 'CertificateLoadFailed'; Category = 'SecurityError'
            Run = {
                $path = Join-Path $TestDrive 'locked.pfx'
                $null = New-ChatCertificate -Path $path -Password (ConvertTo-SecureString 'right' -AsPlainText -Force) -Force
                Start-ChatServer -Port 0 -CertificatePath $path -CertificatePassword (ConvertTo-SecureString 'wrong' -AsPlainText -Force)
            } }
        @{ Case = 'a missing PFX file'; Id = 'CertificateFileNotFound'; Category = 'ObjectNotFound'
            Run = { Start-ChatServer -Port 0 -CertificatePath (Join-Path $TestDrive 'none.pfx') } }
        @{ Case = 'a certificate without its key'; Id = 'CertificateHasNoPrivateKey'; Category = 'SecurityError'
            Run = { Start-ChatServer -Port 0 -Certificate ([System.Security.Cryptography.X509Certificates.X509Certificate2]::new($certificate.RawData)) } }
        @{ Case = 'a thumbprint not in the store'; Id = 'CertificateNotFound'; Category = 'ObjectNotFound'
            Run = { Start-ChatServer -Port 0 -CertificateThumbprint ('0' * 40) } }
        @{ Case = 'RequireTls without a certificate'; Id = 'RequireTlsWithoutCertificate'; Category = 'InvalidArgument'
            Run = { Start-ChatServer -Port 0 -RequireTls } }
    ) {
        $failure = $null
        try { & $Run } catch { $failure = $_ }
        $failure | Should -Not -BeNullOrEmpty
        $failure.FullyQualifiedErrorId | Should -BeExactly "$Id,PSChat.Commands.StartChatServerCommand"
        $failure.CategoryInfo.Category | Should -Be $Category
        @(Get-ChatServer).Count | Should -Be 0
    }
}

Describe 'Connect-ChatRoom -UseTls against PSChat' -Tag 'E2E' {
    BeforeAll {
        $server = Start-ChatServer -Port 0 -Certificate $certificate
        $plainServer = Start-ChatServer -Port 0
        $requiring = Start-ChatServer -Port 0 -Certificate $certificate -RequireTls
    }

    AfterAll {
        Get-ChatSession | Disconnect-ChatRoom -Confirm:$false
        $server, $plainServer, $requiring | Stop-ChatServer -Confirm:$false
    }

    It 'talks over TLS with a plain session on the same port' {
        $alice = Connect-ChatRoom -Port $server.Port -Name alice -CertificateThumbprint $certificate.Thumbprint
        $bob = Connect-ChatRoom -Port $server.Port -Name bob
        $alice.TlsProtocol | Should -Match '^TLS 1\.[23]$'
        $bob.TlsProtocol | Should -BeNullOrEmpty

        Send-ChatMessage -Session $bob -Text 'hi alice'
        $message = Receive-ChatMessage -Session $alice -Kind Message -Count 1 -Timeout 10 -ErrorAction Stop
        "$($message.Sender):$($message.Text)" | Should -BeExactly 'bob:hi alice'
        $alice, $bob | Disconnect-ChatRoom -Confirm:$false
    }

    It 'rejects a self-signed certificate that is not pinned, saying what failed and how to proceed' {
        $failed = Get-ConnectError @{ ComputerName = 'localhost'; Port = $server.Port; UseTls = $true }
        $failed.FullyQualifiedErrorId | Should -BeExactly 'CertificateValidationFailed,PSChat.Commands.ConnectChatRoomCommand'
        $failed.CategoryInfo.Category | Should -Be 'SecurityError'
        $failed.TargetObject | Should -BeExactly "localhost:$($server.Port)"
        $failed.Exception.Message | Should -BeExactly ("The certificate of localhost:$($server.Port) was rejected: it is self-signed and this machine does not trust it (untrusted root). " +
            "Trust the certificate (or its issuer) on this machine, pin it with -CertificateThumbprint $($certificate.Thumbprint), or, for a test, use -SkipCertificateCheck.")
    }

    It 'warns that -SkipCertificateCheck checks nothing' {
        $session = Connect-ChatRoom -Port $server.Port -Name carol -SkipCertificateCheck -WarningVariable warned -WarningAction SilentlyContinue
        $session.State | Should -Be 'Connected'
        $warned.Count | Should -Be 1
        "$($warned[0])" | Should -BeLike "-SkipCertificateCheck: the certificate of 127.0.0.1:$($server.Port) is not checked*"
        Disconnect-ChatRoom -Session $session -Confirm:$false
    }

    It 'refuses -SkipCertificateCheck with -CertificateThumbprint' {
        { Connect-ChatRoom -Port $server.Port -SkipCertificateCheck -CertificateThumbprint $certificate.Thumbprint -WarningAction SilentlyContinue } |
            Should -Throw -ErrorId 'ConflictingCertificateChecks,PSChat.Commands.ConnectChatRoomCommand'
    }

    It 'says that a plain port does not speak TLS' {
        $failed = Get-ConnectError @{ Port = $plainServer.Port; CertificateThumbprint = $certificate.Thumbprint }
        $failed.FullyQualifiedErrorId | Should -BeExactly 'ServerNotTls,PSChat.Commands.ConnectChatRoomCommand'
        $failed.CategoryInfo.Category | Should -Be 'ProtocolError'
        $failed.Exception.Message | Should -BeLike "127.0.0.1:$($plainServer.Port) closed the connection without answering the TLS handshake: the port does not speak TLS*"
        $plainServer.Limits.TlsHandshakeFailures | Should -Be 1
    }

    It 'says that a port which requires TLS refused a plain session' {
        $failed = Get-ConnectError @{ Port = $requiring.Port; Name = 'dave' }
        $failed.FullyQualifiedErrorId | Should -BeExactly 'ProtocolFailed,PSChat.Commands.ConnectChatRoomCommand'
        $failed.Exception.Message | Should -BeExactly 'The server ended the connection: Closing link: this port requires TLS; reconnect with TLS (Connect-ChatRoom -UseTls, or openssl s_client)'
        $requiring.Limits.RefusedPlain | Should -Be 1
    }
}

Describe 'openssl s_client on the shared port' -Tag 'Interop' -Skip:$noOpenssl {
    BeforeAll {
        $server = Start-ChatServer -Port 0 -Certificate $certificate
        $events = Watch-ServerEvent $server
        $alice = Connect-ChatRoom -Port $server.Port -Name alice
        $openssl = (Get-Command openssl -CommandType Application | Select-Object -First 1).Source
    }

    AfterAll {
        Get-ChatSession | Disconnect-ChatRoom -Confirm:$false
        Stop-ChatServer -InputObject $server -Confirm:$false
    }

    It 'joins as a TLS text client: <Case>' -ForEach @(
        @{ Case = 'text'; Lines = @('carol:hello over tls'); Sender = 'carol'; Text = 'hello over tls'; Crlf = @() }
        @{ Case = 'IRC'; Lines = @('NICK dave', 'USER dave 0 * :Dave', 'JOIN #lobby', 'PRIVMSG #lobby :hi from irc over tls'); Sender = 'dave'; Text = 'hi from irc over tls'; Crlf = @('-crlf') }
    ) {
        $client = Start-Program -Path $openssl -ArgumentList (@('s_client', '-connect', "127.0.0.1:$($server.Port)", '-servername', 'localhost', '-quiet') + $Crlf)
        try {
            # alice's plain Connected event is in the queue too; only a TLS connection has a Text.
            $connected = Wait-ServerEvent -Queue $events -Kind Connected -Where { param($e) $null -ne $e.Text } -TimeoutMs 10000
            $connected.Text | Should -Match '^TLS 1\.[23]$'
            foreach ($line in $Lines) { $client.StandardInput.WriteLine($line) }
            $client.StandardInput.Flush()

            $message = Receive-ChatMessage -Session $alice -Kind Message -Count 1 -Timeout 10 -ErrorAction Stop
            "$($message.Sender):$($message.Text)" | Should -BeExactly "$($Sender):$Text"
        }
        finally {
            Stop-Program $client
        }
    }
}
