using System;
using System.Threading;
using System.Threading.Tasks;
using PSChat.Engine.Framing;

namespace PSChat.Engine.Client
{
    /// <summary>The protocol side of a <see cref="PSChat.ChatSession"/>: turns lines into messages and back.</summary>
    internal abstract class ClientProtocol
    {
        protected ClientProtocol(ChatSession session) => Session = session;

        public abstract ChatProtocol Name { get; }

        protected ChatSession Session { get; }

        /// <summary>Whether an unterminated line should be taken after the quiet time.</summary>
        public virtual bool UsesQuietTime => false;

        /// <summary>What <see cref="StartAsync"/> is still waiting for, when the server's answer is overdue (null: nothing of the protocol's own).</summary>
        public virtual string? Unfinished => null;

        /// <summary>Registration and joins; completes when the session is usable.</summary>
        public virtual Task StartAsync(CancellationToken cancel) => Task.FromResult(true);

        public abstract void OnLine(byte[] buffer, int offset, int count, LineTerminator terminator);

        /// <summary>Sends one line of text (no line ends) to a room, or privately when <paramref name="to"/> is set.</summary>
        public abstract void SendText(string? room, string? to, string text);

        /// <summary>Sends payload envelope <paramref name="id"/>: its chunks, then the one line a person sees.</summary>
        public virtual void SendEnvelope(string id, string summary, byte[]? payload, string? room, string? to, bool request, string? inReplyTo, string? errorCategory) =>
            throw new NotSupportedException($"The {Name} protocol cannot carry objects or requests; connect with -Protocol Irc.");

        /// <summary>Forgets incomplete payloads past their timeout, so a sender that goes quiet is reported too (the keepalive's tick calls it).</summary>
        public virtual void ExpirePayloads()
        {
        }

        public virtual void Join(string room, string? key) => throw new NotSupportedException($"The {Name} protocol has no rooms to join.");

        public virtual void Part(string room, string? reason) => throw new NotSupportedException($"The {Name} protocol has no rooms to leave.");

        /// <summary>Asks the server for another name (IRC NICK); the answer arrives as a message.</summary>
        public virtual void ChangeName(string name) => throw new NotSupportedException($"The {Name} protocol cannot change names; connect with -Protocol Irc.");

        /// <summary>Asks the server who is in a room (IRC NAMES); the answer arrives as messages.</summary>
        public virtual void RequestMembers(string room) => throw new NotSupportedException($"The {Name} protocol cannot list who is in a room; connect with -Protocol Irc.");

        /// <summary>Asks the server for any answer, to prove the link alive (IRC PING); protocols without one send nothing.</summary>
        public virtual void SendKeepAlive()
        {
        }

        /// <summary>Says goodbye in the protocol's own way before the connection closes.</summary>
        public virtual void Quit(string reason)
        {
        }
    }
}
