<#
.SYNOPSIS
    An ops bot: !deploy (asks for !confirm), !status, !disk and !top, served to a chat room.
.EXAMPLE
    ./examples/OpsBot.ps1 -Port 6667, 6668 -Wait   # one bot in #lobby of two servers, until Ctrl+C
#>
param([string] $ComputerName = '127.0.0.1', [int[]] $Port = 6667, [string] $Room = '#lobby', [switch] $Wait)

function Deploy-App {
    <# .SYNOPSIS
    Deploys a version of the app to an environment. #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'High')]
    param([Parameter(Mandatory)][ValidateSet('test', 'prod')][string] $Env, [Parameter(Mandatory)][version] $Version)
    if ($PSCmdlet.ShouldProcess($Env, "deploy $Version")) { "Deployed $Version to $Env." }
}
function Get-ServiceStatus {
    <# .SYNOPSIS
    Says whether a service (a process name) is running. #>
    param([Parameter(Mandatory)][string] $Name)
    $running = @(Get-Process -Name $Name -ErrorAction Ignore)
    if ($running) { "$Name is running ($($running.Count) processes)." } else { "$Name is not running." }
}
function Get-DiskSpace {
    <# .SYNOPSIS
    Free space of the file system drives, in GB. #>
    Get-PSDrive -PSProvider FileSystem | Where-Object Used -NE $null |
        Select-Object Name, @{ n = 'FreeGB'; e = { [math]::Round($_.Free / 1GB, 1) } }, Root
}
function Get-TopProcess {
    <# .SYNOPSIS
    The processes using the most CPU time. #>
    param([ValidateRange(1, 20)][int] $Count = 5)
    Get-Process | Sort-Object CPU -Descending | Select-Object -First $Count Name, Id, @{ n = 'CPU'; e = { [int]$_.CPU } }
}

$sessions = $Port | ForEach-Object { Connect-ChatRoom -ComputerName $ComputerName -Port $_ -Name opsbot -Room $Room -Protocol Irc -Reconnect }
$commands = @{ deploy = ${function:Deploy-App}; status = ${function:Get-ServiceStatus}; disk = ${function:Get-DiskSpace}; top = ${function:Get-TopProcess} }
Start-ChatBot -Session $sessions -Command $commands -Permission @{ deploy = @{ Room = $Room; ConfirmBy = 'Other' } } -Wait:$Wait
