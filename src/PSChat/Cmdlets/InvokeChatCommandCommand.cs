using System.Management.Automation;

namespace PSChat.Commands
{
    /// <summary>
    /// Sends one raw IRC line and writes the server's answer to it as messages; error numerics in the
    /// answer are written as errors.
    /// </summary>
    [Cmdlet(VerbsLifecycle.Invoke, "ChatCommand", DefaultParameterSetName = SessionParameterSets.Session)]
    [OutputType(typeof(ChatMessage))]
    public sealed class InvokeChatCommandCommand : ChatOperationCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, HelpMessage = "One IRC command line, e.g. 'WHOIS bob'.")]
        [AllowEmptyString]
        public string Line { get; set; } = string.Empty;

        protected override void ProcessRecord()
        {
            var session = ActingSession;
            var answered = Perform(session, Line, cancel => session.SendCommandAsync(Line, cancel));
            if (answered == null) return;
            foreach (var reply in answered.Result.Replies) Emit(reply);
            foreach (var refusal in answered.Result.Refusals) WriteError(Refused(refusal, Line));
        }
    }
}
