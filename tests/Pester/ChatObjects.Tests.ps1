# Objects between machines: Send-ChatMessage -AsObject, Receive-ChatMessage -AsObject, Invoke-ChatRequest,
# through PSChat's own server (message tags) and through ngircd (no tags: CTCP chunks), with other
# processes on the other end.

BeforeDiscovery {
    $noNgircd = -not (Get-Command ngircd -CommandType Application -ErrorAction Ignore)
    $servers = @(
        @{ Server = 'PSChat'; Skip = $false }
        @{ Server = 'ngircd'; Skip = $noNgircd }
    )
}

BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1

    function Start-TestIrcServer {
        # A server on a free loopback port: PSChat's with its default flood control (sessions pace
        # themselves to the budgets its pschat.dev/payload capability advertises), or with -FloodExempt
        # lifted for loopback as for a trusted local bot; or ngircd (no flood penalty). Returns what
        # Stop-TestIrcServer needs and the port.
        param([Parameter(Mandatory)][string] $Kind, [switch] $FloodExempt)
        if ($Kind -eq 'PSChat') {
            $server = if ($FloodExempt) { Start-ChatServer -Port 0 -FloodExemptAddress '127.0.0.1' } else { Start-ChatServer -Port 0 }
            return [pscustomobject]@{ Port = $server.Port; Server = $server; Process = $null }
        }

        $ngircd = Start-TestNgircd -Name irc.objects.test
        [pscustomobject]@{ Port = $ngircd.Port; Server = $null; Process = $ngircd }
    }

    function Stop-TestIrcServer {
        param($Irc)
        Get-ChatSession | Disconnect-ChatRoom -Confirm:$false
        if ($Irc.Server) { $Irc.Server | Stop-ChatServer -Confirm:$false }
        if ($Irc.Process) { Stop-Program $Irc.Process }
    }

    function Start-ChildPwsh {
        # Another pwsh process running $Script with the module imported; its output lands in a file.
        param([Parameter(Mandatory)][string] $Script, [Parameter(Mandatory)][string] $Name)
        $command = Get-PwshCommand
        $out = Join-Path $TestDrive "$Name.out"
        $text = "`$ErrorActionPreference = 'Stop'; Import-Module '$env:PSCHAT_MODULE'; $Script"
        $arguments = @($command | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-Command', $text)
        $info = [System.Diagnostics.ProcessStartInfo]::new($command[0])
        foreach ($argument in $arguments) { $info.ArgumentList.Add($argument) }
        $info.RedirectStandardOutput = $true
        $info.RedirectStandardError = $true
        $info.UseShellExecute = $false
        $process = [System.Diagnostics.Process]::Start($info)
        [pscustomobject]@{ Process = $process; Out = $out }
    }

    function Wait-ChildPwsh {
        # Waits for the child and returns its standard output; fails with its errors when it failed.
        param([Parameter(Mandatory)] $Child, [int] $TimeoutMs = 60000)
        $stdout = $Child.Process.StandardOutput.ReadToEndAsync()
        $stderr = $Child.Process.StandardError.ReadToEndAsync()
        if (-not $Child.Process.WaitForExit($TimeoutMs)) { $Child.Process.Kill(); throw "The child pwsh did not finish within $TimeoutMs ms." }
        $Child.Process.WaitForExit()
        if ($Child.Process.ExitCode -ne 0) { throw "The child pwsh failed ($($Child.Process.ExitCode)): $($stderr.Result) $($stdout.Result)" }
        $stdout.Result
    }

    function Receive-Until {
        # Messages of $Session until one matches $Until (included), within $TimeoutSeconds.
        param([Parameter(Mandatory)] $Session, [Parameter(Mandatory)][scriptblock] $Until, [int] $TimeoutSeconds = 30)
        $deadline = [datetime]::UtcNow.AddSeconds($TimeoutSeconds)
        while ($true) {
            $left = [int][Math]::Ceiling(($deadline - [datetime]::UtcNow).TotalSeconds)
            if ($left -le 0) { throw "No matching message within $TimeoutSeconds s." }
            # Every kind: the default leaves out joins, which some callers wait for.
            $message = Receive-ChatMessage -Session $Session -Count 1 -Timeout $left -Kind ([enum]::GetValues([PSChat.ChatMessageKind])) -ErrorAction Stop
            $message
            if ($message | Where-Object $Until) { return }
        }
    }
}

