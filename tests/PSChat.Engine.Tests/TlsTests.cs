using System;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using PSChat.Engine.Client;
using PSChat.Engine.Tls;
using Xunit;

namespace PSChat.Engine.Tests
{
    /// <summary>TLS on the server's shared port, its limits, and the client's handshake and its diagnoses.</summary>
    public sealed class TlsTests
    {
        private static readonly Lazy<X509Certificate2> Localhost = new Lazy<X509Certificate2>(() =>
            SelfSignedCertificate.Create(new[] { "localhost", "127.0.0.1" }, DateTimeOffset.Now.AddMinutes(-5), DateTimeOffset.Now.AddDays(1)));

        private static ServerFixture TlsServer(Action<ChatServerOptions>? configure = null) => new ServerFixture(o =>
        {
            o.Protocol = ChatProtocol.Auto;
            o.Certificate = Localhost.Value;
            configure?.Invoke(o);
        });

        private static ChatSessionOptions SessionTo(ServerFixture fx, string name, ChatProtocol protocol = ChatProtocol.Irc) => new ChatSessionOptions
        {
            Port = fx.EndPoint.Port,
            Name = name,
            Protocol = protocol,
            UseTls = true,
            CertificateThumbprint = Localhost.Value.Thumbprint,
        };

        private static Task<ChatSession> Connect(ChatSessionOptions options) => ChatSession.ConnectAsync(options, CancellationToken.None);

        [Fact]
        public async Task TheWarmUpBuildsAClientHelloWithoutAPeer()
        {
            // The warm-up must reach the ClientHello (the slow first step) and must not hang or throw.
            await TlsWarmUp.EnsureAsync().WaitAsync(TimeSpan.FromSeconds(60));
            Assert.True(TlsWarmUp.BuiltHello);
            Assert.Same(TlsWarmUp.EnsureAsync(), TlsWarmUp.EnsureAsync());
        }

        [Fact]
        public void SelfSignedCertificateHasItsNamesAndAKeyForServing()
        {
            var certificate = Localhost.Value;
            Assert.True(certificate.HasPrivateKey);
            Assert.Equal("CN=localhost", certificate.Subject);
            Assert.Equal(certificate.Subject, certificate.Issuer);
            var san = certificate.Extensions.Cast<X509Extension>().Single(e => e.Oid!.Value == "2.5.29.17").Format(false);
            Assert.Contains("localhost", san);
            Assert.Contains("127.0.0.1", san);
            var usage = certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single();
            Assert.Equal("1.3.6.1.5.5.7.3.1", usage.EnhancedKeyUsages.Cast<System.Security.Cryptography.Oid>().Single().Value);
        }

        [Fact]
        public void TextOverTlsAndPlainTextShareThePort()
        {
            using var fx = TlsServer(o => o.Protocol = ChatProtocol.Text);
            using var plain = fx.Join();
            using var secure = TestClient.ConnectTls(fx.EndPoint);
            string local = secure.Socket.LocalEndPoint!.ToString()!;
            // A text-only server's member joins as it is made, before the Connected event.
            fx.WaitFor(ServerEventKind.Joined, e => e.Client == local);
            Assert.StartsWith("TLS 1.", fx.WaitFor(ServerEventKind.Connected, e => e.Client == local).Text);

            secure.Write("over tls\n");
            Assert.Equal("over tls\n", plain.ReadLine());
            plain.Write("in the clear\n");
            Assert.Equal("in the clear\n", secure.ReadLine());
        }

        [Fact]
        public void ASilentPlainClientIsStillAListenerOnATlsPort()
        {
            using var fx = TlsServer();
            using var listener = fx.Join();
            using var speaker = TestClient.ConnectTls(fx.EndPoint);

            speaker.Write("anyone there?\n");

            Assert.Equal("anyone there?\n", listener.ReadLine());
        }

        [Fact]
        public async Task IrcOverTlsAndPlainIrcTalk()
        {
            using var fx = TlsServer();
            using var secure = await Connect(SessionTo(fx, "alice"));
            using var plain = await Connect(new ChatSessionOptions { Port = fx.EndPoint.Port, Name = "bob", Protocol = ChatProtocol.Irc });
            Assert.StartsWith("TLS 1.", secure.TlsProtocol);
            Assert.Equal(Localhost.Value.Thumbprint, secure.ServerCertificate!.Thumbprint);
            Assert.Null(plain.TlsProtocol);

            plain.Send("hello alice", "#lobby");

            ChatMessage? message;
            do
            {
                Assert.Equal(TakeResult.Taken, secure.Receive(TimeSpan.FromSeconds(5), CancellationToken.None, out message));
            }
            while (message!.Kind != ChatMessageKind.Message);
            Assert.Equal("bob", message.Sender);
            Assert.Equal("hello alice", message.Text);
        }

