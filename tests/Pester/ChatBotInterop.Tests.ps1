# examples/OpsBot.ps1 end to end: one bot serving a PSChat room and an ngircd channel, asked with
# Invoke-ChatRequest on both, and a weechat user running its commands (issue 15, done criteria).

BeforeDiscovery {
    $noNgircd = -not (Get-Command ngircd -CommandType Application -ErrorAction Ignore)
    $noWeechat = -not (Get-Command weechat-headless -CommandType Application -ErrorAction Ignore)
}

BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    $opsBot = Join-Path $PSScriptRoot '../../examples/OpsBot.ps1'
    $processName = (Get-Process -Id $PID).ProcessName

    function Receive-From {
        # The next message of Kind from Sender on Session, the others passed over.
        param([Parameter(Mandatory)] $Session, [Parameter(Mandatory)][string] $Sender, [string] $Kind = 'Message')
        do { $message = Receive-ChatMessage -Session $Session -Kind $Kind -Count 1 -Timeout 30 -ErrorAction Stop }
        until ($message.Sender -eq $Sender)
        $message
    }
}

Describe 'examples/OpsBot.ps1 serves a PSChat room and an ngircd channel with one bot' -Tag 'Interop' -Skip:$noNgircd {
    BeforeAll {
        $server = Start-ChatServer -Port 0 -FloodControl:$false
        $ngircd = Start-TestNgircd -Name irc.bots.test
        $bot = & $opsBot -Port $server.Port, $ngircd.Port
    }

    AfterAll {
        Get-ChatBot | Stop-ChatBot -Confirm:$false
        Get-ChatSession | Disconnect-ChatRoom -Confirm:$false
        $server | Stop-ChatServer -Confirm:$false
        Stop-Program $ngircd
    }

    It 'is one bot on both servers' {
        $bot.Sessions.Count | Should -Be 2
        $bot.Sessions.ServerName | Should -Contain 'irc.bots.test'
        Get-ChatBot | Should -Be $bot
    }

    It 'answers Invoke-ChatRequest with objects on <Name>' -ForEach @(
        @{ Name = 'PSChat'; Nick = 'carol' }
        @{ Name = 'ngircd'; Nick = 'dave' }
    ) {
        $port = if ($Name -eq 'PSChat') { $server.Port } else { $ngircd.Port }
        $alice = Connect-ChatRoom -Port $port -Name $Nick -Room '#lobby' -Protocol Irc -NoThrottle
        $disks = @(Invoke-ChatRequest -Session $alice -To opsbot -Text '!disk' -AsObject -Timeout 30 -ErrorAction Stop)
        $disks.Count | Should -BeGreaterThan 0
        $disks[0].PSObject.Properties.Name | Should -Be 'Name', 'FreeGB', 'Root'
        $disks[0].FreeGB | Should -BeOfType [double]
        $top = @(Invoke-ChatRequest -Session $alice -To opsbot -Text '!top 2' -AsObject -Timeout 30 -ErrorAction Stop)
        $top.Count | Should -Be 2
        $top[0].Id | Should -BeOfType [int]
        $status = Invoke-ChatRequest -Session $alice -To opsbot -Text "!status -Name $processName" -Timeout 30 -ErrorAction Stop
        $status.Text | Should -BeLike "$processName is running (* processes)."
    }

    It 'deploys on ngircd after someone else confirms, the result reaching the caller' {
        $alice = Connect-ChatRoom -Port $ngircd.Port -Name alice -Room '#lobby' -Protocol Irc -NoThrottle
        $bob = Connect-ChatRoom -Port $ngircd.Port -Name bob -Room '#lobby' -Protocol Irc -NoThrottle
        $ask = Invoke-ChatRequest -Session $alice -To '#lobby' -Text '!deploy test 1.2.3' -Timeout 30 -ErrorAction Stop
        $ask.Text | Should -Match '^!deploy test 1\.2\.3 needs confirmation: someone else allowed to run it must say !confirm \d+ within 120 s\.$'
        $id = [regex]::Match($ask.Text, '!confirm (\d+)').Groups[1].Value
        (Invoke-ChatRequest -Session $bob -To '#lobby' -Text "!confirm $id" -Timeout 30 -ErrorAction Stop).Text | Should -Be "Confirmed by bob: running request $id."
        # The result answers alice's request, after her wait ended: it comes to her session as a reply.
        do { $result = Receive-From -Session $alice -Sender opsbot } until ($result.InReplyTo -eq $ask.InReplyTo)
        $result.Text | Should -Be 'Deployed 1.2.3 to test.'
        $result.Object | Should -Be 'Deployed 1.2.3 to test.'
    }
}

Describe 'examples/OpsBot.ps1 answers a weechat user' -Tag 'Interop' -Skip:$noWeechat {
    BeforeAll {
        $server = Start-ChatServer -Port 0 -FloodControl:$false
        $bot = & $opsBot -Port $server.Port
        $bob = Connect-ChatRoom -Port $server.Port -Name bob -Room '#lobby' -Protocol Irc -NoThrottle
        $weechatDir = Join-Path $TestDrive 'weechat'
        $null = New-Item -ItemType Directory -Path $weechatDir
        # Once connected weechat joins #lobby, asks for a deploy there and for the disks privately (its
        # server command: '\;' separates commands inside it). The logger writes each line at once.
        $commands = @(
            '/set logger.file.flush_delay 0'
            "/server add pschat 127.0.0.1/$($server.Port)"
            '/set irc.server.pschat.nicks weebot'
            '/set irc.server.pschat.command "/join #lobby\;/msg #lobby !deploy test 2.0\;/msg opsbot !disk"'
            '/connect pschat'
        ) -join ';'
        $weechat = Start-Program -Path (Get-Command weechat-headless -CommandType Application | Select-Object -First 1).Source -ArgumentList '--dir', $weechatDir, '--run-command', $commands
        $roomLog = Join-Path $weechatDir 'logs/irc.pschat.#lobby.weechatlog'
        $privateLog = Join-Path $weechatDir 'logs/irc.pschat.opsbot.weechatlog'
    }

    AfterAll {
        Stop-Program $weechat
        Get-ChatBot | Stop-ChatBot -Confirm:$false
        Get-ChatSession | Disconnect-ChatRoom -Confirm:$false
        $server | Stop-ChatServer -Confirm:$false
    }

    It 'runs !deploy from weechat, confirmed by another person, and weechat shows the result' {
        $ask = Receive-From -Session $bob -Sender opsbot
        $ask.Text | Should -Match '^!deploy test 2\.0 needs confirmation: someone else allowed to run it must say !confirm \d+ within 120 s\.$'
        Send-ChatMessage -Session $bob -Room '#lobby' -Text "!confirm $([regex]::Match($ask.Text, '!confirm (\d+)').Groups[1].Value)"
        Wait-Until -TimeoutMs 30000 -Because 'weechat to show the deploy' -Condition {
            (Test-Path -LiteralPath $roomLog) -and ((Get-Content -LiteralPath $roomLog) -match "`t@?opsbot`tDeployed 2\.0 to test\.$")
        }
        @(Get-Content -LiteralPath $roomLog) -match "`t@?opsbot`t!deploy test 2\.0 needs confirmation: " | Should -HaveCount 1
    }

    It 'answers weechat''s private !disk with the formatted table' {
        Wait-Until -TimeoutMs 30000 -Because 'weechat to show the disks' -Condition {
            (Test-Path -LiteralPath $privateLog) -and ((Get-Content -LiteralPath $privateLog) -match "`topsbot`tName\s+FreeGB\s+Root$")
        }
    }
}