Describe 'Objects between processes through <Server>' -Tag 'E2E', 'Interop' -ForEach $servers {
    BeforeAll {
        if ($Skip) { return }
        $irc = Start-TestIrcServer -Kind $Server
        $room = '#objects'
    }

    AfterEach {
        Get-ChatSession | Disconnect-ChatRoom -Confirm:$false
        if ($script:exempt) { Stop-TestIrcServer $script:exempt }
        $script:exempt = $null
    }

    AfterAll {
        if ($Skip) { return }
        Stop-TestIrcServer $irc
    }

    It 'carries Get-Process objects from another pwsh; the receiver filters and sorts them by CPU' -Skip:$Skip {
        # Each object's summary is a line people see: PSChat's default flood control lets a client send
        # 2 lines a second, so hundreds of objects go to a server that exempts this machine (a local bot).
        $local = $irc
        if ($Server -eq 'PSChat') { $local = $script:exempt = Start-TestIrcServer -Kind PSChat -FloodExempt }
        $receiver = Connect-ChatRoom -Port $local.Port -Name receiver -Room $room -Protocol Irc
        $sender = Start-ChildPwsh -Name "processes-$Server" -Script @"
`$s = Connect-ChatRoom -Port $($local.Port) -Name sender -Room '$room' -Protocol Irc
`$processes = @(Get-Process | Select-Object Name, Id, CPU)
Send-ChatMessage -Session `$s -Text "count `$(`$processes.Count)"
`$processes | Send-ChatMessage -Session `$s -AsObject
Send-ChatMessage -Session `$s -Text 'done'
`$s | Disconnect-ChatRoom -Confirm:`$false
"@
        $null = Wait-ChildPwsh $sender
        $messages = @(Receive-Until -Session $receiver -Until { $_.Text -eq 'done' })
        $count = [int](($messages | Where-Object Text -like 'count *').Text -replace 'count ')
        $objects = @($messages | Where-Object HasObject | ForEach-Object Object)
        $objects.Count | Should -Be $count
        $objects[0].PSObject.TypeNames[0] | Should -Be 'Deserialized.Selected.System.Diagnostics.Process'
        $objects[0].PSObject.BaseObject | Should -BeOfType [psobject]
        $sorted = @($objects | Where-Object CPU -ge 0 | Sort-Object CPU)
        $sorted.Count | Should -BeGreaterThan 0
        for ($i = 1; $i -lt $sorted.Count; $i++) { $sorted[$i].CPU | Should -BeGreaterOrEqual $sorted[$i - 1].CPU }
        $summary = ($messages | Where-Object HasObject | Select-Object -First 1).Text
        $summary | Should -Match '^\[Selected\.System\.Diagnostics\.Process\] @\{Name='
        $receiver.PayloadsRefused | Should -Be 0
    }

    It 'carries a 1 MB object whole while two others chat in between' -Skip:$Skip {
        $receiver = Connect-ChatRoom -Port $irc.Port -Name bigreader -Room $room -Protocol Irc
        $sender = Connect-ChatRoom -Port $irc.Port -Name bigsender -Room $room -Protocol Irc
        $chatter = Connect-ChatRoom -Port $irc.Port -Name chatter -Room $room -Protocol Irc
        # Random letters: deflate cannot shrink them much, so about 1 MB really travels.
        $random = [System.Random]::new(14)
        $letters = [char[]]::new(1MB)
        for ($i = 0; $i -lt $letters.Length; $i++) { $letters[$i] = [char](65 + $random.Next(26)) }
        $big = [pscustomobject]@{ Name = 'big'; Data = [string]::new($letters) }
        $chat = Start-InRunspace -ArgumentList $chatter -Script {
            param($Arguments)
            foreach ($i in 1..40) { Send-ChatMessage -Session $Arguments[0] -Text "chatter $i" }
        }.ToString().Replace('param($Arguments)', '')
        $big | Send-ChatMessage -Session $sender -AsObject
        $chat.PowerShell.EndInvoke($chat.Async)
        $chat.PowerShell.Dispose()
        Send-ChatMessage -Session $sender -Text 'after big'
        # The chatter's session paces its lines (to PSChat's line budget), so they may still come after.
        $messages = @(Receive-Until -Session $receiver -Until { $_.Text -eq 'after big' } -TimeoutSeconds 120)
        if (-not ($messages | Where-Object Text -eq 'chatter 40')) { $messages += @(Receive-Until -Session $receiver -Until { $_.Text -eq 'chatter 40' } -TimeoutSeconds 120) }
        $received = @($messages | Where-Object HasObject)
        $received.Count | Should -Be 1
        $received[0].Object.Data | Should -BeExactly $big.Data
        $received[0].Object.Name | Should -Be 'big'
        if ($irc.Server) { $irc.Server.Limits.FloodDisconnects | Should -Be 0 }
        $lines = @($messages | Where-Object { $_.Sender -eq 'chatter' -and $_.Kind -eq 'Message' } | ForEach-Object Text)
        $lines | Should -Be @(1..40 | ForEach-Object { "chatter $_" })
        $receiver.PayloadsRefused | Should -Be 0
    }

    It 'Invoke-ChatRequest gets its reply from a responder process while a third member chats and another runspace reads the session' -Skip:$Skip {
        $asker = Connect-ChatRoom -Port $irc.Port -Name asker -Room $room -Protocol Irc
        $talker = Connect-ChatRoom -Port $irc.Port -Name talker -Room $room -Protocol Irc
        $responder = Start-ChildPwsh -Name "responder-$Server" -Script @"
`$s = Connect-ChatRoom -Port $($irc.Port) -Name responder -Room '$room' -Protocol Irc
Send-ChatMessage -Session `$s -Text 'responder ready'
Receive-ChatMessage -Session `$s -Wait -Timeout 60 | Where-Object RequestId | Select-Object -First 1 | ForEach-Object {
    Send-ChatMessage -Session `$s -ReplyTo `$_ -InputObject ([pscustomobject]@{ Asked = `$_.Text; Pid = `$PID; Sum = (`$_.Object | Measure-Object -Sum).Sum })
}
`$s | Disconnect-ChatRoom -Confirm:`$false
"@
        $null = Receive-Until -Session $asker -Until { $_.Text -eq 'responder ready' } -TimeoutSeconds 60
        # Another reader of the same session, as a bot's loop would be: it must see the chatter, never the reply.
        $reader = Start-InRunspace -ArgumentList $asker -Script '$Arguments[0] | Receive-ChatMessage -Wait -Timeout 60 | Where-Object Text -eq ''talk 3'' | Select-Object -First 1 | Out-Null; ''reader saw talk 3'''
        foreach ($i in 1..3) { Send-ChatMessage -Session $talker -Text "talk $i" }
        $reply = Invoke-ChatRequest -Session $asker -To $room -Text '!sum' -InputObject @(1, 2, 3) -Timeout 30
        $reply.Sender | Should -Be 'responder'
        $reply.InReplyTo | Should -Not -BeNullOrEmpty
        $reply.Object.Asked | Should -Be '!sum'
        $reply.Object.Sum | Should -Be 6
        $reply.Object.Pid | Should -Not -Be $PID
        $null = Wait-ChildPwsh $responder
        $reader.PowerShell.EndInvoke($reader.Async)
        $reader.Snapshot() | Should -Be 'reader saw talk 3'
        $reader.PowerShell.Dispose()
        Send-ChatMessage -Session $talker -Text 'marker'
        $rest = @(Receive-Until -Session $asker -Until { $_.Text -eq 'marker' })
        @($rest | Where-Object InReplyTo).Count | Should -Be 0
    }
}