        [Fact]
        public void TheServerSeesTheClientCertificate()
        {
            using var fx = TlsServer(o => o.Protocol = ChatProtocol.Text);
            var mine = SelfSignedCertificate.Create(new[] { "alice.example.test" }, DateTimeOffset.Now.AddMinutes(-5), DateTimeOffset.Now.AddDays(1));
            using var client = TestClient.ConnectTls(fx.EndPoint, mine);
            string local = client.Socket.LocalEndPoint!.ToString()!;
            fx.WaitFor(ServerEventKind.Joined, e => e.Client == local);

            var connection = fx.ConnectionOf(client);

            Assert.Equal(mine.Thumbprint, connection.Tls!.RemoteCertificate!.Thumbprint);
        }

        [Fact]
        public void AClientHelloAfterTheListenerJoinedEndsTheConnection()
        {
            using var fx = TlsServer(o => o.TlsDetectTimeout = TimeSpan.FromMilliseconds(100));
            using var late = fx.Join();
            late.Write(new byte[] { TlsRecord.Handshake, 0x03, 0x01, 0x00, 0x05, 0x01, 0x00, 0x00, 0x01, 0x03, (byte)'\n' });

            var gone = fx.WaitFor(ServerEventKind.Disconnected);

            Assert.Equal("a TLS handshake after the TLS detection time, when the client already counted as a plain listener", gone.Reason);
            Assert.True(late.WaitForClose());
            Assert.Equal(1, fx.Server.Limits.TlsHandshakeFailures);
        }

        [Fact]
        public void AHandshakeThatNeverCompletesIsDroppedAndCounted()
        {
            using var fx = TlsServer(o => o.TlsHandshakeTimeout = TimeSpan.FromMilliseconds(300));
            using var stalled = TestClient.Connect(fx.EndPoint);
            stalled.Write(new byte[] { TlsRecord.Handshake, 0x03, 0x01 });

            var rejected = fx.WaitFor(ServerEventKind.Rejected);

            Assert.Equal("TlsHandshakeTimeout", rejected.Limit);
            Assert.Equal(stalled.Socket.LocalEndPoint!.ToString(), rejected.Client);
            Assert.True(stalled.WaitForClose());
            Assert.Equal(1, fx.Server.Limits.TlsHandshakeFailures);
            Assert.Equal(0, fx.Server.ClientCount);
        }

        [Fact]
        public void AGarbledHandshakeFailsAndIsCounted()
        {
            using var fx = TlsServer();
            using var garbled = TestClient.Connect(fx.EndPoint);
            garbled.Write(new byte[] { TlsRecord.Handshake, 0x03, 0x01, 0x00, 0x05, 0xff, 0xff, 0xff, 0xff, 0xff });

            var rejected = fx.WaitFor(ServerEventKind.Rejected);

            Assert.StartsWith("TLS handshake failed", rejected.Reason);
            Assert.Null(rejected.Limit);
            Assert.True(garbled.WaitForClose());
            Assert.Equal(1, fx.Server.Limits.TlsHandshakeFailures);
        }

        [Theory]
        [InlineData("NICK bob\r\nUSER bob 0 * :Bob\r\n", "ERROR :Closing link: this port requires TLS; reconnect with TLS (Connect-ChatRoom -UseTls, or openssl s_client)\r\n")]
        [InlineData("hello\n", "*** error: this port requires TLS; reconnect with TLS (Connect-ChatRoom -UseTls, or openssl s_client)\n")]
        [InlineData("", "*** error: this port requires TLS; reconnect with TLS (Connect-ChatRoom -UseTls, or openssl s_client)\n")]
        public void RequireTlsRefusesPlainClientsInTheirOwnWords(string said, string refusal)
        {
            // A silent client is refused when the handshake time is up.
            using var fx = TlsServer(o =>
            {
                o.RequireTls = true;
                o.TlsHandshakeTimeout = TimeSpan.FromMilliseconds(500);
            });
            using var plain = TestClient.Connect(fx.EndPoint);
            if (said.Length > 0) plain.Write(said);

            Assert.Equal(refusal, plain.ReadLine());
            Assert.True(plain.WaitForClose());
            var rejected = fx.WaitFor(ServerEventKind.Rejected);
            Assert.Equal("RequireTls", rejected.Limit);
            Assert.Equal(1, fx.Server.Limits.RefusedPlain);
        }

