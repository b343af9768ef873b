using System;
using System.Threading;
using PSChat.Engine.Server;

namespace PSChat.Commands
{
    /// <summary>
    /// A server in the foreground (-Wait): its events, queued from I/O threads, written on the pipeline thread.
    /// Events the bounded queue had to drop are reported with a warning as soon as the writer notices them.
    /// </summary>
    internal sealed class ForegroundEvents : IDisposable
    {
        private readonly ServerEventQueue events;
        private long reportedDrops;

        public ForegroundEvents(int maxQueuedEvents)
        {
            events = new ServerEventQueue(maxQueuedEvents);
            Handler = (sender, e) => events.Add(e, (sender as ChatServer)?.Limits);
        }

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
                        if (events.TryTake(out var e, Timeout.Infinite, stopping)) Write(cmdlet, e);
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
                while (events.TryTake(out var e, 0, CancellationToken.None)) Write(cmdlet, e);
                ReportDrops(cmdlet);
            }
        }

        public void Dispose() => events.Dispose();

        private void Write(PSChatCmdlet cmdlet, ServerEvent e)
        {
            ReportDrops(cmdlet);
            cmdlet.Emit(e);
        }

        /// <summary>A warning for the events dropped since the last one, before the next event written.</summary>
        private void ReportDrops(PSChatCmdlet cmdlet)
        {
            long dropped = events.Dropped;
            if (dropped == reportedDrops) return;
            long since = dropped - reportedDrops;
            reportedDrops = dropped;
            cmdlet.WriteWarning(
                $"{since} server events were dropped ({dropped} in all): more than -MaxQueuedEvents were waiting to be written. " +
                "Disconnected, Rejected, Limited and Error events are kept over messages; Get-ChatServer's Limits.DroppedEvents counts the drops.");
        }
    }
}
