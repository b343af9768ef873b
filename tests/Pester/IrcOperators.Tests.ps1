BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1

    function Connect-IrcRaw {
        # A raw IRC client, registered as $Nick, read through the end of the welcome burst.
        param([Parameter(Mandatory)][int] $Port, [Parameter(Mandatory)][string] $Nick)
        $client = [RawClient]::new($Port)
        $client.Send("NICK $Nick`r`nUSER $Nick 0 * :Pester $Nick`r`n")
        do { $line = $client.ReadLine() } until ($line -match '^:\S+ (376|422) ')
        $client
    }

    function Send-Oper {
        # OPER with irctest's account; the first line of the answer, without CR LF.
        param([Parameter(Mandatory)] $Client)
        $Client.Send("OPER operuser operpassword`r`n")
        $Client.ReadLine().TrimEnd("`r", "`n")
    }

    $secret = ConvertTo-SecureString -String operpassword -AsPlainText -Force
    $credential = [pscredential]::new('operuser', $secret)
}

Describe 'Start-ChatServer -Operator' -Tag 'E2E' {
    AfterEach {
        if ($client) { $client.Dispose() }
        if ($server) { $server | Stop-ChatServer -Confirm:$false }
    }

    It 'takes a PSCredential: OPER gives 381' {
        $server = Start-ChatServer -Port 0 -HostName irc.pester -Operator $credential
        $client = Connect-IrcRaw -Port $server.Port -Nick baz
        Send-Oper $client | Should -BeExactly ':irc.pester 381 baz :You are now an IRC operator'
    }

    It 'takes a hashtable with a host mask: a client it does not match gets 491' {
        $entry = @{ Credential = $credential; HostMask = '*@192.0.2.1' }
        $server = Start-ChatServer -Port 0 -HostName irc.pester -Operator $entry
        $client = Connect-IrcRaw -Port $server.Port -Nick baz
        Send-Oper $client | Should -BeExactly ':irc.pester 491 baz :No O-lines for your host'
    }

    It 'refuses a password given as plain text' {
        $plain = @{ Name = 'operuser'; Password = 'operpassword' }
        { Start-ChatServer -Port 0 -Operator $plain } |
            Should -Throw -ErrorId 'InvalidOperator,PSChat.Commands.StartChatServerCommand'
        { Start-ChatServer -Port 0 -Operator 'operuser:operpassword' } |
            Should -Throw -ErrorId 'InvalidOperator,PSChat.Commands.StartChatServerCommand'
    }
}
