using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace PSChat.Engine.Tls
{
    /// <summary>
    /// The client side of TLS for a <see cref="PSChat.ChatSession"/>: SNI with the host name, the
    /// server's certificate checked against the system's trust store (or pinned by thumbprint, or not
    /// checked at all when asked), and a failed handshake explained: which check failed, or what the
    /// port said instead of a handshake.
    /// </summary>
    internal sealed class TlsClientHandshake
    {
        private readonly ChatSessionOptions options;
        private readonly string target;
        private string? rejection;

        private TlsClientHandshake(ChatSessionOptions options)
        {
            this.options = options;
            target = options.ComputerName + ":" + options.Port.ToString(CultureInfo.InvariantCulture);
        }

        /// <summary>
        /// Runs the handshake on a connected socket; the stream returned owns the socket. Cancelling
        /// closes the socket (netstandard2.0's handshake takes no token).
        /// </summary>
        public static async Task<SslStream> AuthenticateAsync(Socket socket, ChatSessionOptions options, CancellationToken cancel)
        {
            var handshake = new TlsClientHandshake(options);
            var recording = new RecordingStream(Transport.StreamDriver.StreamOf(socket));
            var tls = new SslStream(recording, leaveInnerStreamOpen: false, handshake.Validate);
            try
            {
                using (cancel.Register(() => tls.Dispose()))
                {
                    // A client certificate is shown for SASL EXTERNAL; the server asks every client for one.
                    var certificates = options.ClientCertificate == null ? null : new X509CertificateCollection { options.ClientCertificate };
                    await tls.AuthenticateAsClientAsync(options.ComputerName, certificates, TlsRecord.Protocols, checkCertificateRevocation: false).ConfigureAwait(false);
                }

                cancel.ThrowIfCancellationRequested();
                return tls;
            }
            catch (Exception ex) when (ex is AuthenticationException || ex is IOException || ex is ObjectDisposedException || ex is SocketException)
            {
                tls.Dispose();
                cancel.ThrowIfCancellationRequested();
                throw handshake.Explain(ex, recording);
            }
        }

        /// <summary>What a failure at a TLS port's handshake step says (used by the session's timeout, too).</summary>
        public static string NoHandshakeAnswer(string target, TimeSpan timeout) =>
            $"{target} accepted the connection but did not answer the TLS handshake within {timeout.TotalSeconds:0.#} s: the port may not speak TLS (connect without -UseTls, or to the server's TLS port).";

        private ChatTlsException Explain(Exception error, RecordingStream recording)
        {
            if (rejection != null) return new ChatTlsException(TlsFailure.CertificateRejected, rejection, error);
            int count = recording.RecordedCount;
            byte[] seen = recording.Recorded;
            if (count == 0)
            {
                return new ChatTlsException(TlsFailure.ServerNotTls,
                    $"{target} closed the connection without answering the TLS handshake: the port does not speak TLS (a PSChat server started without -Certificate does this). Connect without -UseTls, or to the server's TLS port.", error);
            }

            if (TlsRecord.DescribeAlert(seen, 0, count) is string alert)
            {
                return new ChatTlsException(TlsFailure.HandshakeFailed,
                    $"{target} refused the TLS handshake ({alert}): it may need a TLS version other than {VersionsWeOffer} or a client certificate.", error);
            }

            if (!TlsRecord.StartsRecord(seen, 0, count))
            {
                return new ChatTlsException(TlsFailure.ServerNotTls,
                    $"{target} answered the TLS handshake in plain text (\"{Printable(seen, count)}\"): the port does not speak TLS. Connect without -UseTls, or to the server's TLS port.", error);
            }

            return new ChatTlsException(TlsFailure.HandshakeFailed, $"The TLS handshake with {target} failed: {error.Message}", error);
        }

        private static string VersionsWeOffer => (TlsRecord.Protocols & SslProtocols.Tls12) != 0 && TlsRecord.Protocols != SslProtocols.Tls12 ? "1.2 and 1.3" : "1.2";

        /// <summary>The first line the server sent, without control characters, at most 60 characters.</summary>
        private static string Printable(byte[] seen, int count)
        {
            string text = Encoding.UTF8.GetString(seen, 0, count);
            int end = text.IndexOfAny(new[] { '\r', '\n' });
            if (end >= 0) text = text.Substring(0, end);
            text = new string(text.Where(c => !char.IsControl(c)).ToArray());
            return text.Length > 60 ? text.Substring(0, 60) + "…" : text;
        }

        private bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
        {
            if (certificate == null)
            {
                rejection = $"{target} sent no certificate.";
                return false;
            }

            var presented = certificate as X509Certificate2 ?? new X509Certificate2(certificate);
            if (options.CertificateThumbprint is string pinned)
            {
                if (string.Equals(NormalizeThumbprint(pinned), presented.Thumbprint, StringComparison.OrdinalIgnoreCase)) return true;
                rejection = $"The certificate of {target} ('{presented.Subject}', thumbprint {presented.Thumbprint}) is not the pinned one ({NormalizeThumbprint(pinned)}). If the server's certificate was replaced on purpose, pin the new thumbprint.";
                return false;
            }

            if (options.SkipCertificateCheck || errors == SslPolicyErrors.None) return true;
            rejection = $"The certificate of {target} was rejected: {Describe(presented, chain, errors)}. "
                + $"Trust the certificate (or its issuer) on this machine, pin it with -CertificateThumbprint {presented.Thumbprint}, or, for a test, use -SkipCertificateCheck.";
            return false;
        }

        /// <summary>Thumbprints are copied with spaces or colons between the bytes; neither is part of it.</summary>
        internal static string NormalizeThumbprint(string thumbprint) =>
            new string(thumbprint.Where(Uri.IsHexDigit).ToArray()).ToUpperInvariant();

        private string Describe(X509Certificate2 presented, X509Chain? chain, SslPolicyErrors errors)
        {
            var reasons = new System.Collections.Generic.List<string>();
            if ((errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
            {
                string names = string.Join(", ", DnsNames(presented));
                reasons.Add($"it is issued to {(names.Length > 0 ? names : presented.Subject)}, not to '{options.ComputerName}' (name mismatch)");
            }

            if ((errors & SslPolicyErrors.RemoteCertificateChainErrors) != 0)
            {
                var statuses = chain?.ChainStatus.Select(s => s.Status).Aggregate(X509ChainStatusFlags.NoError, (all, s) => all | s) ?? X509ChainStatusFlags.NoError;
                if ((statuses & X509ChainStatusFlags.NotTimeValid) != 0)
                {
                    reasons.Add(presented.NotAfter < DateTime.Now
                        ? $"it expired on {presented.NotAfter:yyyy-MM-dd HH:mm}"
                        : $"it is not valid before {presented.NotBefore:yyyy-MM-dd HH:mm}");
                }

                if ((statuses & (X509ChainStatusFlags.UntrustedRoot | X509ChainStatusFlags.PartialChain)) != 0)
                {
                    reasons.Add(presented.Subject == presented.Issuer
                        ? "it is self-signed and this machine does not trust it (untrusted root)"
                        : $"its issuer '{presented.Issuer}' is not trusted by this machine (untrusted root)");
                }

                if ((statuses & X509ChainStatusFlags.Revoked) != 0) reasons.Add("it was revoked");
                var other = chain?.ChainStatus
                    .Where(s => (s.Status & ~(X509ChainStatusFlags.NotTimeValid | X509ChainStatusFlags.UntrustedRoot | X509ChainStatusFlags.PartialChain | X509ChainStatusFlags.Revoked)) != 0)
                    .Select(s => s.StatusInformation.Trim())
                    .Where(s => s.Length > 0);
                if (other != null) reasons.AddRange(other);
                if (reasons.Count == 0) reasons.Add("its chain of trust is not valid");
            }

            return string.Join("; ", reasons);
        }

        /// <summary>The DNS names of the subject alternative name extension, or the common name when it has none.</summary>
        private static string[] DnsNames(X509Certificate2 certificate)
        {
            string dns = certificate.GetNameInfo(X509NameType.DnsName, false);
            var names = certificate.Extensions.Cast<X509Extension>()
                .Where(e => e.Oid?.Value == "2.5.29.17")
                .SelectMany(e => e.Format(false).Split(new[] { ',', '\n' }, StringSplitOptions.RemoveEmptyEntries))
                .Select(n => n.Trim())
                .Where(n => n.Length > 0)
                .ToArray();
            return names.Length > 0 ? names : (string.IsNullOrEmpty(dns) ? new string[0] : new[] { dns });
        }
    }
}