Describe 'Hostile objects' -Tag 'E2E' {
    BeforeAll {
        $irc = Start-TestIrcServer -Kind PSChat
        $room = '#hostile'
        $sender = Connect-ChatRoom -Port $irc.Port -Name mallory -Room $room -Protocol Irc
        $receiver = Connect-ChatRoom -Port $irc.Port -Name victim -Room $room -Protocol Irc
        $null = Receive-Until -Session $sender -Until { $_.Kind -eq 'Join' -and $_.Sender -eq 'victim' }
        $ns = 'xmlns="http://schemas.microsoft.com/powershell/2004/04"'

        function Send-RawObject {
            # CliXml written by hand, sent as an object payload exactly as Send-ChatMessage -AsObject would.
            param([Parameter(Mandatory)][string] $Xml)
            $null = $sender.SendEnvelope('hostile', [System.Text.Encoding]::UTF8.GetBytes($Xml), $room, $null, $false, $null)
            Send-ChatMessage -Session $sender -Text 'next'
            $messages = @(Receive-Until -Session $receiver -Until { $_.Text -eq 'next' })
            @($messages | Where-Object HasObject)[0]
        }
    }

    AfterAll {
        Stop-TestIrcServer $irc
    }

    It 'rehydrates types that would run code or touch files as inert property bags' {
        $marker = Join-Path $TestDrive 'pwned'
        $message = Send-RawObject -Xml @"
<Objs Version="1.1.0.1" $ns>
  <Obj RefId="0">
    <TN RefId="0"><T>System.Diagnostics.Process</T><T>System.Object</T></TN>
    <ToString>evil</ToString>
    <Props>
      <SBK N="Script">Set-Content -Path '$marker' -Value pwned</SBK>
      <Obj N="File" RefId="1"><TN RefId="1"><T>System.IO.FileInfo</T></TN><ToString>/etc/passwd</ToString><Props><S N="FullName">/etc/passwd</S></Props></Obj>
      <Obj N="Type" RefId="2"><TN RefId="2"><T>System.Type</T></TN><ToString>System.Diagnostics.Process</ToString></Obj>
    </Props>
  </Obj>
</Objs>
"@
        $object = $message.Object
        $message.ObjectError | Should -BeNullOrEmpty
        $object.PSObject.TypeNames[0] | Should -Be 'Deserialized.System.Diagnostics.Process'
        $object.PSObject.BaseObject.GetType().FullName | Should -Be 'System.Management.Automation.PSCustomObject'
        $object.Script | Should -BeOfType [string]
        & { $object.Script } | Should -BeOfType [string]
        $object.File.PSObject.TypeNames[0] | Should -Be 'Deserialized.System.IO.FileInfo'
        $object.Type.PSObject.BaseObject.GetType().FullName | Should -Be 'System.Management.Automation.PSCustomObject'
        Test-Path $marker | Should -BeFalse
    }

    It 'refuses <Name> and counts it' -ForEach @(
        @{ Name = 'billion laughs (a DTD)'; Error = 'without a DTD'; Xml = '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;"><!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]><Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04"><S>&lol4;</S></Objs>' }
        @{ Name = 'deep nesting'; Error = 'nests deeper'; Xml = '<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04">' + ('<Obj><LST>' * 600) + ('</LST></Obj>' * 600) + '</Objs>' }
        @{ Name = 'huge counts'; Error = 'more than 500000 elements'; Xml = '<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04"><Obj><LST>' + ('<Nil />' * 500001) + '</LST></Obj></Objs>' }
        @{ Name = 'a secret it cannot decrypt'; Error = 'not valid CliXml'; Xml = '<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04"><Obj RefId="0"><TN RefId="0"><T>System.Management.Automation.PSCredential</T></TN><Props><S N="UserName">u</S><SS N="Password">00</SS></Props></Obj></Objs>' }
    ) {
        $before = $receiver.PayloadsRefused
        $message = Send-RawObject -Xml $Xml
        $message.HasObject | Should -BeTrue
        $message.Object | Should -BeNullOrEmpty
        $message.ObjectError | Should -BeLike "*$Error*"
        $receiver.PayloadsRefused | Should -Be ($before + 1)
        $report = Receive-ChatMessage -Session $receiver -Count 1 -Timeout 5 -ErrorAction Stop
        $report.Kind | Should -Be 'System'
        $report.Text | Should -BeLike "The object from mallory was refused: *$Error*"
    }

    It 'Receive-ChatMessage -AsObject writes ObjectRefused for a refused object and goes on with the next' {
        $null = $sender.SendEnvelope('hostile', [System.Text.Encoding]::UTF8.GetBytes('<!DOCTYPE x [<!ENTITY a "a">]><Objs/>'), $room, $null, $false, $null)
        [pscustomobject]@{ Fine = 1 } | Send-ChatMessage -Session $sender -AsObject
        $objects = @(Receive-ChatMessage -Session $receiver -AsObject -Count 1 -Timeout 10 -ErrorVariable refused -ErrorAction SilentlyContinue)
        $refused[0].FullyQualifiedErrorId | Should -Be 'ObjectRefused,PSChat.Commands.ReceiveChatMessageCommand'
        $objects.Fine | Should -Be 1
    }
}

