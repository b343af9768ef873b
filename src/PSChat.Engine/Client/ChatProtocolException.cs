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

    /// <summary>A message the session can tell will not be delivered: it is not in the room it would go to.</summary>
    public sealed class ChatTargetException : InvalidOperationException
    {
        public ChatTargetException(string message, string target)
            : base(message)
        {
            Target = target;
        }

        /// <summary>The room the message was for.</summary>
        public string Target { get; }
    }
}
