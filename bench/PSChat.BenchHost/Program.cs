using System;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using PSChat;

// Starts one chat server on a free loopback port (flood control off, as for the other servers), prints "port <n>", and runs until stdin closes.
// Arguments: the protocol (Irc, Text, Auto), then any of "tls" (serve TLS too, with a throwaway self-signed
// certificate), "nohistory" (rooms keep no history: -HistorySize 0, the baseline history is measured against)
// and "datapath" (history also written to SQLite, -DataPath, in a fresh temporary folder deleted on exit).
// Slow-consumer disconnects are counted and printed on exit, so the bench can report them.
string? dataPath = Array.IndexOf(args, "datapath", 1) > 0
    ? System.IO.Path.Combine(System.IO.Path.GetTempPath(), "pschat-bench-" + Guid.NewGuid().ToString("N"))
    : null;
var options = new ChatServerOptions
{
    Address = IPAddress.Loopback,
    Port = 0,
    Protocol = args.Length > 0 ? Enum.Parse<ChatProtocol>(args[0], ignoreCase: true) : ChatProtocol.Text,
    // Measured at full speed, like ngircd (MaxPenaltyTime = 0) and InspIRCd (fakelag="no").
    FloodControl = false,
    Certificate = Array.IndexOf(args, "tls", 1) > 0 ? ThrowawayCertificate() : null,
    HistorySize = Array.IndexOf(args, "nohistory", 1) > 0 ? 0 : new ChatServerOptions().HistorySize,
    DataPath = dataPath,
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
if (dataPath != null) System.IO.Directory.Delete(dataPath, recursive: true);

// The same kind of certificate New-ChatCertificate makes (RSA 2048, SHA-256), loaded from PFX as a server's is.
static X509Certificate2 ThrowawayCertificate()
{
    using var key = RSA.Create(2048);
    var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
    using var ephemeral = request.CreateSelfSigned(DateTimeOffset.Now.AddMinutes(-5), DateTimeOffset.Now.AddDays(1));
    return X509CertificateLoader.LoadPkcs12(ephemeral.Export(X509ContentType.Pfx), null);
}
