# Windows PowerShell 5.1 cannot run here, so this reads the staged assemblies' metadata for what would
# stop them loading or running on .NET Framework 4.7.2. powershell.exe has no binding redirects for a
# module: a strong-named reference must find that exact version in the module folder, unless it names an
# assembly the framework (or the host) provides, which unifies references up to its own version.

BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1

    # What .NET Framework 4.7.2 provides, as its reference assemblies (Microsoft.NETFramework.ReferenceAssemblies
    # .net472, v4.7.2 and v4.7.2/Facades) version them; System.Buffers, System.Memory, System.Numerics.Vectors
    # and System.Runtime.CompilerServices.Unsafe are not among them. System.Management.Automation is the host's.
    $script:provided = @{
        'mscorlib'                       = [version] '4.0.0.0'
        'System'                         = [version] '4.0.0.0'
        'System.Core'                    = [version] '4.0.0.0'
        'netstandard'                    = [version] '2.0.0.0'
        'System.Runtime'                 = [version] '4.1.2.0'
        'System.Runtime.Extensions'      = [version] '4.1.2.0'
        'System.Runtime.InteropServices' = [version] '4.1.2.0'
        'System.Collections'             = [version] '4.0.11.0'
        'System.Threading.Tasks'         = [version] '4.0.11.0'
        'System.Management.Automation'   = [version] '3.0.0.0'
    }

    # The method implementation flags .NET Framework 4.7.2 defines (System.Reflection.MethodImplAttributes):
    # code type, Unmanaged, NoInlining, ForwardRef, Synchronized, NoOptimization, PreserveSig,
    # AggressiveInlining, InternalCall. AggressiveOptimization (0x0200) came with .NET Core 3.0.
    $script:definedImplFlags = 0x0003 -bor 0x0004 -bor 0x0008 -bor 0x0010 -bor 0x0020 -bor 0x0040 -bor 0x0080 -bor 0x0100 -bor 0x1000

    function Read-AssemblyMetadata([string] $Path) {
        $stream = [System.IO.File]::OpenRead($Path)
        $pe = [System.Reflection.PortableExecutable.PEReader]::new($stream)
        try {
            $reader = [System.Reflection.Metadata.PEReaderExtensions]::GetMetadataReader($pe)
            $definition = $reader.GetAssemblyDefinition()
            [pscustomobject]@{
                Name       = $reader.GetString($definition.Name)
                Version    = $definition.Version
                References = @(foreach ($handle in $reader.AssemblyReferences) {
                        $reference = $reader.GetAssemblyReference($handle)
                        [pscustomobject]@{ Name = $reader.GetString($reference.Name); Version = $reference.Version }
                    })
                Methods    = @(foreach ($handle in $reader.MethodDefinitions) {
                        $method = $reader.GetMethodDefinition($handle)
                        $type = $reader.GetTypeDefinition($method.GetDeclaringType())
                        [pscustomobject]@{
                            Name      = '{0}.{1}::{2}' -f $reader.GetString($type.Namespace), $reader.GetString($type.Name), $reader.GetString($method.Name)
                            ImplFlags = [int] $method.ImplAttributes
                        }
                    })
            }
        }
        finally {
            $pe.Dispose()
            $stream.Dispose()
        }
    }

    $script:assemblies = @(Get-ChildItem (Join-Path $env:PSCHAT_MODULE '*.dll') | ForEach-Object { Read-AssemblyMetadata $_.FullName })
    # -DataPath's SQLite: loaded on PowerShell 7 only. On .NET Framework -DataPath stops (DataPathUnusable)
    # before any of it runs, so its references (System.Memory...) need not resolve there.
    $script:coreOnly = @('Microsoft.Data.Sqlite', 'SQLitePCLRaw.batteries_v2', 'SQLitePCLRaw.core', 'SQLitePCLRaw.provider.e_sqlite3')
    $script:shipped = @{}
    foreach ($assembly in $assemblies) { $shipped[$assembly.Name] = $assembly.Version }
}