Describe 'Invoke-ChatRequest waiting' -Tag 'E2E' {
    BeforeAll {
        $irc = Start-TestIrcServer -Kind PSChat
    }

    AfterAll {
        Stop-TestIrcServer $irc
    }

    It 'writes RequestTimedOut when nobody answers in time, and the request reached the room as its text' {
        $asker = Connect-ChatRoom -Port $irc.Port -Name asker2 -Room '#quiet' -Protocol Irc
        $listener = Connect-ChatRoom -Port $irc.Port -Name listener -Room '#quiet' -Protocol Irc
        $replies = @(Invoke-ChatRequest -Session $asker -To '#quiet' -Text '!anyone' -Timeout 1 -ErrorVariable failed -ErrorAction SilentlyContinue)
        $replies.Count | Should -Be 0
        $failed[0].FullyQualifiedErrorId | Should -Be 'RequestTimedOut,PSChat.Commands.InvokeChatRequestCommand'
        $failed[0].TargetObject | Should -Be '#quiet'
        $request = @(Receive-Until -Session $listener -Until { $_.Text -eq '!anyone' })[-1]
        $request.RequestId | Should -Not -BeNullOrEmpty
        $request.Sender | Should -Be 'asker2'
    }

    It 'stops waiting at once when the pipeline is stopped (Ctrl+C)' {
        $asker = Connect-ChatRoom -Port $irc.Port -Name asker3 -Room '#quiet' -Protocol Irc
        $run = Start-InRunspace -ArgumentList $asker -Script 'Invoke-ChatRequest -Session $Arguments[0] -To ''#quiet'' -Text ''!never'' -Timeout 3600'
        Wait-Until -TimeoutMs 10000 -Because 'the request is waiting' -Condition { $run.PowerShell.InvocationStateInfo.State -eq 'Running' -and $asker.MessagesSent -ge 1 }
        $clock = [System.Diagnostics.Stopwatch]::StartNew()
        $run.PowerShell.Stop()
        $clock.Elapsed.TotalSeconds | Should -BeLessThan 30 -Because 'a stop ends the wait long before its hour-long timeout'
        $run.PowerShell.InvocationStateInfo.State | Should -Be 'Stopped'
        $run.PowerShell.Dispose()
    }
}

