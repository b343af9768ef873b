using System;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using PSChat.Engine.Client;
using PSChat.Engine.Framing;
using PSChat.Engine.Greeting;
using Xunit;

namespace PSChat.Engine.Tests
{
    public class GreetingTests
    {
        [Theory]
        [InlineData("hello {0}", "tom", nameof(LineTerminator.None), "hello tom")]
        [InlineData("Hello, {0}!", "tom", nameof(LineTerminator.Lf), "Hello, tom!\n")]
        [InlineData("{0}", "tom", nameof(LineTerminator.CrLf), "tom\r\n")]
        [InlineData("{{{0}}} and {0}", "tom", nameof(LineTerminator.None), "{tom} and tom")]
        [InlineData("no name", "tom", nameof(LineTerminator.None), "no name")]
        [InlineData("héllo {0}", "", nameof(LineTerminator.None), "héllo ")]
        public void ReplySplicesTheMessageIntoTheFormat(string format, string message, string terminatorName, string expected)
        {
            // By name: LineTerminator is internal, and a public test method cannot take it.
            var terminator = (LineTerminator)Enum.Parse(typeof(LineTerminator), terminatorName);
            byte[] bytes = Encoding.UTF8.GetBytes("[" + message + "]");
            byte[] reply = new ReplyTemplate(format).Render(bytes, 1, bytes.Length - 2, terminator);
            Assert.Equal(expected, Encoding.UTF8.GetString(reply));
        }

        [Fact]
        public void ReplyKeepsBytesThatAreNotUtf8()
        {
            byte[] reply = new ReplyTemplate("Hello, {0}!").Render(new byte[] { 0xFF, 0x00, 0xC3 }, 0, 3, LineTerminator.None);
            Assert.Equal(new byte[] { (byte)'H', (byte)'e', (byte)'l', (byte)'l', (byte)'o', (byte)',', (byte)' ', 0xFF, 0x00, 0xC3, (byte)'!' }, reply);
        }

        [Theory]
        [InlineData("hello {1}")]
        [InlineData("hello {0")]
        [InlineData("hello }")]
        public void ReplyFormatMustOnlyNameTheMessage(string format)
        {
            Assert.Throws<FormatException>(() => new ReplyTemplate(format));
        }

        [Fact]
        public async Task TextSessionTakesAnUnterminatedWelcomeThatCameWithTheConnection()
        {
            var server = GreetingServer.Start(new GreetingServerOptions { Port = 0 });
            try
            {
                // The welcome is often in the socket before the session's receive loop starts: a race, so try it often.
                for (int i = 0; i < 20; i++)
                {
                    var options = new ChatSessionOptions { Port = server.Port, Protocol = ChatProtocol.Text };
                    using var session = await ChatSession.ConnectAsync(options, CancellationToken.None);
                    Assert.Equal(TakeResult.Taken, session.Receive(TimeSpan.FromSeconds(2), CancellationToken.None, out var welcome));
                    Assert.Equal("welcome!", welcome!.Text);
                    session.Send("tom");
                    Assert.Equal(TakeResult.Taken, session.Receive(TimeSpan.FromSeconds(2), CancellationToken.None, out var reply));
                    Assert.Equal("hello tom", reply!.Text);
                }
            }
            finally
            {
                server.Stop();
            }
        }

        [Fact]
        public void BudgetRefusesASenderPastItsShareAndOnlyReportsOnce()
        {
            var budget = new SenderBudget(perSecond: 3, now: 0);
            var flooder = new IPEndPoint(IPAddress.Loopback, 1000);
            var other = new IPEndPoint(IPAddress.Loopback, 1001);
            bool first;
            for (int i = 0; i < 3; i++)
            {
                Assert.True(budget.TryCharge(flooder, 10, out first));
                Assert.False(first);
            }

            Assert.False(budget.TryCharge(flooder, 20, out first));
            Assert.True(first);
            Assert.False(budget.TryCharge(flooder, 30, out first));
            Assert.False(first);
            Assert.True(budget.TryCharge(other, 40, out _));
            Assert.Equal(2, budget.Senders);
        }

