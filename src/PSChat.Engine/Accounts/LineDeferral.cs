using System;
using System.Collections.Generic;
using PSChat.Engine.Framing;

namespace PSChat.Engine.Accounts
{
    /// <summary>
    /// Holds a client's lines while a login is checked off its I/O thread (a password hash costs
    /// milliseconds), then runs them in order on the thread that finished the check. The I/O thread only
    /// copies lines in, so the client's state is touched by one thread at a time. Bounded: a client that
    /// sends more than <see cref="MaxLines"/> lines or <see cref="MaxBytes"/> bytes meanwhile is flooding.
    /// </summary>
    internal sealed class LineDeferral
    {
        public const int MaxLines = 32;
        public const int MaxBytes = 16 * 1024;

        private readonly object gate = new object();
        private readonly Queue<Held> held = new Queue<Held>();
        private bool active;
        private int heldBytes;
        private int generation;

        /// <summary>From now on lines are held, until <see cref="End"/>.</summary>
        public void Begin()
        {
            lock (gate)
            {
                active = true;
                generation++;
            }
        }

        /// <summary>
        /// True when the line was held (or, with <paramref name="overflow"/>, refused as a flood); false
        /// when nothing is being checked and the caller runs it now.
        /// </summary>
        public bool Hold(byte[] buffer, int offset, int count, LineTerminator terminator, out bool overflow)
        {
            overflow = false;
            lock (gate)
            {
                if (!active) return false;
                if (held.Count >= MaxLines || heldBytes + count > MaxBytes)
                {
                    overflow = true;
                    return true;
                }

                var copy = new byte[count];
                Buffer.BlockCopy(buffer, offset, copy, 0, count);
                held.Enqueue(new Held(copy, terminator));
                heldBytes += count;
                return true;
            }
        }

        /// <summary>
        /// The check is over: runs the held lines through <paramref name="run"/> in order, and lines that
        /// arrive meanwhile after them; stops early when one of them begins another check.
        /// </summary>
        public void End(Action<byte[], int, int, LineTerminator> run)
        {
            int started;
            lock (gate) started = generation;
            while (true)
            {
                Held next;
                lock (gate)
                {
                    if (generation != started) return;
                    if (held.Count == 0)
                    {
                        active = false;
                        return;
                    }

                    next = held.Dequeue();
                    heldBytes -= next.Line.Length;
                }

                run(next.Line, 0, next.Line.Length, next.Terminator);
            }
        }

        private readonly struct Held
        {
            public Held(byte[] line, LineTerminator terminator)
            {
                Line = line;
                Terminator = terminator;
            }

            public byte[] Line { get; }

            public LineTerminator Terminator { get; }
        }
    }
}
