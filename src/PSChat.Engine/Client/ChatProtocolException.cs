using System;

namespace PSChat
{
    /// <summary>The server answered in a way the session cannot go on from (refused registration, bad password).</summary>
    public sealed class ChatProtocolException : Exception
    {
        public ChatProtocolException(string message)
            : base(message)
        {
        }
    }
}
