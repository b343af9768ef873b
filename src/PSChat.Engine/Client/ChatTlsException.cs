using System;

namespace PSChat
{
    /// <summary>Why a TLS connection (or a plain one to a TLS port) did not come about.</summary>
    public enum TlsFailure
    {
        /// <summary>The server's certificate was not accepted (name mismatch, untrusted, expired, not the pinned one).</summary>
        CertificateRejected,

        /// <summary>TLS was asked for, but the port answered in plain text or closed without a handshake.</summary>
        ServerNotTls,

        /// <summary>A plain connection reached a port that speaks TLS (it answered with a TLS record, or refused plain clients).</summary>
        ServerRequiresTls,

        /// <summary>The handshake failed for another reason (no common protocol version, an alert from the server).</summary>
        HandshakeFailed,
    }

    /// <summary>A TLS failure of Connect-ChatRoom, with what failed and how to proceed in the message.</summary>
    public sealed class ChatTlsException : Exception
    {
        public ChatTlsException(TlsFailure failure, string message, Exception? inner = null)
            : base(message, inner)
        {
            Failure = failure;
        }

        public TlsFailure Failure { get; }
    }
}
