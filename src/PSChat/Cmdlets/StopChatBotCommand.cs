using System.Linq;
using System.Management.Automation;
using PSChat.Commands.Bots;

namespace PSChat.Commands
{
    /// <summary>Stops bots: they stop listening, their running commands are stopped, and their sessions stay open.</summary>
    [Cmdlet(VerbsLifecycle.Stop, "ChatBot", DefaultParameterSetName = ByInputObject, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(ChatBot))]
    public sealed class StopChatBotCommand : PSChatCmdlet
    {
        private const string ByInputObject = "InputObject";
        private const string ById = "Id";

        [Parameter(Mandatory = true, Position = 0, ParameterSetName = ByInputObject, ValueFromPipeline = true, HelpMessage = "The bot to stop, from Start-ChatBot or Get-ChatBot.")]
        [ValidateNotNull]
        public ChatBot[]? InputObject { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = ById, HelpMessage = "The id of the bot to stop.")]
        public int[]? Id { get; set; }

        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override void ProcessRecord()
        {
            ChatBot[] targets;
            switch (ParameterSetName)
            {
                case ByInputObject:
                    targets = InputObject!;
                    break;
                case ById:
                    var bots = ChatBotRegistry.Bots;
                    targets = Id!.Select(id => bots.FirstOrDefault(b => b.Id == id) ?? Missing(id)).Where(b => b != null).ToArray()!;
                    break;
                default:
                    throw new PSInvalidOperationException("Unknown parameter set " + ParameterSetName);
            }

            foreach (var bot in targets)
            {
                if (!ShouldProcess($"bot #{bot.Id} {bot.Name} ({bot.Running} commands running)", "Stop chat bot")) continue;
                bot.Stop();
                if (PassThru) Emit(bot);
            }
        }

        private ChatBot? Missing(int id)
        {
            WriteError(Error(new ItemNotFoundException($"No running chat bot has id {id}."), "ChatBotNotFound", ErrorCategory.ObjectNotFound, id));
            return null;
        }
    }
}