Describe 'The staged assemblies on Windows PowerShell 5.1 (.NET Framework 4.7.2)' -Tag 'Unit' {
    It 'are the cmdlets, the engine and System.Buffers (and -DataPath''s SQLite, for PowerShell 7)' {
        $assemblies.Name | Sort-Object | Should -Be (@('PSChat', 'PSChat.Engine', 'System.Buffers') + $coreOnly | Sort-Object)
    }

    It 'reference each dependency at a version the module ships exactly or the framework or host provides' {
        $unresolvable = foreach ($assembly in $assemblies | Where-Object Name -NotIn $coreOnly) {
            foreach ($reference in $assembly.References) {
                $ships = $shipped[$reference.Name] -eq $reference.Version
                $frameworkHas = $provided.ContainsKey($reference.Name) -and $reference.Version -le $provided[$reference.Name]
                if (-not ($ships -or $frameworkHas)) {
                    $found = if ($shipped.ContainsKey($reference.Name)) { "the module ships $($shipped[$reference.Name])" } else { 'neither the module nor the framework has it' }
                    "$($assembly.Name) references $($reference.Name) $($reference.Version); $found"
                }
            }
        }
        $unresolvable | Should -BeNullOrEmpty
    }

    It 'ship nothing that no staged assembly references' {
        $referenced = @($assemblies.References.Name | Sort-Object -Unique)
        # SQLitePCLRaw.batteries_v2 is loaded by name (Microsoft.Data.Sqlite's SQLitePCL.Batteries_V2.Init).
        $unused = $assemblies.Name | Where-Object { $_ -ne 'PSChat' -and $_ -ne 'SQLitePCLRaw.batteries_v2' -and $_ -notin $referenced }
        $unused | Should -BeNullOrEmpty
    }

    It 'ask for no method implementation flag that .NET Framework 4.7.2 does not define' {
        $undefined = foreach ($assembly in $assemblies) {
            $assembly.Methods | Where-Object { $_.ImplFlags -band -bnot $definedImplFlags } |
                ForEach-Object { '{0} 0x{1:x4}' -f $_.Name, $_.ImplFlags }
        }
        $undefined | Should -BeNullOrEmpty
    }
}

Describe 'What the manifest claims, and the tests that back it' -Tag 'Unit' {
    BeforeAll {
        $repoRoot = Join-Path $PSScriptRoot '../..'
        $manifest = Import-PowerShellDataFile (Join-Path $env:PSCHAT_MODULE 'PSChat.psd1')
        $workflow = Get-Content (Join-Path $repoRoot '.github/workflows/test.yml') -Raw
    }

    It 'claims Windows PowerShell 5.1 on .NET Framework 4.7.2, which this file and the workflow''s powershell.exe job check' {
        $manifest.CompatiblePSEditions | Should -Contain 'Desktop'
        $manifest.PowerShellVersion | Should -Be '5.1'
        $manifest.DotNetFrameworkVersion | Should -Be '4.7.2'
        $workflow | Should -Match '(?m)^\s+shell: powershell\s*$'
        $workflow | Should -Match 'tests/WindowsPowerShell/Smoke\.ps1'
    }

    It 'tags <Tag>, where <File> runs build.ps1 Test (<Runner>)' -ForEach @(
        @{ Tag = 'Linux'; File = '.ci/run'; Runner = 'the development machine' }
        @{ Tag = 'Windows'; File = '.github/workflows/test.yml'; Runner = 'windows-latest' }
        @{ Tag = 'MacOS'; File = '.github/workflows/test.yml'; Runner = 'macos-latest' }
    ) {
        $manifest.PrivateData.PSData.Tags | Should -Contain $Tag
        $text = Get-Content (Join-Path $repoRoot $File) -Raw
        $text | Should -Match 'build\.ps1 Test'
        if ($File -ne '.ci/run') { $text | Should -Match ([regex]::Escape($Runner)) }
    }
}
