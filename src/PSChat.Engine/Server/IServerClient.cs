using PSChat.Engine.Rooms;
using PSChat.Engine.Transport;

namespace PSChat.Engine.Server
{
    /// <summary>The protocol side of one accepted connection, as the server sees it.</summary>
    internal interface IServerClient : ILineConnectionHandler, IFloodListener
    {
        LineConnection Connection { get; }

        /// <summary>Tells the client the server is going away (in its protocol), then closes.</summary>
        void Shutdown(string reason);

        /// <summary>Called by the server's timer with a reading of its clock: acts on whatever deadline has passed. Must not block.</summary>
        void CheckDeadlines(long nowTicks);
    }

    /// <summary>A protocol the chat server can speak besides plain text (IRC).</summary>
    internal interface IServerProtocol
    {
        /// <summary>The protocol's name, as in <see cref="PSChat.ChatProtocol"/>.</summary>
        string Name { get; }

        /// <summary>True when a client's first line belongs to this protocol.</summary>
        bool RecognizesFirstLine(byte[] buffer, int offset, int count);

        /// <summary>Whether this protocol can carry the name as a nick (the server gives out only names all its protocols can).</summary>
        bool IsValidNick(string nick);

        /// <summary>Why this protocol's rules for <paramref name="room"/> (e.g. IRC's +i +k +l) keep <paramref name="member"/> of another protocol out; null when they do not.</summary>
        string? RefusesEntry(ChatRoom room, ChatMember member);

        /// <summary>Why this protocol's rules for <paramref name="room"/> (e.g. IRC's +m) silence <paramref name="member"/> of another protocol; null when they do not.</summary>
        string? RefusesSpeech(ChatRoom room, ChatMember member);

        /// <summary>Takes over a connection; the caller then feeds it the first line.</summary>
        IServerClient Accept(PSChat.ChatServer server, LineConnection connection);
    }
}
