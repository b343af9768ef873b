using System;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using PSChat.Commands.Completion;

namespace PSChat.Commands
{
    /// <summary>
    /// What the IRC operation cmdlets share (Join-ChatRoom, Exit-ChatRoom, Set-ChatTopic,
    /// Remove-ChatMember, Set-ChatMode, Set-ChatNick, Invoke-ChatCommand): the session parameters, and
    /// waiting on the pipeline thread for the server's answer, Ctrl+C included, with every way it can go
    /// wrong written as an ErrorRecord with a stable id.
    /// </summary>
    public abstract class ChatOperationCmdlet : PSChatCmdlet
    {
        [Parameter(ParameterSetName = SessionParameterSets.Session, ValueFromPipeline = true)]
        [ValidateNotNull]
        [ArgumentCompleter(typeof(SessionCompleter))]
        public ChatSession? Session { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = SessionParameterSets.SessionId, ValueFromPipelineByPropertyName = true, HelpMessage = "The id of the session to act through.")]
        [ArgumentCompleter(typeof(SessionCompleter))]
        public int SessionId { get; set; }

        /// <summary>The session this record acts through (-Session, -SessionId, or the default session).</summary>
        protected ChatSession ActingSession => ResolveSession(Session, SessionId);

        /// <summary>
        /// Starts an operation and waits for its answer. Returns its task once it succeeded; null after
        /// writing the error (or when the pipeline was stopped).
        /// </summary>
        protected Task<T>? Perform<T>(ChatSession session, object? target, Func<CancellationToken, Task<T>> operation)
        {
            Task<T> task;
            try
            {
                task = operation(StopToken);
                task.Wait(StopToken);
                return task;
            }
            catch (OperationCanceledException) when (StopToken.IsCancellationRequested)
            {
                return null;
            }
            catch (AggregateException failed) when (failed.InnerException != null)
            {
                if (!(failed.InnerException is OperationCanceledException)) Report(failed.InnerException, session, target);
                return null;
            }
            catch (Exception ex) when (ex is ArgumentException || ex is InvalidOperationException || ex is NotSupportedException)
            {
                Report(ex, session, target);
                return null;
            }
        }

        protected bool Perform(ChatSession session, object? target, Func<CancellationToken, Task> operation) =>
            Perform(session, target, async cancel =>
            {
                await operation(cancel).ConfigureAwait(false);
                return true;
            }) != null;

        /// <summary>A refusal as the error a script can catch: its id stable, its category from the numeric.</summary>
        protected ErrorRecord Refused(ChatCommandRefusedException refusal, object? target) =>
            Error(refusal, "ServerRefused", CategoryOf(refusal.Numeric), refusal.Subject ?? target);

        private void Report(Exception exception, ChatSession session, object? target)
        {
            switch (exception)
            {
                case ChatCommandRefusedException refusal:
                    WriteError(Refused(refusal, target));
                    return;
                case ArgumentException invalid:
                    WriteError(Error(invalid, invalid.ParamName == "line" ? "InvalidLine" : "InvalidName", ErrorCategory.InvalidArgument, target));
                    return;
                case TimeoutException timeout:
                    WriteError(Error(timeout, "NoAnswer", ErrorCategory.OperationTimeout, target));
                    return;
                case NotSupportedException unsupported:
                    WriteError(Error(unsupported, "NotSupportedByProtocol", ErrorCategory.NotImplemented, session));
                    return;
                default:
                    WriteError(Error(exception, "SessionClosed", ErrorCategory.ConnectionError, session));
                    return;
            }
        }

        /// <summary>RFC 1459/2812 error numerics by what they mean for a script.</summary>
        private static ErrorCategory CategoryOf(string numeric)
        {
            switch (numeric)
            {
                case "401": // no such nick
                case "403": // no such channel
                case "441": // they are not on that channel
                case "442": // you are not on that channel
                    return ErrorCategory.ObjectNotFound;
                case "471": // channel is full
                case "473": // invite only
                case "474": // banned
                case "475": // bad channel key
                case "477": // needs registration / modes
                case "481": // not an IRC operator
                case "482": // not a channel operator
                case "484": // restricted
                case "489": // secure only
                    return ErrorCategory.PermissionDenied;
                case "433": // nick in use
                case "436": // nick collision
                case "437": // unavailable
                    return ErrorCategory.ResourceUnavailable;
                case "405": // too many channels
                    return ErrorCategory.LimitsExceeded;
                case "421": // unknown command
                    return ErrorCategory.NotImplemented;
                case "431":
                case "432":
                case "461":
                case "472":
                case "501":
                case "502":
                case "696":
                    return ErrorCategory.InvalidArgument;
                default:
                    return ErrorCategory.InvalidOperation;
            }
        }
    }
}
