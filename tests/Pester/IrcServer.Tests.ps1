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

    function Read-IrcLine {
        # The next line from a raw client, without its CR LF (which must be there).
        param([Parameter(Mandatory)] $Client)
        $line = $Client.ReadLine()
        $line | Should -Match "`r`n$"
        $line.TrimEnd("`r", "`n")
    }
}

Describe 'Start-ChatServer speaks IRC' -Tag 'E2E' {
    BeforeAll {
        $server = Start-ChatServer -Port 0 -Name ircpester -HostName irc.pester -Motd 'Welcome, Pester.'
        $port = $server.Port
    }

    AfterAll {
        $server | Stop-ChatServer -Confirm:$false
    }

    It 'registers a raw IRC client with 001 and the MOTD' {
        $client = [RawClient]::new($port)
        try {
            $client.Send("NICK reg`r`nUSER reg 0 * :Reg`r`n")
            Read-IrcLine $client | Should -Be ':irc.pester 001 reg :Welcome to the PSChat Network, reg!reg@127.0.0.1'
            do { $line = Read-IrcLine $client } until ($line -like ':irc.pester 375 *')
            Read-IrcLine $client | Should -Be ':irc.pester 372 reg :- Welcome, Pester.'
            Read-IrcLine $client | Should -Be ':irc.pester 376 reg :End of /MOTD command.'
        }
        finally { $client.Dispose() }
    }

    Context 'a client doing something wrong gets the right numeric' {
        BeforeAll {
            $op = Connect-IrcRaw -Port $port -Nick opal
            $op.Send("JOIN #pester`r`n")
            do { $line = Read-IrcLine $op } until ($line -like '* 366 *')
            $client = Connect-IrcRaw -Port $port -Nick wrong
        }

        AfterAll {
            $client.Dispose()
            $op.Dispose()
        }

        It '<Command> answers <Expected>' -ForEach @(
            @{ Command = 'BOGUS'; Expected = ':irc.pester 421 wrong BOGUS :Unknown command' }
            @{ Command = 'JOIN'; Expected = ':irc.pester 461 wrong JOIN :Not enough parameters' }
            @{ Command = 'PRIVMSG nobody :hi'; Expected = ':irc.pester 401 wrong nobody :No such nick/channel' }
            @{ Command = 'PRIVMSG #pester :hi'; Expected = ':irc.pester 404 wrong #pester :Cannot send to channel' }
            @{ Command = 'PART #nowhere'; Expected = ':irc.pester 403 wrong #nowhere :No such channel' }
            @{ Command = 'PART #pester'; Expected = ':irc.pester 442 wrong #pester :You''re not on that channel' }
            @{ Command = 'NICK opal'; Expected = ':irc.pester 433 wrong opal :Nickname is already in use' }
            @{ Command = 'NICK 9lives'; Expected = ':irc.pester 432 wrong 9lives :Erroneus nickname' }
            @{ Command = 'USER a 0 * :b'; Expected = ':irc.pester 462 wrong :You may not reregister' }
            @{ Command = 'PRIVMSG wrong :' + ('x' * 500); Expected = ':irc.pester 417 wrong :Input line was too long' }
        ) {
            $client.Send("$Command`r`n")
            Read-IrcLine $client | Should -BeExactly $Expected
        }

        It 'answers 451 before registration' {
            $early = [RawClient]::new($port)
            try {
                $early.Send("NICK early`r`nJOIN #pester`r`n")
                Read-IrcLine $early | Should -BeExactly ':irc.pester 451 early :You have not registered'
            }
            finally { $early.Dispose() }
        }

        It 'answers 482 to a member that is not an operator' {
            $client.Send("JOIN #pester`r`n")
            do { $line = Read-IrcLine $client } until ($line -like '* 366 *')
            $client.Send("MODE #pester +m`r`n")
            Read-IrcLine $client | Should -BeExactly ':irc.pester 482 wrong #pester :You''re not channel operator'
        }
    }

    Context 'a text client and an IRC client in the lobby' {
        It 'see each other join, talk and leave' {
            $events = Watch-ServerEvent $server
            $irc = Connect-IrcRaw -Port $port -Nick ivy
            $text = $null
            try {
                $irc.Send("JOIN #lobby`r`n")
                do { $line = Read-IrcLine $irc } until ($line -like '* 366 *')

                $text = [RawClient]::new($port)
                $local = $text.LocalEndPoint()
                $null = Wait-ServerEvent $events Joined -Where { $args[0].Client -eq $local -and $args[0].Protocol -eq 'Text' }
                Read-IrcLine $irc | Should -Match '^:guest\d+!text@127\.0\.0\.1 JOIN #lobby$'

                $text.Send("tom:hello from netcat`n")
                Read-IrcLine $irc | Should -Match '^:guest\d+!text@127\.0\.0\.1 NICK tom$'
                Read-IrcLine $irc | Should -BeExactly ':tom!text@127.0.0.1 PRIVMSG #lobby :hello from netcat'

                $irc.Send("PRIVMSG #lobby :hello from IRC`r`n")
                $text.ReadLine() | Should -BeExactly "ivy:hello from IRC`n"

                $text.Send("exit`n")
                Read-IrcLine $irc | Should -BeExactly ':tom!text@127.0.0.1 QUIT :Connection closed'
            }
            finally {
                $irc.Dispose()
                if ($text) { $text.Dispose() }
            }
        }
    }
}

