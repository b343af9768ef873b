BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1

    # One key pair each for the file: RSA key generation is the slow part of a certificate.
    $script:serverCertificate = New-ChatCertificate -DnsName localhost, 127.0.0.1
    $script:botCertificate = New-ChatCertificate -DnsName bot
    $script:secret = ConvertTo-SecureString 'sesame' -AsPlainText -Force

    function New-Login([string] $Name, [string] $Password = 'sesame') {
        [pscredential]::new($Name, (ConvertTo-SecureString $Password -AsPlainText -Force))
    }
}

AfterAll {
    Get-ChatSession | Disconnect-ChatRoom -Confirm:$false
    Get-ChatServer | Stop-ChatServer -Confirm:$false
}

Describe 'Account cmdlets' -Tag 'Unit' {
    BeforeEach {
        $store = Join-Path $TestDrive "accounts-$([guid]::NewGuid().ToString('N')).txt"
    }

    It 'adds, lists, changes and removes accounts, keeping only hashes' {
        $made = New-ChatAccount -Path $store -Credential (New-Login alice)
        $made.Name | Should -BeExactly 'alice'
        $made.HasPassword | Should -BeTrue
        $print = [PSChat.ChatAccount]::FingerprintOf($botCertificate)
        $null = New-ChatAccount -Path $store -Credential ([pscredential]::new('bot', [securestring]::new())) -CertificateFingerprint $print

        (Get-ChatAccount -Path $store).Name | Should -Be @('alice', 'bot')
        (Get-ChatAccount -Path $store -Name b*).CertificateFingerprint | Should -Be @($print)
        Get-Content -Raw $store | Should -Not -Match 'sesame'
        if (-not $IsWindows) { (Get-Item $store).UnixFileMode | Should -Be ([System.IO.UnixFileMode]'UserRead, UserWrite') }

        $changed = Set-ChatAccount -Path $store -Name bot -CertificateFingerprint @() -Password $secret -PassThru -Confirm:$false
        $changed.HasPassword | Should -BeTrue
        $changed.CertificateFingerprint.Count | Should -Be 0

        Remove-ChatAccount -Path $store -Name alice, bot -Confirm:$false
        @(Get-ChatAccount -Path $store).Count | Should -Be 0
    }

    It 'refuses a second account of the same name, a name that is no nick and a bad store' {
        $null = New-ChatAccount -Path $store -Credential (New-Login alice)
        New-ChatAccount -Path $store -Credential (New-Login ALICE) -ErrorAction SilentlyContinue -ErrorVariable failed
        $failed[0].FullyQualifiedErrorId | Should -BeExactly 'AccountExists,PSChat.Commands.NewChatAccountCommand'
        New-ChatAccount -Path $store -Credential (New-Login '#chan') -ErrorAction SilentlyContinue -ErrorVariable bad
        $bad[0].FullyQualifiedErrorId | Should -BeExactly 'InvalidAccountName,PSChat.Commands.NewChatAccountCommand'
        Remove-ChatAccount -Path $store -Name nobody -Confirm:$false -ErrorAction SilentlyContinue -ErrorVariable missing
        $missing[0].FullyQualifiedErrorId | Should -BeExactly 'AccountNotFound,PSChat.Commands.RemoveChatAccountCommand'

        Add-Content -Path $store -Value "broken line"
        { Get-ChatAccount -Path $store } | Should -Throw -ErrorId 'AccountStoreInvalid,PSChat.Commands.GetChatAccountCommand' -ExpectedMessage '*line 3*'
        { Start-ChatServer -Port 0 -AccountStore $store } | Should -Throw -ErrorId 'AccountStoreInvalid,PSChat.Commands.StartChatServerCommand'
        { Start-ChatServer -Port 0 -RequireAccount } | Should -Throw -ErrorId 'RequireAccountWithoutAccountStore,PSChat.Commands.StartChatServerCommand'
    }

    It 'asks before removing an account (ConfirmImpact High)' {
        $null = New-ChatAccount -Path $store -Credential (New-Login alice)
        Remove-ChatAccount -Path $store -Name alice -WhatIf
        (Get-ChatAccount -Path $store).Name | Should -BeExactly 'alice'
        (Get-Command Remove-ChatAccount).ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false).ConfirmImpact |
            Should -Be 'High'
    }
}

Describe 'SASL between PSChat client and server' -Tag 'E2E' {
    BeforeAll {
        $store = Join-Path $TestDrive 'sasl.txt'
        $null = New-ChatAccount -Path $store -Credential (New-Login alice)
        $server = Start-ChatServer -Port 0 -AccountStore $store -RequireAccount -Certificate $serverCertificate -LoginFailureDelayMilliseconds 0
    }

    AfterAll {
        Stop-ChatServer -InputObject $server -Confirm:$false
    }

    It 'logs in with PLAIN and the other side sees the account' {
        $alice = Connect-ChatRoom -Port $server.Port -Name alice -Credential (New-Login alice)
        $print = [PSChat.ChatAccount]::FingerprintOf($botCertificate)
        $none = [pscredential]::new('botacct', [securestring]::new())
        $null = New-ChatAccount -Server $server -Credential $none -CertificateFingerprint $print
        $bot = Connect-ChatRoom -ComputerName localhost -Port $server.Port -Name bot -CertificateThumbprint $serverCertificate.Thumbprint -ClientCertificate $botCertificate

        Send-ChatMessage -Session $alice -Text 'hello bot'
        $heard = Receive-ChatMessage -Session $bot -Kind Message -Count 1 -Timeout 10
        $heard.Text | Should -BeExactly 'hello bot'
        $heard.Account | Should -BeExactly 'alice'
        Send-ChatMessage -Session $bot -Text 'hello alice'
        (Receive-ChatMessage -Session $alice -Kind Message -Count 1 -Timeout 10).Account | Should -BeExactly 'botacct'
        ($heard | Format-Table | Out-String) | Should -Match 'alice \(alice\)'
        $alice, $bot | Disconnect-ChatRoom -Confirm:$false
    }

    It 'fails a wrong password with ProtocolFailed and the server''s reason' {
        Connect-ChatRoom -Port $server.Port -Credential (New-Login alice nope) -ErrorAction SilentlyContinue -ErrorVariable failed
        $failed.Count | Should -Be 1
        $failed[0].FullyQualifiedErrorId | Should -BeExactly 'ProtocolFailed,PSChat.Commands.ConnectChatRoomCommand'
        $failed[0].CategoryInfo.Category | Should -Be 'ProtocolError'
        $failed[0].Exception.Message | Should -BeExactly "The server refused the login as 'alice' (SASL PLAIN) (904: SASL authentication failed)."
    }

    It 'refuses a password over plain TCP to another machine unless forced' {
        { Connect-ChatRoom -ComputerName chat.example.test -Port 6667 -Credential (New-Login alice) -ErrorAction Stop } |
            Should -Throw -ErrorId 'CredentialNeedsTls,PSChat.Commands.ConnectChatRoomCommand' -ExpectedMessage '*would send the password in clear*'
    }
}
