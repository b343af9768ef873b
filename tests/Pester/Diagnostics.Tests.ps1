BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
}

Describe '-Verbose tells the connection lifecycle' -Tag 'E2E' {
    BeforeAll { $server = Start-ChatServer -Port 0 -Name verbose }
    AfterAll { Get-ChatServer | Stop-ChatServer -Confirm:$false }

    It 'says where it connects, the protocol chosen, the name, and why it closed' {
        $connecting = @(Connect-ChatRoom -Port $server.Port -Name alice -Protocol Text -Verbose 4>&1)
        $session = $connecting | Where-Object { $_ -is [PSChat.ChatSession] }
        $verbose = @($connecting | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message)
        $verbose | Should -Be @(
            "Connecting to 127.0.0.1:$($server.Port) (Text)."
            "Connected to 127.0.0.1:$($server.Port) as session $($session.Id) (Text, name 'alice')."
        )
        $closing = @(Disconnect-ChatRoom -Session $session -Reason 'done' -Confirm:$false -Verbose 4>&1 | ForEach-Object Message)
        # Which end closes the socket first after the goodbye is a race (the engine keeps whichever reason came first).
        $closing[-1] | Should -BeIn @(
            "Session $($session.Id) left ('done'); the connection closed: done."
            "Session $($session.Id) left ('done'); the connection closed: server closed the connection."
        )
    }

    It 'says which server it stops' {
        $lines = @(Start-ChatServer -Port 0 -Name lifecycle -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message)
        $started = Get-ChatServer -Name lifecycle
        $lines | Should -Be @("Chat server 'lifecycle' listening on $($started.EndPoint).")
        Stop-ChatServer -Name lifecycle -Confirm:$false -Verbose 4>&1 | ForEach-Object Message | Should -Be @(
            "Performing the operation ""Stop chat server"" on target ""lifecycle (Chat on $($started.EndPoint), 0 clients)""."
            "Stopping 'lifecycle' and closing 0 connections."
        )
    }
}

Describe 'Errors carry a stable id, a category and the real target' -Tag 'E2E' {
    BeforeAll {
        $server = Start-ChatServer -Port 0
        $session = Connect-ChatRoom -Port $server.Port -Name alice -Protocol Text
    }

    AfterAll {
        Get-ChatSession | Disconnect-ChatRoom -Confirm:$false
        Get-ChatServer | Stop-ChatServer -Confirm:$false
    }

    It '<Case>' -ForEach @(
        @{ Case = 'a refused connection'; Run = { $script:port = Get-FreePort; Connect-ChatRoom -Port $script:port -Protocol Text -Timeout 5 }
            Id = 'ConnectionFailed,PSChat.Commands.ConnectChatRoomCommand'; Category = 'ConnectionError'; Target = { "127.0.0.1:$script:port" } }
        @{ Case = 'an unknown session id'; Run = { Receive-ChatMessage -SessionId 99999 }
            Id = 'SessionNotFound,PSChat.Commands.ReceiveChatMessageCommand'; Category = 'ObjectNotFound'; Target = { 99999 } }
        @{ Case = 'Get-ChatSession -Id unknown'; Run = { Get-ChatSession -Id 99998 }
            Id = 'SessionNotFound,PSChat.Commands.GetChatSessionCommand'; Category = 'ObjectNotFound'; Target = { 99998 } }
        @{ Case = 'a private message on Text'; Run = { Send-ChatMessage -Session $session -Text 'psst' -To carol }
            Id = 'NotSupportedByProtocol,PSChat.Commands.SendChatMessageCommand'; Category = 'NotImplemented'; Target = { $session } }
        @{ Case = 'a receive that times out'; Run = { Receive-ChatMessage -Session $session -Count 1 -Timeout 0 }
            Id = 'ReceiveTimedOut,PSChat.Commands.ReceiveChatMessageCommand'; Category = 'OperationTimeout'; Target = { $session } }
        @{ Case = 'an unknown server name'; Run = { Stop-ChatServer -Name nosuch -Confirm:$false }
            Id = 'ServerNotFound,PSChat.Commands.StopChatServerCommand'; Category = 'ObjectNotFound'; Target = { 'nosuch' } }
    ) {
        $ErrorActionPreference = 'Continue'
        $failures = @(try { & $Run 2>&1 } catch { $_ }) | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] }
        $failures.Count | Should -BeGreaterThan 0
        $failures[0].FullyQualifiedErrorId | Should -Be $Id
        $failures[0].CategoryInfo.Category | Should -Be $Category
        $failures[0].TargetObject | Should -Be (& $Target)
    }
}
