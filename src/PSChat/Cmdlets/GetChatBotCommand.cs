using System.Linq;
using System.Management.Automation;
using PSChat.Commands.Bots;

namespace PSChat.Commands
{
    /// <summary>Lists the running bots of this PowerShell session.</summary>
    [Cmdlet(VerbsCommon.Get, "ChatBot")]
    [OutputType(typeof(ChatBot))]
    public sealed class GetChatBotCommand : PSChatCmdlet
    {
        /// <summary>Only the bots with these ids.</summary>
        [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
        [Alias("BotId")]
        public int[]? Id { get; set; }

        protected override void ProcessRecord()
        {
            var bots = ChatBotRegistry.Bots;
            if (Id == null)
            {
                foreach (var bot in bots) Emit(bot);
                return;
            }

            foreach (int id in Id)
            {
                var bot = bots.FirstOrDefault(b => b.Id == id);
                if (bot != null) Emit(bot);
                else WriteError(Error(new ItemNotFoundException($"No running chat bot has id {id}."), "ChatBotNotFound", ErrorCategory.ObjectNotFound, id));
            }
        }
    }
}