Describe 'Object summaries' -Tag 'E2E' {
    BeforeAll {
        $irc = Start-TestIrcServer -Kind PSChat -FloodExempt
    }

    AfterAll {
        Stop-TestIrcServer $irc
    }

    It 'shows people a custom object as PowerShell writes it: <Name>' -ForEach @(
        @{ Name = 'a Select-Object row'; Make = { Get-Process -Id $PID | Select-Object Name, Id, CPU, WorkingSet } }
        @{ Name = 'nulls, collections, nested objects, dates, booleans'; Make = { [pscustomobject]@{ a = 1.5; b = $null; c = @(1, 2); d = [pscustomobject]@{ x = 1 }; e = [datetime]'2026-01-02T03:04:05'; f = $true; g = @{ k = 1 } } } }
        @{ Name = 'an object without properties'; Make = { [pscustomobject]@{} } }
        @{ Name = 'an enum that came through serialization'; Make = { [pscustomobject]@{ Name = 'svc'; Status = [System.Management.Automation.PSSerializer]::Deserialize([System.Management.Automation.PSSerializer]::Serialize([System.DayOfWeek]::Friday)) } } }
        @{ Name = 'an object with its own ToString'; Make = { [pscustomobject]@{ a = 1 } | Add-Member -Force -PassThru ScriptMethod ToString { 'mine' } } }
        @{ Name = 'a value whose ToString throws'; Make = { $odd = [pscustomobject]@{} | Add-Member -Force -PassThru ScriptMethod ToString { throw 'no text' }; [pscustomobject]@{ a = 1; odd = $odd } } }
        @{ Name = 'script properties, one that throws'; Make = { [pscustomobject]@{ a = 1 } | Add-Member -PassThru ScriptProperty bad { throw 'nope' } | Add-Member -PassThru ScriptProperty good { 'x' } } }
    ) {
        # The summary is built without PowerShell's conversion (which cost a row as much as its
        # serialization); it must still read as "$object" does, in any culture.
        $object = & $Make
        $sender = Connect-ChatRoom -Port $irc.Port -Name "sum$(Get-Random)" -Room '#summaries' -Protocol Irc
        $reader = Connect-ChatRoom -Port $irc.Port -Name "read$(Get-Random)" -Room '#summaries' -Protocol Irc
        $null = Receive-ChatMessage -Session $sender -Kind Join -Count 1 -Timeout 10
        $culture = [cultureinfo]::CurrentCulture
        try {
            [cultureinfo]::CurrentCulture = 'de-DE'
            $object | Send-ChatMessage -Session $sender -AsObject
        }
        finally {
            [cultureinfo]::CurrentCulture = $culture
        }

        $message = Receive-ChatMessage -Session $reader -Count 1 -Timeout 10
        $message.HasObject | Should -BeTrue
        $type = $object.PSObject.TypeNames[0]
        $message.Text | Should -BeExactly ("[$type] " + [System.Management.Automation.LanguagePrimitives]::ConvertTo($object, [string], [cultureinfo]::InvariantCulture)).TrimEnd()
    }
}