Describe 'Start-ChatServer -Password' -Tag 'E2E' {
    BeforeAll {
        $password = ConvertTo-SecureString -String sesame -AsPlainText -Force
        # No delay after a failure here: each test connects from the same address (the throttle has its own tests).
        $server = Start-ChatServer -Port 0 -Name ircpass -HostName irc.pester -Password $password -LoginFailureDelayMilliseconds 0
    }

    AfterAll {
        $server | Stop-ChatServer -Confirm:$false
    }

    It 'refuses a wrong password with 464 and ERROR' {
        $client = [RawClient]::new($server.Port)
        try {
            $client.Send("PASS wrong`r`nNICK pat`r`nUSER pat 0 * :Pat`r`n")
            Read-IrcLine $client | Should -BeExactly ':irc.pester 464 pat :Password incorrect'
            Read-IrcLine $client | Should -BeExactly 'ERROR :Closing Link: 127.0.0.1 (Bad password)'
            $client.WaitForClose(5000) | Should -BeTrue
        }
        finally { $client.Dispose() }
    }

    It 'welcomes the right password' {
        $client = [RawClient]::new($server.Port)
        try {
            $client.Send("PASS sesame`r`nNICK pat`r`nUSER pat 0 * :Pat`r`n")
            Read-IrcLine $client | Should -Match '^:irc\.pester 001 pat '
        }
        finally { $client.Dispose() }
    }

    It 'takes the password only as a SecureString' {
        { Start-ChatServer -Port 0 -Password 'sesame' } | Should -Throw -ErrorId 'CannotConvertArgumentNoMessage,PSChat.Commands.StartChatServerCommand'
    }
}

Describe 'Start-ChatServer login limits' -Tag 'E2E' {
    BeforeAll {
        $password = ConvertTo-SecureString -String sesame -AsPlainText -Force
        $server = Start-ChatServer -Port 0 -HostName irc.pester -Password $password -LoginFailureDelayMilliseconds 60000 -MaxLoginFailures 5 -LoginLockoutSeconds 600 -RegistrationTimeoutSeconds 60 -ReservedName Oracle
    }

    AfterAll {
        $server | Stop-ChatServer -Confirm:$false
    }

    It 'refuses, unchecked, the next attempt from an address that just failed' {
        $guesser = [RawClient]::new($server.Port)
        $next = [RawClient]::new($server.Port)
        try {
            $guesser.Send("PASS wrong`r`nNICK pat`r`nUSER pat 0 * :Pat`r`n")
            Wait-Until { $server.Limits.FailedLogins -eq 1 }
            $next.Send("PASS sesame`r`nNICK sam`r`nUSER sam 0 * :Sam`r`n")
            Read-IrcLine $next | Should -BeExactly ':irc.pester 464 sam :Too many failed logins from your address; try again in 60 seconds'
            $server.Limits.FailedLogins | Should -Be 1
            $server.Limits.ThrottledLogins | Should -Be 1
        }
        finally {
            $guesser.Dispose()
            $next.Dispose()
        }
    }

    It 'refuses the names of -ReservedName and no longer the default ones' {
        $fresh = Start-ChatServer -Port 0 -HostName irc.pester -ReservedName Oracle
        $client = [RawClient]::new($fresh.Port)
        try {
            $client.Send("NICK oracle`r`nNICK ChanServ`r`nUSER c 0 * :C`r`n")
            Read-IrcLine $client | Should -BeExactly ':irc.pester 432 * oracle :Nickname is reserved'
            Read-IrcLine $client | Should -Match '^:irc\.pester 001 ChanServ '
        }
        finally {
            $client.Dispose()
            $fresh | Stop-ChatServer -Confirm:$false
        }
    }
}
