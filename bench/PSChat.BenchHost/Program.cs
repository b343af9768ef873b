using System;
using System.Net;
using PSChat;

// Starts one chat server on a free loopback port (flood control off, as for the other servers), prints "port <n>", and runs until stdin closes.
// Slow-consumer disconnects are counted and printed on exit, so the bench can report them.
var options = new ChatServerOptions
{
    Address = IPAddress.Loopback,
    Port = 0,
    Protocol = args.Length > 0 ? Enum.Parse<ChatProtocol>(args[0], ignoreCase: true) : ChatProtocol.Text,
    // Measured at full speed, like ngircd (MaxPenaltyTime = 0) and InspIRCd (fakelag="no").
    FloodControl = false,
};

int slowConsumers = 0;
using var server = ChatServer.Start(options, (_, e) =>
{
    if (e.Kind == ServerEventKind.Disconnected && e.Reason != null && e.Reason.StartsWith("send queue full", StringComparison.Ordinal))
    {
        System.Threading.Interlocked.Increment(ref slowConsumers);
    }
});
Console.Out.WriteLine("port " + server.Port);
Console.Out.Flush();
Console.In.ReadToEnd();
server.Stop();
Console.Out.WriteLine("slow-consumers " + slowConsumers);
