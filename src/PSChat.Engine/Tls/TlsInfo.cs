using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace PSChat.Engine.Tls
{
    /// <summary>
    /// What a connection's TLS handshake settled: the version, the cipher, and the certificate the peer
    /// showed (a client's is what SASL EXTERNAL will authenticate; none when it sent none).
    /// </summary>
    internal sealed class TlsInfo
    {
        private TlsInfo(SslProtocols protocol, string cipher, X509Certificate2? remoteCertificate)
        {
            Protocol = protocol;
            Cipher = cipher;
            RemoteCertificate = remoteCertificate;
        }

        public SslProtocols Protocol { get; }

        public string Cipher { get; }

        public X509Certificate2? RemoteCertificate { get; }

        /// <summary>"TLS 1.3" and the like, for events and session properties.</summary>
        public string Version
        {
            get
            {
                switch ((int)Protocol)
                {
                    case 3072: return "TLS 1.2";
                    case 12288: return "TLS 1.3";
                    default: return Protocol.ToString();
                }
            }
        }

        public static TlsInfo Of(SslStream stream)
        {
            X509Certificate2? remote = null;
            if (stream.RemoteCertificate is X509Certificate certificate)
            {
                remote = certificate as X509Certificate2 ?? new X509Certificate2(certificate);
            }

            return new TlsInfo(stream.SslProtocol, stream.CipherAlgorithm.ToString(), remote);
        }
    }
}