        [Fact]
        public async Task RequireTlsStillServesTls()
        {
            using var fx = TlsServer(o => o.RequireTls = true);
            using var session = await Connect(SessionTo(fx, "alice"));
            Assert.Equal(SessionState.Connected, session.State);
            Assert.Equal(0, fx.Server.Limits.RefusedPlain);
        }

        [Fact]
        public void AClientHelloOnAPortWithoutTlsEndsTheConnectionWithoutAnswer()
        {
            using var fx = new ServerFixture(o => o.Protocol = ChatProtocol.Auto);
            using var client = TestClient.Connect(fx.EndPoint);
            client.Write(new byte[] { TlsRecord.Handshake, 0x03, 0x01, 0x00, 0x05, 0x01, 0x00, 0x00, 0x01, 0x03, (byte)'\n' });

            var gone = fx.WaitFor(ServerEventKind.Disconnected);

            Assert.Equal("a TLS handshake on a port without TLS (start the server with a certificate)", gone.Reason);
            Assert.Throws<EndOfStreamException>(() => client.ReadLine());
            Assert.Equal(1, fx.Server.Limits.TlsHandshakeFailures);
        }

        [Fact]
        public async Task TlsToAPlainPschatPortSaysThePortHasNoTls()
        {
            using var fx = new ServerFixture(o => o.Protocol = ChatProtocol.Auto);
            var options = SessionTo(fx, "alice");

            var error = await Assert.ThrowsAsync<ChatTlsException>(() => Connect(options));

            Assert.Equal(TlsFailure.ServerNotTls, error.Failure);
            Assert.Equal($"127.0.0.1:{fx.EndPoint.Port} closed the connection without answering the TLS handshake: the port does not speak TLS (a PSChat server started without -Certificate does this). Connect without -UseTls, or to the server's TLS port.", error.Message);
        }

        [Fact]
        public async Task TlsToAServerThatAnswersInPlainTextSaysSo()
        {
            using var server = new ScriptedServer(peer => peer.Write("welcome to the plain server\r\n"));
            var options = new ChatSessionOptions { Port = server.Port, UseTls = true, SkipCertificateCheck = true };

            var error = await Assert.ThrowsAsync<ChatTlsException>(() => Connect(options));

            Assert.Equal(TlsFailure.ServerNotTls, error.Failure);
            Assert.StartsWith($"127.0.0.1:{server.Port} answered the TLS handshake in plain text (\"welcome to the plain server\")", error.Message);
        }

        [Theory]
        [InlineData(ChatProtocol.Auto)]
        [InlineData(ChatProtocol.Irc)]
        public async Task PlainToAPortThatAnswersWithATlsAlertSaysToUseTls(ChatProtocol protocol)
        {
            // What a TLS server's library does with a plain client's first line: a protocol_version alert, then the end.
            using var server = new ScriptedServer(peer =>
            {
                peer.ReadLine();
                peer.Write(new byte[] { TlsRecord.Alert, 0x03, 0x03, 0x00, 0x02, 0x02, 70 });
            });
            var options = new ChatSessionOptions { Port = server.Port, Protocol = protocol, Name = "alice" };

            var error = await Assert.ThrowsAsync<ChatTlsException>(() => Connect(options));

            Assert.Equal(TlsFailure.ServerRequiresTls, error.Failure);
            Assert.StartsWith($"127.0.0.1:{server.Port} answered with TLS: it is a TLS port. Connect with -UseTls", error.Message);
        }

        [Fact]
        public async Task PlainToAPortThatClosesInSilenceHintsAtTls()
        {
            using var server = new ScriptedServer(peer => peer.ReadLine());
            var options = new ChatSessionOptions { Port = server.Port, Protocol = ChatProtocol.Irc, Name = "alice" };

            var error = await Assert.ThrowsAsync<ChatProtocolException>(() => Connect(options));

            Assert.StartsWith("The server closed the connection during IRC registration: ", error.Message);
            Assert.EndsWith($". It said nothing before it closed: if 127.0.0.1:{server.Port} is a TLS port, connect with -UseTls.", error.Message);
        }

