# The source of the module manifest. build.ps1 stamps ModuleVersion from Directory.Build.props and
# copies it into the staged module folder PSChat/.
@{
    RootModule             = 'PSChat.dll'
    ModuleVersion          = '0.0.0'
    GUID                   = '6f1c2a57-3f0e-4d8e-9a0c-5d6b2e7c9a41'
    Author                 = 'PSChat contributors'
    CompanyName            = 'PSChat'
    Copyright              = '(c) PSChat contributors. MIT licence.'
    Description            = 'Host chat rooms, join them, script chat bots and pipe messages between cmdlets and machines. Plain text lines (netcat, telnet) and IRC on one port; TCP and UDP greeting services.'
    # Editions, versions and platform tags claim what tests back: tests/Pester/Portability.Tests.ps1 ties them
    # to the jobs that run them (README, Platforms).
    CompatiblePSEditions   = @('Desktop', 'Core')
    PowerShellVersion      = '5.1'
    DotNetFrameworkVersion = '4.7.2'
    RequiredAssemblies     = @('PSChat.Engine.dll')
    FormatsToProcess       = @('PSChat.format.ps1xml')
    CmdletsToExport        = @(
        'Connect-ChatRoom'
        'Disconnect-ChatRoom'
        'Enter-ChatRoom'
        'Exit-ChatRoom'
        'Get-ChatHistory'
        'Get-ChatServer'
        'Get-ChatSession'
        'Invoke-ChatCommand'
        'Invoke-ChatRequest'
        'Join-ChatRoom'
        'New-ChatCertificate'
        'Receive-ChatMessage'
        'Remove-ChatMember'
        'Send-ChatMessage'
        'Send-UdpGreeting'
        'Set-ChatMode'
        'Set-ChatNick'
        'Set-ChatTopic'
        'Start-ChatServer'
        'Start-GreetingServer'
        'Stop-ChatServer'
        'New-ChatAccount'
        'Get-ChatAccount'
        'Set-ChatAccount'
        'Remove-ChatAccount'
        'Start-ChatBot'
        'Get-ChatBot'
        'Stop-ChatBot'
    )
    FunctionsToExport      = @()
    AliasesToExport        = @()
    VariablesToExport      = @()
    PrivateData            = @{
        PSData = @{
            Tags         = @('chat', 'irc', 'socket', 'tcp', 'udp', 'netcat', 'bot', 'PSEdition_Desktop', 'PSEdition_Core', 'Windows', 'Linux', 'MacOS')
            LicenseUri   = 'https://github.com/pschat/PSChat/blob/main/LICENSE'
            ProjectUri   = 'https://github.com/pschat/PSChat'
            ReleaseNotes = 'Interactive console chat (Enter-ChatRoom), argument completion, list views, packaging. The full history is in CHANGELOG.md: https://github.com/pschat/PSChat/blob/main/CHANGELOG.md'
        }
    }
}
