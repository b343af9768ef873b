using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.IO;
using System.Net;
using System.Reflection;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace PSChat.Engine.Tls
{
    /// <summary>
    /// Makes a self-signed server certificate (RSA 2048, SHA-256, serverAuth, the names as subject
    /// alternative names) for tests and LANs. CertificateRequest is not in netstandard2.0 but every
    /// runtime that loads the engine has it (.NET Framework 4.7.2+ in System.Core, .NET Core and .NET in
    /// System.Security.Cryptography*): it is found and called by reflection, through the few members used.
    /// The result is re-imported from PFX bytes: an in-memory key is refused by SChannel (Windows) as
    /// a server credential, a key loaded from PFX works everywhere.
    /// </summary>
    internal static class SelfSignedCertificate
    {
        private const string RequestTypeName = "System.Security.Cryptography.X509Certificates.CertificateRequest";

        private static readonly string[] RequestAssemblies =
        {
            "System.Security.Cryptography",
            "System.Security.Cryptography.X509Certificates",
            "System.Core, Version=4.0.0.0, Culture=neutral, PublicKeyToken=b77a5c561934e089",
        };

        private static readonly Lazy<Type?> RequestType = new Lazy<Type?>(FindRequestType);

        /// <summary>The certificate's names: the first is its subject (CN); IP addresses become IP SANs.</summary>
        public static X509Certificate2 Create(IReadOnlyList<string> names, DateTimeOffset notBefore, DateTimeOffset notAfter)
        {
            if (names == null || names.Count == 0) throw new ArgumentException("A certificate needs at least one name.", nameof(names));
            if (notAfter <= notBefore) throw new ArgumentException("The certificate would expire before it is valid.", nameof(notAfter));
            Type type = RequestType.Value ?? throw new PlatformNotSupportedException(
                "This .NET runtime has no CertificateRequest (it needs .NET Framework 4.7.2 or later, or PowerShell 7); make the certificate with openssl or New-SelfSignedCertificate instead.");

            using (RSA key = RSA.Create())
            {
                key.KeySize = 2048;
                object request = Activator.CreateInstance(type, "CN=" + EscapeCommonName(names[0]), key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)!;
                var extensions = (Collection<X509Extension>)type.GetProperty("CertificateExtensions")!.GetValue(request)!;
                extensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
                extensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
                extensions.Add(new X509EnhancedKeyUsageExtension(new OidCollection { new Oid("1.3.6.1.5.5.7.3.1", "Server Authentication") }, false));
                extensions.Add(new X509Extension("2.5.29.17", SubjectAlternativeNames(names), false));

                MethodInfo create = type.GetMethod("CreateSelfSigned", new[] { typeof(DateTimeOffset), typeof(DateTimeOffset) })!;
                using (var ephemeral = (X509Certificate2)InvokeUnwrapped(create, request, notBefore, notAfter))
                {
                    return new X509Certificate2(ephemeral.Export(X509ContentType.Pfx), (string?)null, X509KeyStorageFlags.Exportable);
                }
            }
        }

        private static Type? FindRequestType()
        {
            foreach (string assembly in RequestAssemblies)
            {
                try
                {
                    Type? type = Type.GetType(RequestTypeName + ", " + assembly, throwOnError: false);
                    if (type != null) return type;
                }
                catch (Exception ex) when (ex is IOException || ex is BadImageFormatException)
                {
                    // An assembly this runtime does not have: try the next.
                }
            }

            return null;
        }

        private static object InvokeUnwrapped(MethodInfo method, object target, params object[] arguments)
        {
            try
            {
                return method.Invoke(target, arguments)!;
            }
            catch (TargetInvocationException ex) when (ex.InnerException != null)
            {
                throw ex.InnerException;
            }
        }

        /// <summary>A comma or a quote would start another part of the subject: quote the name instead.</summary>
        private static string EscapeCommonName(string name) =>
            name.IndexOfAny(new[] { ',', '+', '"', '\\', '<', '>', ';', '=' }) < 0 ? name : "\"" + name.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";

        /// <summary>The DER of GeneralNames (RFC 5280 4.2.1.6): dNSName is [2] IA5String, iPAddress is [7] OCTET STRING.</summary>
        internal static byte[] SubjectAlternativeNames(IEnumerable<string> names)
        {
            var body = new MemoryStream();
            foreach (string name in names)
            {
                if (IPAddress.TryParse(name, out IPAddress? address))
                {
                    WriteDer(body, 0x87, address.GetAddressBytes());
                }
                else
                {
                    foreach (char c in name)
                    {
                        if (c > 0x7e || c < 0x21) throw new ArgumentException($"'{name}' is not a DNS name (IDN names must be given in their xn-- form).", nameof(names));
                    }

                    WriteDer(body, 0x82, Encoding.ASCII.GetBytes(name));
                }
            }

            var sequence = new MemoryStream();
            WriteDer(sequence, 0x30, body.ToArray());
            return sequence.ToArray();
        }

        private static void WriteDer(Stream into, byte tag, byte[] content)
        {
            into.WriteByte(tag);
            int length = content.Length;
            if (length < 0x80)
            {
                into.WriteByte((byte)length);
            }
            else if (length <= 0xff)
            {
                into.WriteByte(0x81);
                into.WriteByte((byte)length);
            }
            else
            {
                into.WriteByte(0x82);
                into.WriteByte((byte)(length >> 8));
                into.WriteByte((byte)length);
            }

            into.Write(content, 0, content.Length);
        }
    }
}
