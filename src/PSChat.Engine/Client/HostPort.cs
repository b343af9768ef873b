namespace PSChat.Engine.Client
{
    /// <summary>"host:port" as people and URIs write it: an IPv6 literal in brackets ([::1]:9999), not ::1:9999.</summary>
    internal static class HostPort
    {
        public static string Format(string host, int port) =>
            host.IndexOf(':') >= 0 && !host.StartsWith("[", System.StringComparison.Ordinal)
                ? "[" + host + "]:" + port
                : host + ":" + port;
    }
}
