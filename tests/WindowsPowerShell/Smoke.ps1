<#
.SYNOPSIS
    A chat through the staged module in the PowerShell that runs it; written for Windows PowerShell 5.1.
.DESCRIPTION
    .github/workflows/test.yml runs it in powershell.exe, where the Pester suite (PowerShell 7 only) does
    not go. Receiving a line is the engine's first ArrayPool use, which is where a System.Buffers binding
    failure (FileLoadException) would surface. Exits non-zero on any failure.
#>
#Requires -Version 5.1
param([Parameter(Mandatory)][string] $ModulePath)

$ErrorActionPreference = 'Stop'
Import-Module $ModulePath
Write-Host "PowerShell $($PSVersionTable.PSVersion) ($($PSVersionTable.PSEdition)) on $([Environment]::OSVersion.VersionString)"

$server = Start-ChatServer -Port 0
try {
    $alice = Connect-ChatRoom -Port $server.Port -Name alice
    $bob = Connect-ChatRoom -Port $server.Port -Name bob
    Send-ChatMessage -Session $alice -Text 'hi bob'
    $message = Receive-ChatMessage -Session $bob -Kind Message -Count 1 -Timeout 10
    if ($null -eq $message -or $message.Sender -ne 'alice' -or $message.Text -ne 'hi bob') {
        throw "bob received '$($message.Sender): $($message.Text)' instead of 'alice: hi bob'."
    }
    Write-Host "bob received $($message.Sender): $($message.Text)"

    # TLS: New-ChatCertificate finds CertificateRequest by reflection (System.Core on .NET Framework), and
    # SChannel must take its key as a server credential; TLS 1.2 is what the engine asks for there.
    $certificate = New-ChatCertificate
    $secureServer = Start-ChatServer -Port 0 -Certificate $certificate -RequireTls
    try {
        $carol = Connect-ChatRoom -Port $secureServer.Port -Name carol -CertificateThumbprint $certificate.Thumbprint
        if ($carol.TlsProtocol -ne 'TLS 1.2') { throw "carol's session speaks '$($carol.TlsProtocol)' instead of TLS 1.2." }
        Write-Host "carol connected over $($carol.TlsProtocol)"
    }
    finally {
        Stop-ChatServer -InputObject $secureServer -Confirm:$false
    }
}
finally {
    Get-ChatSession | Disconnect-ChatRoom -Confirm:$false
    Stop-ChatServer -InputObject $server -Confirm:$false
}
