BeforeDiscovery {
    $noIrssi = -not (Get-Command irssi -CommandType Application -ErrorAction Ignore) -or
        -not (Get-Command tmux -CommandType Application -ErrorAction Ignore)
}

BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
}

# irssi, the other terminal IRC client people use, against a server that offers every capability it
# has (CAP LS 302): it registers, joins, speaks to a nick and a channel, and shows what is said there.
# irssi needs a terminal: it runs in a tmux of its own (tmux -L), so nothing else on the machine is touched.
Describe 'irssi joins a PSChat server' -Tag 'Interop' -Skip:$noIrssi {
    BeforeAll {
        $server = Start-ChatServer -Port 0
        $alice = Connect-ChatRoom -Port $server.Port -Name alice -Protocol Irc
        $irssiDir = Join-Path $TestDrive 'irssi'
        $null = New-Item -ItemType Directory -Path $irssiDir
        # autolog writes each window's lines to a file as irssi shows them: the test reads what irssi shows.
        $config = @'
servers = (
  { address = "127.0.0.1"; chatnet = "pschat"; port = "PORT"; use_tls = "no"; autoconnect = "yes"; }
);
chatnets = { pschat = { type = "IRC"; autosendcmd = "/msg alice hello from irssi"; }; };
channels = ( { name = "#lobby"; chatnet = "pschat"; autojoin = "yes"; } );
settings = {
  core = { real_name = "irssi bot"; user_name = "irssibot"; nick = "irssibot"; };
  "fe-common/core" = { autolog = "yes"; autolog_path = "DIR/logs/$tag/$0.log"; };
};
'@
        $config = $config.Replace('PORT', "$($server.Port)").Replace('DIR', $irssiDir)
        Set-Content -LiteralPath (Join-Path $irssiDir 'config') -Value $config
        $socket = "pschat-irssi-$PID"
        & tmux -L $socket new-session -d -s irssi -x 160 -y 40 "irssi --home='$irssiDir'"
        $LASTEXITCODE | Should -Be 0 -Because 'tmux starts irssi'
    }

    AfterAll {
        & tmux -L $socket kill-server 2>$null
        Get-ChatSession | Disconnect-ChatRoom -Confirm:$false
        $server | Stop-ChatServer -Confirm:$false
    }

    It 'registers and sends a private message that the PSChat session receives' {
        $private = Receive-ChatMessage -Session $alice -Kind Private -Count 1 -Timeout 30 -ErrorAction Stop
        $private.Sender | Should -Be 'irssibot'
        $private.Target | Should -Be 'alice'
        $private.Text | Should -Be 'hello from irssi'
    }

    It 'joins #lobby, speaks there, and shows what the PSChat session says' {
        $joined = Receive-ChatMessage -Session $alice -Kind Join -Count 1 -Timeout 20 -ErrorAction Stop
        $joined.Sender | Should -Be 'irssibot'
        $joined.Room | Should -Be '#lobby'

        & tmux -L $socket send-keys -t irssi -l '/msg #lobby hello from irssi in #lobby'
        & tmux -L $socket send-keys -t irssi Enter
        $said = Receive-ChatMessage -Session $alice -Kind Message -Count 1 -Timeout 20 -ErrorAction Stop
        $said.Sender | Should -Be 'irssibot'
        $said.Room | Should -Be '#lobby'
        $said.Text | Should -Be 'hello from irssi in #lobby'

        Send-ChatMessage -Session $alice -Room '#lobby' -Text 'hello irssi'
        $log = Join-Path $irssiDir 'logs/pschat/#lobby.log'
        Wait-Until -TimeoutMs 10000 -Because 'irssi to log the message' -Condition {
            (Test-Path -LiteralPath $log) -and ((Get-Content -LiteralPath $log) -match '<.?alice> hello irssi$')
        }
    }
}
