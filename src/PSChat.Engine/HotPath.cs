using System.Runtime.CompilerServices;

namespace PSChat.Engine
{
    /// <summary>
    /// Marks the methods every chat line and every delivery runs through; it asks the JIT for nothing.
    /// It asked for AggressiveOptimization (bit 0x0200), which .NET Framework 4.7.2, where Windows
    /// PowerShell 5.1 runs the engine, does not define, and nothing defined on both runtimes skips tier 0
    /// on .NET 7+ (RuntimeHelpers.PrepareMethod compiles tier 0). Without it the hot methods go tier 0,
    /// instrumented, then tier 1 with PGO during a burst; the server's CPU per delivery in the burst
    /// benchmark, a fresh server per run, did not move (median 0.258 us over five runs either way).
    /// tests/Pester/Portability.Tests.ps1 keeps flags that .NET Framework does not define out.
    /// </summary>
    internal static class HotPath
    {
        /// <summary>No implementation options, the default on every runtime.</summary>
        public const MethodImplOptions Optimize = 0;
    }
}