        [Fact]
        public async Task PlainIrcToARequireTlsPortReportsTheServersReason()
        {
            using var fx = TlsServer(o => o.RequireTls = true);
            var options = new ChatSessionOptions { Port = fx.EndPoint.Port, Name = "alice" };

            var error = await Assert.ThrowsAsync<ChatProtocolException>(() => Connect(options));

            Assert.Equal("The server ended the connection: Closing link: this port requires TLS; reconnect with TLS (Connect-ChatRoom -UseTls, or openssl s_client)", error.Message);
        }

        [Fact]
        public async Task AnUntrustedSelfSignedCertificateIsRejectedWithWhatToDo()
        {
            using var fx = TlsServer();
            var options = SessionTo(fx, "alice");
            options.CertificateThumbprint = null;
            options.ComputerName = "localhost";

            var error = await Assert.ThrowsAsync<ChatTlsException>(() => Connect(options));

            Assert.Equal(TlsFailure.CertificateRejected, error.Failure);
            Assert.Equal($"The certificate of localhost:{fx.EndPoint.Port} was rejected: it is self-signed and this machine does not trust it (untrusted root). Trust the certificate (or its issuer) on this machine, pin it with -CertificateThumbprint {Localhost.Value.Thumbprint}, or, for a test, use -SkipCertificateCheck.", error.Message);
        }

        [Fact]
        public async Task ANameMismatchAndAnExpiryAreNamed()
        {
            var expired = SelfSignedCertificate.Create(new[] { "chat.example.test" }, DateTimeOffset.Now.AddDays(-10), DateTimeOffset.Now.AddDays(-1));
            using var fx = TlsServer(o => o.Certificate = expired);
            var options = SessionTo(fx, "alice");
            options.CertificateThumbprint = null;

            var error = await Assert.ThrowsAsync<ChatTlsException>(() => Connect(options));

            Assert.Equal(TlsFailure.CertificateRejected, error.Failure);
            Assert.Contains("chat.example.test, not to '127.0.0.1' (name mismatch)", error.Message);
            Assert.Contains($"it expired on {expired.NotAfter:yyyy-MM-dd HH:mm}", error.Message);
        }

        [Fact]
        public async Task AWrongPinIsRejectedAndSkipAcceptsAnything()
        {
            using var fx = TlsServer();
            var pinned = SessionTo(fx, "alice");
            pinned.CertificateThumbprint = new string('A', 40);
            var error = await Assert.ThrowsAsync<ChatTlsException>(() => Connect(pinned));
            Assert.Equal(TlsFailure.CertificateRejected, error.Failure);
            Assert.Contains($"thumbprint {Localhost.Value.Thumbprint}) is not the pinned one ({new string('A', 40)})", error.Message);

            var skipping = SessionTo(fx, "bob");
            skipping.CertificateThumbprint = null;
            skipping.SkipCertificateCheck = true;
            using var session = await Connect(skipping);
            Assert.Equal(SessionState.Connected, session.State);
        }

        [Fact]
        public async Task APinMayBeWrittenWithColonsAndLowerCase()
        {
            using var fx = TlsServer();
            var options = SessionTo(fx, "alice");
            string thumbprint = Localhost.Value.Thumbprint.ToLowerInvariant();
            options.CertificateThumbprint = string.Join(":", Enumerable.Range(0, thumbprint.Length / 2).Select(i => thumbprint.Substring(i * 2, 2)));

            using var session = await Connect(options);

            Assert.Equal(SessionState.Connected, session.State);
        }

        /// <summary>A one-connection server that runs a script on the accepted client, then closes it.</summary>
        private sealed class ScriptedServer : IDisposable
        {
            private readonly TcpListener listener = new TcpListener(IPAddress.Loopback, 0);

            public ScriptedServer(Action<TestClient> script)
            {
                listener.Start();
                _ = Task.Run(async () =>
                {
                    using var peer = TestClient.FromAccepted(await listener.AcceptTcpClientAsync());
                    script(peer);
                });
            }

            public int Port => ((IPEndPoint)listener.LocalEndpoint).Port;

            public void Dispose() => listener.Stop();
        }
    }
}
