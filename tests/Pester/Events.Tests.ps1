BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
}

Describe 'ChatSession.MessageReceived with PowerShell eventing' -Tag 'E2E' {
    BeforeAll {
        $server = Start-ChatServer -Port 0
        $alice = Connect-ChatRoom -Port $server.Port -Name alice -Protocol Text -Room '#lobby'
        $bob = Connect-ChatRoom -Port $server.Port -Name bob -Protocol Text -Room '#lobby'
        Wait-ClientCount $server 2
    }

    AfterAll {
        Get-ChatSession | Disconnect-ChatRoom -Confirm:$false
        Get-ChatServer | Stop-ChatServer -Confirm:$false
    }

    AfterEach {
        Get-EventSubscriber | Unregister-Event
        Get-Event | Remove-Event
    }

    It 'runs a Register-ObjectEvent -Action for every message' {
        $global:PSChatSeen = [System.Collections.Generic.List[string]]::new()
        $null = Register-ObjectEvent -InputObject $bob -EventName MessageReceived -SourceIdentifier bob.message -Action {
            $global:PSChatSeen.Add("$($EventArgs.Message.Sender)|$($EventArgs.Message.Text)|$($Sender.Name)")
        }
        Send-ChatMessage -Session $alice -Text 'one'
        Send-ChatMessage -Session $alice -Text 'two'
        Wait-Until { $global:PSChatSeen.Count -ge 2 } -Because 'two event actions'
        # Sorted: PowerShell hands an event raised on another thread to the thread pool before queueing
        # it for its action, so two actions may run in either order (seen twice in a day of full runs).
        # The order the session received them in is Receive-ChatMessage's, tested elsewhere.
        $global:PSChatSeen | Sort-Object | Should -Be @('alice|one|bob', 'alice|two|bob')
        Remove-Variable PSChatSeen -Scope Global
    }

    It 'queues messages for Wait-Event' {
        $null = Register-ObjectEvent -InputObject $bob -EventName MessageReceived -SourceIdentifier bob.wait
        Send-ChatMessage -Session $alice -Text 'are you there?'
        $event = Wait-Event -SourceIdentifier bob.wait -Timeout 10
        $event | Should -Not -BeNullOrEmpty
        $event.SourceEventArgs.Message | Should -BeOfType PSChat.ChatMessage
        $event.SourceEventArgs.Message.Text | Should -Be 'are you there?'
        $event.SourceEventArgs.Message.SessionId | Should -Be $bob.Id
        $event.Sender | Should -Be $bob
    }
}

Describe 'Server EventRaised with PowerShell eventing' -Tag 'E2E' {
    BeforeAll {
        $server = Start-ChatServer -Port 0
    }

    AfterAll {
        Get-EventSubscriber | Unregister-Event
        Get-Event | Remove-Event
        Get-ChatSession | Disconnect-ChatRoom -Confirm:$false
        Get-ChatServer | Stop-ChatServer -Confirm:$false
    }

    It 'passes the ServerEvent as $EventArgs' {
        $null = Register-ObjectEvent -InputObject $server -EventName EventRaised -SourceIdentifier server.log
        $null = Connect-ChatRoom -Port $server.Port -Name logged -Protocol Text
        $event = Wait-Event -SourceIdentifier server.log -Timeout 10
        $event.SourceEventArgs | Should -BeOfType PSChat.ServerEvent
        $event.SourceEventArgs.Kind | Should -Be 'Connected'
        $event.SourceEventArgs.Server | Should -Be $server.Name
    }
}
