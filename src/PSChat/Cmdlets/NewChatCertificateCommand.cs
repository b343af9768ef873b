using System;
using System.IO;
using System.Management.Automation;
using System.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using PSChat.Engine.Tls;

namespace PSChat.Commands
{
    /// <summary>Makes a self-signed TLS server certificate for Start-ChatServer -Certificate (tests, LANs), optionally saved as PFX.</summary>
    [Cmdlet(VerbsCommon.New, "ChatCertificate")]
    [OutputType(typeof(X509Certificate2))]
    public sealed class NewChatCertificateCommand : PSChatCmdlet
    {
        /// <summary>The names clients connect with; the first is the subject. IP addresses are allowed.</summary>
        [Parameter(Position = 0)]
        [ValidateNotNullOrEmpty]
        public string[] DnsName { get; set; } = { "localhost", "127.0.0.1", "::1" };

        [Parameter]
        [ValidateRange(1, 3650)]
        public int ValidDays { get; set; } = 365;

        /// <summary>Also save the certificate with its private key as a PFX (PKCS #12) file.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? Path { get; set; }

        /// <summary>The PFX file's password.</summary>
        [Parameter]
        public SecureString? Password { get; set; }

        /// <summary>Overwrite an existing file at -Path.</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        protected override void EndProcessing()
        {
            string? file = Path == null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
            if (file != null && File.Exists(file) && !Force)
            {
                ThrowTerminatingError(Error(new IOException($"'{file}' exists already; use -Force to replace it."), "CertificateFileExists", ErrorCategory.ResourceExists, file));
            }

            X509Certificate2 certificate;
            try
            {
                var now = DateTimeOffset.Now;
                certificate = SelfSignedCertificate.Create(DnsName, now.AddMinutes(-5), now.AddDays(ValidDays));
            }
            catch (ArgumentException ex)
            {
                ThrowTerminatingError(Error(ex, "InvalidCertificateName", ErrorCategory.InvalidArgument, DnsName));
                return;
            }
            catch (Exception ex) when (ex is PlatformNotSupportedException || ex is CryptographicException)
            {
                ThrowTerminatingError(Error(ex, "CertificateCreationFailed", ErrorCategory.NotImplemented, DnsName));
                return;
            }

            if (file != null)
            {
                try
                {
                    File.WriteAllBytes(file, Password == null ? certificate.Export(X509ContentType.Pfx) : certificate.Export(X509ContentType.Pfx, Password));
                }
                catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
                {
                    ThrowTerminatingError(Error(ex, "CertificateFileWriteFailed", ErrorCategory.WriteError, file));
                }

                WriteVerbose($"Saved the certificate and its private key to {file}.");
            }

            Emit(certificate);
        }
    }
}
