using System;
using System.Collections.Generic;
using PSChat.Engine.Irc;

namespace PSChat.Engine.Tests
{
    /// <summary>An IRC client for server tests: registers, reads parsed lines, skips to a numeric.</summary>
    internal sealed class IrcTestClient : IDisposable
    {
        private IrcTestClient(TestClient raw)
        {
            Raw = raw;
        }

        public TestClient Raw { get; }

        public static IrcTestClient Connect(ServerFixture fx) => new IrcTestClient(TestClient.Connect(fx.EndPoint));

        /// <summary>An IRC client on a connection made by the caller.</summary>
        public static IrcTestClient Wrap(TestClient raw) => new IrcTestClient(raw);

        /// <summary>Connects, registers as <paramref name="nick"/> (after CAP REQ when caps are given, with PASS when a password is) and reads through the welcome burst.</summary>
        public static IrcTestClient Register(ServerFixture fx, string nick, string? caps = null, string? password = null) =>
            Register(new IrcTestClient(TestClient.Connect(fx.EndPoint)), nick, caps, password);

        /// <summary>As <see cref="Register(ServerFixture, string, string?, string?)"/>, on a connection made by the caller.</summary>
        public static IrcTestClient Register(IrcTestClient client, string nick, string? caps = null, string? password = null)
        {
            if (password != null) client.Send("PASS " + password);
            if (caps != null)
            {
                client.Send("CAP LS 302");
                client.Expect("CAP");
                client.Send("CAP REQ :" + caps);
                Assert(client.Expect("CAP")[1] == "ACK", "caps refused");
            }

            client.Send($"NICK {nick}");
            client.Send($"USER {nick} 0 * :Real {nick}");
            if (caps != null) client.Send("CAP END");
            client.Expect("001");
            client.SkipTo("376", "422");
            return client;
        }

        /// <summary>Each client joins in turn; those already in see every later JOIN.</summary>
        public static void JoinAll(string channel, params IrcTestClient[] clients)
        {
            for (int i = 0; i < clients.Length; i++)
            {
                clients[i].Join(channel);
                for (int earlier = 0; earlier < i; earlier++) clients[earlier].Expect("JOIN");
            }
        }

        /// <summary>Joins and reads through the end of the names list.</summary>
        public void Join(string channel)
        {
            Send("JOIN " + channel);
            SkipTo("366");
        }

        public void Send(string line) => Raw.Write(line + "\r\n");

        /// <summary>The next line, parsed; its raw text (without CR LF) in <see cref="LastLine"/>.</summary>
        public IrcMessage Next(int timeoutMs = 5000)
        {
            string line = Raw.ReadLine(timeoutMs);
            if (!line.EndsWith("\r\n", StringComparison.Ordinal)) throw new InvalidOperationException("line without CR LF: " + line);
            LastLine = line.Substring(0, line.Length - 2);
            return IrcMessage.Parse(LastLine) ?? throw new InvalidOperationException("unparsable: " + line);
        }

        public string LastLine { get; private set; } = string.Empty;

        /// <summary>The next line, which must have this command; returns its parameters.</summary>
        public IReadOnlyList<string> Expect(string command)
        {
            var message = Next();
            if (message.Command != command) throw new InvalidOperationException($"expected {command}, got: {LastLine}");
            return message.Parameters;
        }

        /// <summary>Reads until one of the commands comes; returns it.</summary>
        public IrcMessage SkipTo(params string[] commands)
        {
            while (true)
            {
                var message = Next();
                if (Array.IndexOf(commands, message.Command) >= 0) return message;
            }
        }

        /// <summary>
        /// Proves that nothing else is on its way to this client: the server answers a PING in order,
        /// so its PONG must be the very next line (the IRC form of <see cref="TestClient.AssertNothingBefore"/>).
        /// </summary>
        public void AssertNothingPending()
        {
            const string token = "nothing-pending";
            Send("PING :" + token);
            var reply = Next();
            Assert(reply.Command == "PONG" && reply[1] == token, "expected the PONG to come next, got: " + LastLine);
        }

        /// <summary>The next line's raw text (without CR LF).</summary>
        public string NextLine()
        {
            Next();
            return LastLine;
        }

        public void Dispose() => Raw.Dispose();

        private static void Assert(bool condition, string what)
        {
            if (!condition) throw new InvalidOperationException(what);
        }
    }
}