        [Fact]
        public async Task UdpServerRefusesAFlooderPastItsBudgetAndKeepsAnsweringOthers()
        {
            // The server counts each sender's datagrams per second of its own clock. With the default budget
            // (10000) the outcome would depend on this machine sending that many in one second; with a budget
            // of two, any three datagrams handled within a second are a flood, so the flooder just sends until
            // the server refuses it. The window itself is tested above with an injected clock. Each datagram
            // is answered or refused before the next goes, so no socket buffer overflows and drops the
            // other sender's datagram.
            var refused = new TaskCompletionSource<ServerEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
            var server = UdpGreetingServer.Start(
                new GreetingServerOptions { Port = 0, RepliesPerSecond = 2 },
                (_, e) => { if (e.Kind == ServerEventKind.Rejected) refused.TrySetResult(e); });
            try
            {
                using var flooder = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
                using var other = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
                byte[] flood = Encoding.UTF8.GetBytes("flood");
                var answered = flooder.ReceiveAsync();
                for (int sent = 0; !refused.Task.IsCompleted; sent++)
                {
                    Assert.True(sent < 1000, "the flooder was never refused");
                    flooder.Send(flood, flood.Length, server.EndPoint);
                    var outcome = await Task.WhenAny(answered, refused.Task, Task.Delay(TimeSpan.FromSeconds(5)));
                    Assert.True(outcome == answered || outcome == refused.Task, "a datagram was neither answered nor refused");
                    if (outcome == answered) answered = flooder.ReceiveAsync();
                }

                var refusal = await refused.Task;
                Assert.Equal(flooder.Client.LocalEndPoint!.ToString(), refusal.Client);
                Assert.Equal("more than 2 datagrams in a second; the rest of this second gets no reply", refusal.Reason);
                Assert.True(server.DatagramsDropped > 0);

                byte[] name = Encoding.UTF8.GetBytes("tom");
                other.Send(name, name.Length, server.EndPoint);
                var reply = other.ReceiveAsync();
                Assert.Same(reply, await Task.WhenAny(reply, Task.Delay(TimeSpan.FromSeconds(5))));
                Assert.Equal("Hello, tom!", Encoding.UTF8.GetString((await reply).Buffer));
            }
            finally
            {
                server.Stop();
            }
        }

        [Fact]
        public void BudgetStartsAfreshEverySecondAcrossTheTickCountWrap()
        {
            int start = int.MaxValue - 500;
            var budget = new SenderBudget(perSecond: 1, now: start);
            var sender = new IPEndPoint(IPAddress.Loopback, 1000);
            Assert.True(budget.TryCharge(sender, start, out _));
            Assert.False(budget.TryCharge(sender, start + 999, out _));
            Assert.True(budget.TryCharge(sender, unchecked(start + 1000), out _));
            Assert.Equal(1, budget.Senders);
        }

        [Fact]
        public void BudgetTableIsBoundedAndLateSendersShareOneBudget()
        {
            var budget = new SenderBudget(perSecond: 1, now: 0);
            // Every port of one address: as many senders as the table holds.
            for (int port = 0; port < SenderBudget.MaxSenders; port++)
            {
                Assert.True(budget.TryCharge(new IPEndPoint(IPAddress.Loopback, port), 1, out _));
            }

            Assert.True(budget.TryCharge(new IPEndPoint(IPAddress.Parse("10.0.0.1"), 1), 2, out _));
            Assert.False(budget.TryCharge(new IPEndPoint(IPAddress.Parse("10.0.0.2"), 1), 3, out bool first));
            Assert.True(first);
            Assert.Equal(SenderBudget.MaxSenders, budget.Senders);
        }
    }
}
