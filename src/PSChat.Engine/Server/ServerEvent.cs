using System;

namespace PSChat
{
    /// <summary>What a server reports about itself and its clients.</summary>
    public enum ServerEventKind
    {
        Started,
        Connected,
        Joined,
        Message,
        Renamed,
        Left,
        Disconnected,
        Rejected,
        Error,
        Stopped,

        /// <summary>A limit tripped for a client (flood control, reply bounds, ...): <see cref="ServerEvent.Limit"/> names it.</summary>
        Limited,
    }

    /// <summary>One server event, as written by <c>Start-ChatServer -Wait</c>.</summary>
    public sealed class ServerEvent : EventArgs
    {
        public ServerEvent(string server, ServerEventKind kind)
        {
            Server = server;
            Kind = kind;
            Time = DateTime.Now;
        }

        public DateTime Time { get; }

        public string Server { get; }

        public ServerEventKind Kind { get; }

        /// <summary>The client's address and port, e.g. 127.0.0.1:50123.</summary>
        public string? Client { get; set; }

        public string? Protocol { get; set; }

        public string? Name { get; set; }

        public string? Room { get; set; }

        public string? Text { get; set; }

        /// <summary>Why a client left, was refused or disconnected; what went wrong.</summary>
        public string? Reason { get; set; }

        /// <summary>
        /// The limit that tripped, by the Start-ChatServer parameter that sets it (e.g. MaxSendQueue,
        /// FloodControl, MaxClients), on Limited, Rejected and Disconnected events a limit caused.
        /// </summary>
        public string? Limit { get; set; }

        /// <summary>The account the client is logged in to (SASL, /login), when it is.</summary>
        public string? Account { get; set; }

        /// <summary>One line for a person, control characters shown by <see cref="SafeText"/> (the properties keep them).</summary>
        public override string ToString()
        {
            string who = Name ?? Client ?? string.Empty;
            string detail = Text ?? Reason ?? string.Empty;
            return SafeText.Render($"[{Time:HH:mm:ss}] {Kind} {who} {Room} {detail}".TrimEnd());
        }
    }
}
