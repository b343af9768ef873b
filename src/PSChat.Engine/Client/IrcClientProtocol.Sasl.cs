using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using PSChat.Engine.Irc;

namespace PSChat.Engine.Client
{
    /// <summary>
    /// Logging in with IRCv3 SASL while registering: PLAIN with <see cref="ChatSessionOptions.Credential"/>,
    /// EXTERNAL with <see cref="ChatSessionOptions.ClientCertificate"/> (shown in the TLS handshake).
    /// CAP END waits for the answer; a refusal fails the connection with the server's reason, so a bot
    /// never runs unauthenticated by mistake. A reconnect registers afresh, so it logs in again.
    /// </summary>
    internal sealed partial class IrcClientProtocol
    {
        /// <summary>The longest AUTHENTICATE argument; one this long means more follows.</summary>
        private const int SaslChunk = 400;

        /// <summary>The mechanism of the exchange under way, or null.</summary>
        private string? saslMechanism;

        private bool WantsSasl => Session.Options.Credential != null || Session.Options.ClientCertificate != null;

        private IEnumerable<string> SaslCapability => WantsSasl ? new[] { "sasl" } : Enumerable.Empty<string>();

        /// <summary>After CAP LS: false (and the connection fails) when a login was asked for and the server offers no SASL.</summary>
        private bool SaslPossible()
        {
            if (!WantsSasl || offeredCapabilities.Contains("sasl", StringComparer.OrdinalIgnoreCase)) return true;
            Fail("The server does not offer SASL (no 'sasl' in CAP LS), so the session cannot log in to an account. Connect without -Credential and -ClientCertificate, or to a server with accounts (Start-ChatServer -AccountStore).");
            return false;
        }

        /// <summary>After CAP ACK: starts the exchange when one was asked for; true when it did (CAP END waits).</summary>
        private bool StartSasl()
        {
            if (!WantsSasl || saslMechanism != null) return false;
            lock (EnabledCapabilities)
            {
                if (!EnabledCapabilities.Contains("sasl")) return false;
            }

            saslMechanism = Session.Options.ClientCertificate != null ? "EXTERNAL" : "PLAIN";
            Reply(new IrcMessage("AUTHENTICATE", saslMechanism));
            return true;
        }

        /// <summary>A NAK of a request that held sasl: the login cannot happen, so the connection fails.</summary>
        private bool SaslRefusedCapability()
        {
            if (!WantsSasl) return false;
            Fail("The server refused the 'sasl' capability, so the session cannot log in to an account.");
            return true;
        }

        /// <summary>"AUTHENTICATE +": the server waits for our message, sent in chunks of 400 characters.</summary>
        private void OnAuthenticate(IrcMessage message)
        {
            if (saslMechanism == null || message[0] != "+") return;
            string payload = "+";
            var credential = Session.Options.Credential;
            if (saslMechanism == "PLAIN" && credential != null)
            {
                byte[] bytes = Encoding.UTF8.GetBytes("\0" + credential.UserName + "\0" + credential.Password);
                payload = Convert.ToBase64String(bytes);
                Array.Clear(bytes, 0, bytes.Length);
            }

            for (int start = 0; start < payload.Length; start += SaslChunk)
            {
                Reply(new IrcMessage("AUTHENTICATE", payload.Substring(start, Math.Min(SaslChunk, payload.Length - start))));
            }

            if (payload.Length % SaslChunk == 0) Reply(new IrcMessage("AUTHENTICATE", "+"));
        }

        /// <summary>SASL numerics: 903 ends registration's wait (CAP END); 904-908 fail it with the server's words. True when handled quietly.</summary>
        private bool OnSaslNumeric(IrcMessage message)
        {
            string code = message.Command;
            switch (code)
            {
                case "900":
                    return phase == Phase.Registering;
                case "903":
                case "907":
                    if (saslMechanism == null || phase != Phase.Registering) return false;
                    saslMechanism = null;
                    Reply(new IrcMessage("CAP", "END"));
                    return true;
                default:
                    if (saslMechanism == null) return false;
                    string who = Session.Options.ClientCertificate != null
                        ? $"with the certificate '{Session.Options.ClientCertificate.Subject}' (SASL EXTERNAL)"
                        : $"as '{Session.Options.Credential?.UserName}' (SASL PLAIN)";
                    saslMechanism = null;
                    Fail($"The server refused the login {who} ({code}: {message[message.Parameters.Count - 1]}).");
                    return false;
            }
        }
    }
}
