using System;
using System.IO;
using System.Reflection;
using System.Runtime.InteropServices;

namespace PSChat.Engine.History
{
    /// <summary>
    /// Finds the native SQLite (e_sqlite3) the module ships in runtimes/&lt;rid&gt;/native. A module is a
    /// library loaded by path, not an application with a deps.json, so the runtime would only look beside
    /// the assembly: on .NET Core 3+ (PowerShell 7) a DllImport resolver on the SQLite provider points it at
    /// this platform's copy. The engine targets netstandard2.0, which has no NativeLibrary type, so the
    /// resolver is installed by reflection. Windows PowerShell 5.1 (.NET Framework) has no such hook.
    /// </summary>
    internal static class SqliteNative
    {
        private const string LibraryName = "e_sqlite3";
        private static readonly object Gate = new object();
        private static bool installed;
        private static MethodInfo? load;

        /// <summary>Installs the resolver once; throws <see cref="PlatformNotSupportedException"/> where it cannot (.NET Framework).</summary>
        public static void EnsureResolver()
        {
            lock (Gate)
            {
                if (installed) return;
                var nativeLibrary = Type.GetType("System.Runtime.InteropServices.NativeLibrary");
                var resolverType = Type.GetType("System.Runtime.InteropServices.DllImportResolver");
                if (nativeLibrary == null || resolverType == null)
                {
                    throw new PlatformNotSupportedException("-DataPath (SQLite) needs PowerShell 7 or later (.NET Core): this runtime cannot load the module's native SQLite. Without -DataPath, history is kept in memory.");
                }

                load = nativeLibrary.GetMethod("Load", new[] { typeof(string) });
                var set = nativeLibrary.GetMethod("SetDllImportResolver", new[] { typeof(Assembly), resolverType });
                var resolver = Delegate.CreateDelegate(resolverType, typeof(SqliteNative).GetMethod(nameof(Resolve), BindingFlags.NonPublic | BindingFlags.Static)!);
                set!.Invoke(null, new object[] { typeof(SQLitePCL.SQLite3Provider_e_sqlite3).Assembly, resolver });
                installed = true;
            }
        }

        /// <summary>The path of this platform's copy, or null when the module has none for it.</summary>
        internal static string? LibraryPath()
        {
            string directory = Path.GetDirectoryName(typeof(SqliteNative).Assembly.Location) ?? ".";
            string file = RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? "e_sqlite3.dll"
                : RuntimeInformation.IsOSPlatform(OSPlatform.OSX) ? "libe_sqlite3.dylib"
                : "libe_sqlite3.so";
            string path = Path.Combine(directory, "runtimes", Rid(), "native", file);
            return File.Exists(path) ? path : null;
        }

        private static IntPtr Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
        {
            if (libraryName != LibraryName || LibraryPath() is not string path) return IntPtr.Zero;
            return (IntPtr)load!.Invoke(null, new object[] { path })!;
        }

        private static string Rid()
        {
            string arch = RuntimeInformation.ProcessArchitecture switch
            {
                Architecture.Arm64 => "arm64",
                Architecture.X86 => "x86",
                _ => "x64",
            };
            if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows)) return "win-" + arch;
            if (RuntimeInformation.IsOSPlatform(OSPlatform.OSX)) return "osx-" + arch;
            return (IsMusl() ? "linux-musl-" : "linux-") + arch;
        }

        /// <summary>Alpine and other musl systems need the musl build.</summary>
        private static bool IsMusl() => File.Exists("/lib/ld-musl-x86_64.so.1") || File.Exists("/lib/ld-musl-aarch64.so.1");
    }
}
