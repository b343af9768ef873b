using System;
using System.Runtime.InteropServices;
using System.Security.Authentication;

namespace PSChat.Engine.Tls
{
    /// <summary>
    /// What the first bytes of a connection say about TLS, and the protocol versions PSChat allows.
    /// Every TLS record starts with its content type and the major version 3: a client opens with a
    /// handshake record (0x16, the ClientHello), a server that refuses answers with an alert (0x15).
    /// No text or IRC line starts with either byte.
    /// </summary>
    internal static class TlsRecord
    {
        public const byte Handshake = 0x16;
        public const byte Alert = 0x15;

        // SslProtocols.Tls13 is missing from netstandard2.0's enum; the runtimes that load the engine know the value.
        private const SslProtocols Tls13 = (SslProtocols)12288;

        /// <summary>
        /// TLS 1.2 and 1.3 only. .NET Framework (Windows PowerShell 5.1) hands the flags to SChannel,
        /// which refuses TLS 1.3 on the Windows versions that lack it: there it is TLS 1.2.
        /// </summary>
        public static SslProtocols Protocols { get; } =
            RuntimeInformation.FrameworkDescription.StartsWith(".NET Framework", StringComparison.Ordinal)
                ? SslProtocols.Tls12
                : SslProtocols.Tls12 | Tls13;

        /// <summary>True when the bytes start like a TLS record of any type (0x14 to 0x17, then version 3).</summary>
        public static bool StartsRecord(byte[] buffer, int offset, int count) =>
            count >= 2 && buffer[offset] >= 0x14 && buffer[offset] <= 0x17 && buffer[offset + 1] == 0x03;

        /// <summary>True when the bytes start like a client's first TLS record (a ClientHello).</summary>
        public static bool StartsHandshake(byte[] buffer, int offset, int count) =>
            count >= 1 && buffer[offset] == Handshake && (count == 1 || buffer[offset + 1] == 0x03);

        /// <summary>The alert a 7-byte alert record carries, in words (RFC 8446 6), or null when it is not one.</summary>
        public static string? DescribeAlert(byte[] buffer, int offset, int count)
        {
            if (count < 7 || buffer[offset] != Alert || buffer[offset + 1] != 0x03) return null;
            byte code = buffer[offset + 6];
            switch (code)
            {
                case 40: return "handshake_failure";
                case 42: return "bad_certificate";
                case 46: return "certificate_unknown";
                case 48: return "unknown_ca";
                case 70: return "protocol_version";
                case 80: return "internal_error";
                case 112: return "unrecognized_name";
                case 116: return "certificate_required";
                default: return "alert " + code;
            }
        }
    }
}
