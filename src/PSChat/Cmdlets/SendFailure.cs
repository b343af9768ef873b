using System;
using System.Management.Automation;

namespace PSChat.Commands
{
    /// <summary>Why a send failed, as the error record Send-ChatMessage and Invoke-ChatRequest write: one id per cause.</summary>
    internal static class SendFailure
    {
        /// <summary>The record for a send's exception; null for an exception that is not a send failure (let it fly).</summary>
        public static ErrorRecord? Of(Exception ex, ChatSession session, string? room, string? to, object? payload)
        {
            switch (ex)
            {
                case ChatPayloadException _:
                    return new ErrorRecord(ex, "PayloadTooLarge", ErrorCategory.LimitsExceeded, payload);
                case TimeoutException _:
                    return new ErrorRecord(ex, "SendTimedOut", ErrorCategory.OperationTimeout, session);
                case NotSupportedException _:
                    return new ErrorRecord(ex, "NotSupportedByProtocol", ErrorCategory.NotImplemented, session);
                case ArgumentException argument:
                    // A name that would break the protocol line (ParamName set), or no room to send to.
                    object? target = argument.ParamName == "to" ? (object?)to : argument.ParamName == "room" ? room : session;
                    return new ErrorRecord(ex, argument.ParamName != null ? "InvalidName" : "NoRoom", ErrorCategory.InvalidArgument, target);
                case ChatTargetException targetError:
                    return new ErrorRecord(ex, "NotInRoom", ErrorCategory.InvalidOperation, targetError.Target);
                case InvalidOperationException _:
                    return new ErrorRecord(ex, "SessionClosed", ErrorCategory.ConnectionError, session);
                default:
                    return null;
            }
        }
    }
}
