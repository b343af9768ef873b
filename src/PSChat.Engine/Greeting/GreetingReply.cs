using System;
using System.Net;

namespace PSChat
{
    /// <summary>One answered UDP greeting, as Send-UdpGreeting writes it.</summary>
    public sealed class GreetingReply
    {
        public GreetingReply(string name, string reply, TimeSpan roundTripTime, IPEndPoint remoteEndPoint)
        {
            Name = name;
            Reply = reply;
            RoundTripTime = roundTripTime;
            RemoteEndPoint = remoteEndPoint;
        }

        /// <summary>What was sent.</summary>
        public string Name { get; }

        /// <summary>The server's answer (UTF-8; bytes that are not become U+FFFD).</summary>
        public string Reply { get; }

        /// <summary>From the last send of the name to its reply.</summary>
        public TimeSpan RoundTripTime { get; }

        public IPEndPoint RemoteEndPoint { get; }

        /// <summary>The reply as a person reads it, control characters shown by <see cref="SafeText"/> (Reply keeps them).</summary>
        public override string ToString() => SafeText.Render(Reply);
    }
}
