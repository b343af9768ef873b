using System;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using Xunit;

namespace PSChat.Engine.Tests
{
    /// <summary>A scripted IRC server for client tests: one connection, exact lines both ways.</summary>
    internal sealed class FakeIrcServer : IDisposable
    {
        private readonly TcpListener listener = new TcpListener(IPAddress.Loopback, 0);
        private readonly Task<TcpClient> accepting;
        private TestClient? client;

        public FakeIrcServer()
        {
            listener.Start();
            accepting = listener.AcceptTcpClientAsync();
        }

        public int Port => ((IPEndPoint)listener.LocalEndpoint).Port;

        public TestClient Client
        {
            get
            {
                if (client == null)
                {
                    Assert.True(accepting.Wait(5000), "the client did not connect");
                    client = TestClient.FromAccepted(accepting.Result);
                }

                return client;
            }
        }

        public ChatSessionOptions Options(string? name = "alice", ChatProtocol protocol = ChatProtocol.Irc, params string[] rooms) =>
            new ChatSessionOptions { Port = Port, Name = name, Protocol = protocol, Rooms = rooms, Timeout = TimeSpan.FromSeconds(5) };

        public Task<ChatSession> Connect(ChatSessionOptions options) => ChatSession.ConnectAsync(options, CancellationToken.None);

        /// <summary>Asserts the next line the client sent.</summary>
        public void Expect(string line) => Assert.Equal(line + "\r\n", Client.ReadLine());

        public void Send(string line) => Client.Write(line + "\r\n");

        /// <summary>The plain registration of 'alice' without capabilities, in one room, as most tests need it.</summary>
        public void AcceptRegistration(string nick = "alice", string room = "#lobby")
        {
            Expect("CAP LS 302");
            Expect("NICK " + nick);
            Expect("USER " + nick + " 0 * PSChat");
            Send(":irc.test CAP * LS :sasl");
            Expect("CAP END");
            Welcome(nick);
            AcceptJoin(nick, room);
        }

        /// <summary>A session given no rooms joins #lobby, where a PSChat server keeps its text clients.</summary>
        public void JoinLobby(string nick) => AcceptJoin(nick, "#lobby");

        public void AcceptJoin(string nick, string room)
        {
            Expect("JOIN " + room);
            Send(":" + nick + "!~" + nick + "@127.0.0.1 JOIN " + room);
            Send(":irc.test 366 " + nick + " " + room + " :End of /NAMES list");
        }

        public void Welcome(string nick)
        {
            Send(":irc.test 001 " + nick + " :Welcome to the test network " + nick);
            Send(":irc.test 005 " + nick + " CASEMAPPING=rfc1459 CHANTYPES=# PREFIX=(ov)@+ :are supported by this server");
            Send(":irc.test 422 " + nick + " :MOTD File is missing");
        }

        public void Dispose()
        {
            client?.Dispose();
            listener.Stop();
        }
    }
}
