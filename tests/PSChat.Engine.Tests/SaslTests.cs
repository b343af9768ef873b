using System;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using PSChat.Engine.Accounts;
using PSChat.Engine.Client;
using PSChat.Engine.Timing;
using PSChat.Engine.Tls;
using Xunit;

namespace PSChat.Engine.Tests
{
    /// <summary>Accounts on the server: IRCv3 sasl (PLAIN, EXTERNAL), account-tag, account-notify, extended-join, -RequireAccount, reserved nicks, a text client's /login.</summary>
    public sealed class SaslTests : IDisposable
    {
        private static readonly Lazy<X509Certificate2> ServerCertificate = new Lazy<X509Certificate2>(() =>
            SelfSignedCertificate.Create(new[] { "localhost", "127.0.0.1" }, DateTimeOffset.Now.AddMinutes(-5), DateTimeOffset.Now.AddDays(1)));

        private readonly string folder = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "pschat-sasl-" + Guid.NewGuid().ToString("N"))).FullName;
        private readonly AccountFile store;

        public SaslTests()
        {
            store = AccountFile.Open(Path.Combine(folder, "accounts.txt"));
            store.Save(ChatAccount.Create("jilles", Secret.Of("sesame"), new string[0]));
        }

        public void Dispose() => Directory.Delete(folder, recursive: true);

        /// <summary>A server with the account store; failed logins answered at once unless a test sets a delay.</summary>
        private ServerFixture Server(Action<ChatServerOptions>? configure = null) => IrcBasicsTests.Irc(o =>
        {
            o.Accounts = store;
            o.LoginFailureDelay = TimeSpan.Zero;
            o.DetectTimeout = TimeSpan.FromMilliseconds(50);
            configure?.Invoke(o);
        });

        private static string Plain(string account, string password, string authzid = "") =>
            Convert.ToBase64String(Encoding.UTF8.GetBytes(authzid + "\0" + account + "\0" + password));

        /// <summary>CAP REQ sasl (and <paramref name="caps"/>), NICK, USER, AUTHENTICATE PLAIN; the client is left before the answer.</summary>
        private static IrcTestClient StartPlain(IrcTestClient c, string nick, string account, string password, string? caps = null)
        {
            c.Send("CAP LS 302");
            c.Expect("CAP");
            c.Send("CAP REQ :sasl" + (caps == null ? string.Empty : " " + caps));
            Assert.Equal("ACK", c.Expect("CAP")[1]);
            c.Send("NICK " + nick);
            c.Send($"USER {nick} 0 * :Real {nick}");
            c.Send("AUTHENTICATE PLAIN");
            Assert.Equal(":irc.test AUTHENTICATE +", c.NextLine());
            c.Send("AUTHENTICATE " + Plain(account, password));
            return c;
        }

        private static IrcTestClient LoggedIn(ServerFixture fx, string nick, string? caps = null)
        {
            var c = StartPlain(IrcTestClient.Connect(fx), nick, "jilles", "sesame", caps);
            Assert.Equal($":irc.test 900 {nick} {nick}!{nick}@127.0.0.1 jilles :You are now logged in as jilles", c.NextLine());
            Assert.Equal($":irc.test 903 {nick} :SASL authentication successful", c.NextLine());
            c.Send("CAP END");
            c.Expect("001");
            c.SkipTo("376", "422");
            return c;
        }

        [Fact]
        public void SaslAndTheAccountCapabilitiesAreOfferedOnlyWithAnAccountStore()
        {
            string plain = CapLs(IrcBasicsTests.Irc());
            Assert.DoesNotContain("sasl", plain);
            Assert.DoesNotContain("sts", plain);

            Assert.Equal(plain + " sasl=PLAIN,EXTERNAL account-tag account-notify extended-join", CapLs(Server()));
            var tls = IrcBasicsTests.Irc(o => o.Certificate = ServerCertificate.Value);
            Assert.Equal(plain + $" sts=port={tls.EndPoint.Port},duration=300", CapLs(tls));
        }

        /// <summary>The capabilities a CAP LS 302 lists (one line: fewer than 512 bytes of them).</summary>
        private static string CapLs(ServerFixture fx)
        {
            using (fx)
            using (var c = IrcTestClient.Connect(fx))
            {
                c.Send("CAP LS 302");
                var reply = c.Next();
                Assert.Equal("LS", reply[1]);
                return reply[2]!;
            }
        }

        [Fact]
        public void PlainLogsInAndOthersSeeTheAccount()
        {
            using var fx = Server();
            using var watcher = IrcTestClient.Register(fx, "foo", "account-tag extended-join");
            watcher.Join("#chan");
            using var bar = LoggedIn(fx, "bar");

            bar.Join("#chan");
            Assert.Equal("@account=jilles :bar!bar@127.0.0.1 JOIN #chan jilles :Real bar", watcher.NextLine());
            bar.Send("PRIVMSG #chan :hi");
            Assert.Equal("@account=jilles :bar!bar@127.0.0.1 PRIVMSG #chan hi", watcher.NextLine());
            watcher.Send("WHOIS bar");
            watcher.SkipTo("330");
            Assert.Equal(":irc.test 330 foo bar jilles :is logged in as", watcher.LastLine);
            watcher.SkipTo("318");
            Assert.Equal("jilles", fx.WaitFor(ServerEventKind.Message).Account);
            bar.Join("#elsewhere");
            bar.Send("INVITE foo #elsewhere");
            Assert.Equal("@account=jilles :bar!bar@127.0.0.1 INVITE foo #elsewhere", watcher.NextLine());

            // A member without an account joins plainly, and its lines carry no account tag.
            using var plain = IrcTestClient.Register(fx, "baz");
            plain.Join("#chan");
            Assert.Equal(":baz!baz@127.0.0.1 JOIN #chan * :Real baz", watcher.NextLine());
        }

        [Fact]
        public void AWrongPasswordIs904AndCountsAsAFailedLogin()
        {
            using var fx = Server();
            using var c = StartPlain(IrcTestClient.Connect(fx), "bar", "jilles", "wrong");

            Assert.Equal(":irc.test 904 bar :SASL authentication failed", c.NextLine());
            Assert.Equal("SASL PLAIN login failed (1 in a row from 127.0.0.1)", fx.WaitFor(ServerEventKind.Rejected).Reason);
            Assert.Equal(1, fx.Server.Limits.FailedLogins);
            c.Send("AUTHENTICATE PLAIN");
            c.Expect("AUTHENTICATE");
            c.Send("AUTHENTICATE " + Plain("nobody", "sesame"));
            Assert.Equal(":irc.test 904 bar :SASL authentication failed", c.NextLine());
        }

        /// <summary>The throttle's delay holds the 904 back; lines sent meanwhile wait and run after it, in order.</summary>
        [Fact]
        public void AFailedLoginsAnswerWaitsTheThrottleDelayAndLaterLinesWaitBehindIt()
        {
            var clock = new ManualClock();
            using var fx = Server(o =>
            {
                o.Clock = clock;
                o.LoginFailureDelay = TimeSpan.FromSeconds(2);
                o.PingInterval = TimeSpan.FromDays(1);
                o.RegistrationTimeout = TimeSpan.FromDays(1);
            });
            using var c = StartPlain(IrcTestClient.Connect(fx), "bar", "jilles", "wrong");
            fx.WaitFor(ServerEventKind.Rejected);
            c.Send("PING :after");

            clock.Advance(TimeSpan.FromSeconds(2));

            Assert.Equal(":irc.test 904 bar :SASL authentication failed", c.NextLine());
            Assert.Equal(":irc.test PONG irc.test after", c.NextLine());
        }

        [Fact]
        public void ChunksAbortsAndRepeatsFollowTheSaslSpec()
        {
            using var fx = Server();
            string longPassword = new string('p', 400);
            store.Save(ChatAccount.Create("longpw", Secret.Of(longPassword), new string[0]));
            using var c = IrcTestClient.Connect(fx);
            c.Send("NICK bar");

            c.Send("AUTHENTICATE SCRAM-SHA-256");
            Assert.Equal(":irc.test 908 bar PLAIN,EXTERNAL :are available SASL mechanisms", c.NextLine());
            Assert.Equal(":irc.test 904 bar :SASL authentication failed", c.NextLine());
            c.Send("AUTHENTICATE EXTERNAL");
            Assert.StartsWith(":irc.test 904 bar :SASL authentication failed: EXTERNAL needs", c.NextLine());

            c.Send("AUTHENTICATE PLAIN");
            c.Expect("AUTHENTICATE");
            c.Send("AUTHENTICATE *");
            Assert.Equal(":irc.test 906 bar :SASL authentication aborted", c.NextLine());

            c.Send("AUTHENTICATE PLAIN");
            c.Expect("AUTHENTICATE");
            c.Send("AUTHENTICATE " + new string('A', 401));
            Assert.Equal(":irc.test 905 bar :SASL message too long", c.NextLine());

            // 400 characters mean more follows; the rest (or '+') ends the message.
            string payload = Plain("longpw", longPassword);
            Assert.True(payload.Length > 400 && payload.Length < 800);
            c.Send("AUTHENTICATE PLAIN");
            c.Expect("AUTHENTICATE");
            c.Send("AUTHENTICATE " + payload.Substring(0, 400));
            c.Send("AUTHENTICATE " + payload.Substring(400));
            Assert.Equal("900", c.Next().Command);
            Assert.Equal("903", c.Next().Command);
            c.Send("AUTHENTICATE PLAIN");
            Assert.Equal(":irc.test 907 bar :You have already authenticated using SASL", c.NextLine());
        }

        [Fact]
        public void CapEndDuringAnExchangeAbortsIt()
        {
            using var fx = Server();
            using var c = IrcTestClient.Connect(fx);
            c.Send("CAP LS 302");
            c.Expect("CAP");
            c.Send("NICK bar");
            c.Send("USER bar 0 * :bar");
            c.Send("AUTHENTICATE PLAIN");
            c.Expect("AUTHENTICATE");
            c.Send("CAP END");
            Assert.Equal(":irc.test 906 bar :SASL authentication aborted", c.NextLine());
            Assert.Equal("001", c.Next().Command);
        }

        [Fact]
        public void RequireAccountRefusesAClientThatDidNotLogIn()
        {
            using var fx = Server(o => o.RequireAccount = true);
            using var c = IrcTestClient.Connect(fx);
            c.Send("NICK bar");
            c.Send("USER bar 0 * :bar");

            Assert.Equal(":irc.test 904 bar :This server requires an account: log in with SASL before registering (Connect-ChatRoom -Credential)", c.NextLine());
            Assert.StartsWith("ERROR :Closing Link: 127.0.0.1 (This server requires an account", c.NextLine());
            Assert.Equal(nameof(ChatServerOptions.RequireAccount), fx.WaitFor(ServerEventKind.Rejected).Limit);
            using var ok = LoggedIn(fx, "bar");
        }

        [Fact]
        public void AnAccountsNameIsANickOnlyItsOwnerMayUse()
        {
            using var fx = Server();
            using var c = IrcTestClient.Connect(fx);
            c.Send("NICK JILLES");
            c.Send("USER x 0 * :x");
            Assert.Equal(":irc.test 433 * JILLES :Nickname is reserved for the account jilles; log in to it with SASL to use it", c.NextLine());
            c.Send("NICK other");
            c.Expect("001");
            c.SkipTo("376", "422");
            c.Send("NICK jilles");
            Assert.Equal(":irc.test 433 other jilles :Nickname is reserved for the account jilles; log in to it with SASL to use it", c.NextLine());

            using var owner = LoggedIn(fx, "jilles");
            owner.Send("NICK Jilles");
            Assert.Equal(":jilles!jilles@127.0.0.1 NICK Jilles", owner.NextLine());
        }

        [Fact]
        public void AccountNotifyTellsChannelNeighboursOfALoginAfterRegistration()
        {
            using var fx = Server();
            using var watcher = IrcTestClient.Register(fx, "foo", "account-notify");
            using var bar = IrcTestClient.Register(fx, "bar");
            IrcTestClient.JoinAll("#chan", watcher, bar);

            bar.Send("AUTHENTICATE PLAIN");
            bar.Expect("AUTHENTICATE");
            bar.Send("AUTHENTICATE " + Plain("jilles", "sesame"));
            Assert.Equal("900", bar.Next().Command);

            Assert.Equal(":bar!bar@127.0.0.1 ACCOUNT jilles", watcher.NextLine());
        }

        [Fact]
        public void ExternalLogsInWithABoundClientCertificate()
        {
            using var certificate = ClientCertificate("bot");
            store.Save(ChatAccount.Create("botacct", null, new[] { ChatAccount.FingerprintOf(certificate) }));
            using var fx = Server(o =>
            {
                o.Certificate = ServerCertificate.Value;
                // A client with a certificate may build its chain before its ClientHello: on a loaded
                // machine that can pass the 1 s after which a silent client counts as a plain listener.
                o.TlsDetectTimeout = TimeSpan.FromSeconds(30);
            });
            using var c = IrcTestClient.Wrap(TestClient.ConnectTls(fx.EndPoint, certificate));
            c.Send("NICK bot");
            c.Send("AUTHENTICATE EXTERNAL");
            c.Expect("AUTHENTICATE");
            c.Send("AUTHENTICATE +");

            Assert.Equal(":irc.test 900 bot bot!*@127.0.0.1 botacct :You are now logged in as botacct", c.NextLine());
            Assert.Equal("903", c.Next().Command);

            using var other = ClientCertificate("stranger");
            using var d = IrcTestClient.Wrap(TestClient.ConnectTls(fx.EndPoint, other));
            d.Send("NICK stranger");
            d.Send("AUTHENTICATE EXTERNAL");
            d.Expect("AUTHENTICATE");
            d.Send("AUTHENTICATE +");
            Assert.Equal("904", d.Next().Command);
        }

        [Fact]
        public void ATextClientLogsInWithItsFirstLineAndTakesItsAccountsName()
        {
            using var fx = Server(o => o.RequireAccount = true);
            using var lurker = LoggedIn(fx, "lurker");
            lurker.Join("#lobby");

            using var text = TestClient.Connect(fx.EndPoint);
            text.Write("/login jilles wrong\n");
            Assert.Equal("*** error: login failed: wrong name or password\n", text.ReadLine());
            text.Write("/login jilles sesame\n");
            text.Write("hello\n");
            Assert.Equal("*** logged in as jilles\n", text.ReadLine());

            Assert.Equal(":jilles!text@127.0.0.1 JOIN #lobby", lurker.NextLine());
            Assert.Equal(":jilles!text@127.0.0.1 PRIVMSG #lobby hello", lurker.NextLine());

            using var refused = TestClient.Connect(fx.EndPoint);
            refused.Write("hi\n");
            Assert.Equal("*** error: this server requires an account; send /login <name> <password> as the first line (over TLS)\n", refused.ReadLine());
            Assert.True(refused.WaitForClose());
        }

        private static ChatSessionOptions Session(ServerFixture fx, string name, string account, string password) => new ChatSessionOptions
        {
            Port = fx.EndPoint.Port,
            Name = name,
            Protocol = ChatProtocol.Irc,
            Credential = new System.Net.NetworkCredential(account, password),
        };

        private static ChatMessage NextOfKind(ChatSession session, ChatMessageKind kind)
        {
            while (true)
            {
                Assert.Equal(TakeResult.Taken, session.Receive(TimeSpan.FromSeconds(5), CancellationToken.None, out var message));
                if (message!.Kind == kind) return message;
            }
        }

        [Fact]
        public async Task TheClientLogsInWithPlainAndSeesWhoseAccountAMessageCameFrom()
        {
            using var fx = Server(o => o.RequireAccount = true);
            using var bot = await ChatSession.ConnectAsync(Session(fx, "bot", "jilles", "sesame"), CancellationToken.None);
            using var peer = LoggedIn(fx, "peer");
            peer.Join("#lobby");
            peer.Send("PRIVMSG #lobby :trust me");

            var message = NextOfKind(bot, ChatMessageKind.Message);
            Assert.Equal("trust me", message.Text);
            Assert.Equal("jilles", message.Account);
            Assert.Equal("jilles", fx.WaitFor(ServerEventKind.Joined, e => e.Name == "bot").Account);
        }

        [Fact]
        public async Task AWrongPasswordFailsTheConnectionWithTheServersReason()
        {
            using var fx = Server();
            var error = await Assert.ThrowsAsync<ChatProtocolException>(() => ChatSession.ConnectAsync(Session(fx, "bot", "jilles", "nope"), CancellationToken.None));
            Assert.Equal("The server refused the login as 'jilles' (SASL PLAIN) (904: SASL authentication failed).", error.Message);

            using var plain = IrcBasicsTests.Irc();
            var none = await Assert.ThrowsAsync<ChatProtocolException>(() => ChatSession.ConnectAsync(Session(plain, "bot", "jilles", "sesame"), CancellationToken.None));
            Assert.StartsWith("The server does not offer SASL", none.Message);
        }

        [Fact]
        public void APasswordIsNotSentInClearToAnotherMachine()
        {
            var options = new ChatSessionOptions { ComputerName = "chat.example.test", Credential = new System.Net.NetworkCredential("a", "b") };
            Assert.StartsWith("-Credential over plain TCP to chat.example.test would send the password in clear", ChatSession.CredentialRefusal(options));
            options.UseTls = true;
            Assert.Null(ChatSession.CredentialRefusal(options));
            options.UseTls = false;
            options.AllowUnencryptedAuthentication = true;
            Assert.Null(ChatSession.CredentialRefusal(options));
            Assert.Null(ChatSession.CredentialRefusal(new ChatSessionOptions { ComputerName = "::1", Credential = options.Credential }));
        }

        [Fact]
        public async Task TheClientLogsInWithExternalAndAgainAfterAReconnect()
        {
            using var certificate = ClientCertificate("bot");
            store.Save(ChatAccount.Create("botacct", null, new[] { ChatAccount.FingerprintOf(certificate) }));
            using var fx = Server(o =>
            {
                o.Certificate = ServerCertificate.Value;
                o.TlsDetectTimeout = TimeSpan.FromSeconds(30);
                o.RequireAccount = true;
            });
            var options = new ChatSessionOptions
            {
                Port = fx.EndPoint.Port,
                Name = "bot",
                Protocol = ChatProtocol.Irc,
                UseTls = true,
                CertificateThumbprint = ServerCertificate.Value.Thumbprint,
                ClientCertificate = certificate,
                Reconnect = true,
                ReconnectDelay = TimeSpan.FromMilliseconds(20),
            };
            using var bot = await ChatSession.ConnectAsync(options, CancellationToken.None);
            Assert.Equal("botacct", fx.WaitFor(ServerEventKind.Joined, e => e.Name == "bot").Account);

            fx.ConnectionOf(bot).Abort("dropped by the test");

            Assert.Equal("botacct", fx.WaitFor(ServerEventKind.Joined, e => e.Name == "bot").Account);
        }

        private static X509Certificate2 ClientCertificate(string name)
        {
            using var key = RSA.Create(2048);
            var request = new CertificateRequest("CN=" + name, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(new OidCollection { new Oid("1.3.6.1.5.5.7.3.2") }, false));
            using var made = request.CreateSelfSigned(DateTimeOffset.Now.AddMinutes(-5), DateTimeOffset.Now.AddDays(1));
            return X509CertificateLoader.LoadPkcs12(made.Export(X509ContentType.Pfx), null);
        }
    }
}