Describe 'Error replies through <Server>' -Tag 'E2E', 'Interop' -ForEach $servers {
    BeforeAll {
        if ($Skip) { return }
        $irc = Start-TestIrcServer -Kind $Server -FloodExempt:($Server -eq 'PSChat')
    }

    AfterAll {
        if ($Skip) { return }
        Stop-TestIrcServer $irc
    }

    It 'Invoke-ChatRequest writes a responder''s <How> as an error of its category, and goes on' -Skip:$Skip -ForEach @(
        @{ How = 'ReplyError'; Answer = '$_.ReplyError("no service named $($_.Text.Substring(8))", "ObjectNotFound")' }
        @{ How = 'ErrorRecord'; Answer = 'try { Get-Item -LiteralPath "/no/such/$($_.Text.Substring(8))" -ErrorAction Stop } catch { Send-ChatMessage -ReplyTo $_ -InputObject $PSItem }' }
    ) {
        # The catch block's $PSItem is the ErrorRecord; the outer message is kept in $request for -ReplyTo.
        $answer = $Answer -replace '-ReplyTo \$_', '-ReplyTo $request'
        $suffix = Get-Random -Maximum 9999 # ngircd keeps nicks to 9 characters
        $asker = Connect-ChatRoom -Port $irc.Port -Name "asker$suffix" -Protocol Irc
        $responder = Connect-ChatRoom -Port $irc.Port -Name "resp$suffix" -Protocol Irc
        $run = Start-InRunspace -ArgumentList $responder -Script "Receive-ChatMessage -Session `$Arguments[0] -Wait | Where-Object RequestId | ForEach-Object { `$request = `$_; if (`$_.Text -like '!status *') { $answer } else { `$_.Reply('fine') } }"
        try {
            $failed = $null
            $out = @(Invoke-ChatRequest -Session $asker -To "resp$suffix" -Text '!status nosuch' -Timeout 30 -ErrorAction SilentlyContinue -ErrorVariable failed)
            $out.Count | Should -Be 0
            $failed.Count | Should -Be 1
            $failed[0].FullyQualifiedErrorId | Should -Be 'RequestFailed,PSChat.Commands.InvokeChatRequestCommand'
            $failed[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $failed[0].Exception.Message | Should -BeLike "resp$suffix answered '!status nosuch' with an error: *nosuch*"
            $failed[0].TargetObject.ErrorCategory | Should -Be 'ObjectNotFound'
            # The marker after: the responder still answers, and the session is fine.
            (Invoke-ChatRequest -Session $asker -To "resp$suffix" -Text '!ping' -Timeout 30 -ErrorAction Stop).Text | Should -Be 'fine'
        }
        finally {
            $run.PowerShell.Stop()
            $run.PowerShell.Dispose()
            $asker, $responder | Disconnect-ChatRoom -Confirm:$false
        }
    }
}
