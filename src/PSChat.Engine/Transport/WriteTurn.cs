using System;

namespace PSChat.Engine.Transport
{
    /// <summary>
    /// A turn of reads on one thread (an epoll loop's turn, or one read of a stream driver) during which
    /// writers claimed by the lines it carries wait for the end of the turn: many lines cut from one
    /// read reach each recipient in one system call. The one place a claimed writer is started from
    /// when a turn is running; <see cref="LineConnection"/> starts it itself otherwise.
    /// </summary>
    internal abstract class WriteTurn
    {
        [ThreadStatic]
        private static WriteTurn? current;

        /// <summary>The turn running on this thread, if any.</summary>
        public static WriteTurn? Current => current;

        /// <summary>Starts the connection's claimed writer at the end of this turn.</summary>
        public abstract void WriteAtEnd(LineConnection connection);

        /// <summary>Ends the connection's write delay number <paramref name="delay"/> after <paramref name="wait"/> (more than zero).</summary>
        public abstract void WriteAfter(LineConnection connection, TimeSpan wait, long delay);

        /// <summary>Makes this the thread's turn; returns the one it replaces, for <see cref="Leave"/>.</summary>
        protected WriteTurn? Enter()
        {
            var previous = current;
            current = this;
            return previous;
        }

        protected static void Leave(WriteTurn? previous) => current = previous;
    }
}
