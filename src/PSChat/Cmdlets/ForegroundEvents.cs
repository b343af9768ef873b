using System;
using System.Collections.Concurrent;
using System.Threading;

namespace PSChat.Commands
{
    /// <summary>A server in the foreground (-Wait): its events, queued from I/O threads, written on the pipeline thread.</summary>
    internal sealed class ForegroundEvents
    {
        private readonly BlockingCollection<ServerEvent> events = new BlockingCollection<ServerEvent>(new ConcurrentQueue<ServerEvent>(), 100000);

        public ForegroundEvents() => Handler = (sender, e) => events.TryAdd(e);

        /// <summary>Subscribe this before the server starts, so the Started event is seen.</summary>
        public EventHandler<ServerEvent> Handler { get; }

        /// <summary>Writes the server's events until Ctrl+C or the server stops, then stops it.</summary>
        public void Run(PSChatCmdlet cmdlet, ServerBase server, CancellationToken stopping)
        {
            try
            {
                cmdlet.WriteVerbose($"Serving in the foreground on {server.EndPoint}; press Ctrl+C to stop.");
                while (!stopping.IsCancellationRequested && server.State == ServerState.Running)
                {
                    try
                    {
                        if (events.TryTake(out var e, Timeout.Infinite, stopping)) cmdlet.Emit(e);
                    }
                    catch (OperationCanceledException)
                    {
                        break;
                    }
                }
            }
            finally
            {
                server.Stop();
                server.EventRaised -= Handler;
            }

            // What happened while stopping (disconnects, Stopped), unless the pipeline itself is gone.
            if (!stopping.IsCancellationRequested)
            {
                while (events.TryTake(out var e)) cmdlet.Emit(e);
            }
        }
    }
}
