using System;
using System.Management.Automation;
using System.Threading;

namespace PSChat.Commands
{
    /// <summary>
    /// What every PSChat cmdlet shares: a cancellation token that Ctrl+C (StopProcessing) trips, the
    /// pipeline-thread check, and the error helpers with stable ids.
    /// </summary>
    public abstract class PSChatCmdlet : PSCmdlet, IDisposable
    {
        private CancellationTokenSource? stopping;
        private int pipelineThreadId;

        /// <summary>Cancelled when the pipeline is stopped (Ctrl+C, PowerShell.Stop()).</summary>
        protected CancellationToken StopToken => (stopping ??= new CancellationTokenSource()).Token;

        /// <summary>How often a wait that cannot take a token looks for a stop.</summary>
        protected static readonly TimeSpan StopPollInterval = TimeSpan.FromMilliseconds(100);

        public void Dispose()
        {
            stopping?.Dispose();
            GC.SuppressFinalize(this);
        }

        protected override void BeginProcessing()
        {
            pipelineThreadId = Environment.CurrentManagedThreadId;
            stopping ??= new CancellationTokenSource();
        }

        protected override void StopProcessing()
        {
            try
            {
                stopping?.Cancel();
            }
            catch (ObjectDisposedException)
            {
            }
        }

        /// <summary>WriteObject that proves it runs on the pipeline thread (the threading rule).</summary>
        internal void Emit(object value)
        {
            AssertPipelineThread();
            WriteObject(value);
        }

        protected void AssertPipelineThread()
        {
            if (pipelineThreadId != 0 && Environment.CurrentManagedThreadId != pipelineThreadId)
            {
                throw new InvalidOperationException("PSChat wrote to the pipeline from a background thread.");
            }
        }

        protected static ErrorRecord Error(Exception exception, string id, ErrorCategory category, object? target) =>
            new ErrorRecord(exception, id, category, target);

        protected ChatSession ResolveSession(ChatSession? given, int sessionId)
        {
            if (given != null) return given;
            var session = sessionId > 0 ? ModuleState.FindSession(sessionId) : ModuleState.DefaultSession;
            if (session != null) return session;
            ThrowTerminatingError(sessionId > 0
                ? Error(new ArgumentException($"No open chat session has id {sessionId}."), "SessionNotFound", ErrorCategory.ObjectNotFound, sessionId)
                : Error(new InvalidOperationException("There is no open chat session. Connect with Connect-ChatRoom first, or pass -Session."), "NoSession", ErrorCategory.ObjectNotFound, null));
            throw new InvalidOperationException("unreachable");
        }
    }
}
