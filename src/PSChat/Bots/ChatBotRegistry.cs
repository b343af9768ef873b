using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation.Runspaces;

namespace PSChat.Commands.Bots
{
    /// <summary>The running bots, per runspace as sessions are (a thread job's bots are its own); a stopped bot leaves.</summary>
    internal static class ChatBotRegistry
    {
        private static readonly ConcurrentDictionary<ChatBot, Guid> bots = new ConcurrentDictionary<ChatBot, Guid>();

        public static IReadOnlyList<ChatBot> Bots
        {
            get
            {
                var me = CurrentRunspaceId;
                return bots.Where(b => b.Value == me).Select(b => b.Key).OrderBy(b => b.Id).ToArray();
            }
        }

        public static void Add(ChatBot bot)
        {
            bots[bot] = CurrentRunspaceId;
            bot.Completion.ContinueWith(_ => bots.TryRemove(bot, out Guid _), System.Threading.Tasks.TaskScheduler.Default);
        }

        /// <summary>Remove-Module: the current runspace's bots stop (their sessions are closed by ModuleState).</summary>
        public static void StopOwnedByCurrentRunspace()
        {
            foreach (var bot in Bots) bot.Stop("the module was removed");
        }

        private static Guid CurrentRunspaceId => Runspace.DefaultRunspace?.InstanceId ?? Guid.Empty;
    }
}
