using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation.Runspaces;
using System.Threading;

namespace PSChat.Commands
{
    /// <summary>
    /// The module's one registry of live servers and sessions. Get-* cmdlets read snapshots of it;
    /// Remove-Module empties it through <see cref="ModuleCleanup"/>.
    /// </summary>
    internal static class ModuleState
    {
        private static readonly ConcurrentDictionary<object, Guid> owners = new ConcurrentDictionary<object, Guid>();
        private static readonly ConcurrentDictionary<string, ServerBase> servers = new ConcurrentDictionary<string, ServerBase>(StringComparer.OrdinalIgnoreCase);
        private static readonly ConcurrentDictionary<int, ChatSession> sessions = new ConcurrentDictionary<int, ChatSession>();

        public static IReadOnlyList<ServerBase> Servers => servers.Values.OrderBy(s => s.StartTime).ToArray();

        /// <summary>
        /// The open sessions of the current runspace: a thread job's sessions are its own, not the console's
        /// (a session object handed over with $using: still works through -Session).
        /// </summary>
        public static IReadOnlyList<ChatSession> Sessions
        {
            get
            {
                var me = CurrentRunspaceId;
                return sessions.Values.Where(s => IsOwnedBy(s, me)).OrderBy(s => s.Id).ToArray();
            }
        }

        public static bool TryAddServer(ServerBase server)
        {
            if (!servers.TryAdd(server.Name, server)) return false;
            owners[server] = CurrentRunspaceId;
            server.EventRaised += (sender, e) =>
            {
                if (e.Kind == ServerEventKind.Stopped) RemoveServer((ServerBase)sender!);
            };
            return true;
        }

        public static bool IsServerNameTaken(string name) => servers.ContainsKey(name);

        public static void RemoveServer(ServerBase server)
        {
            ((ICollection<KeyValuePair<string, ServerBase>>)servers).Remove(new KeyValuePair<string, ServerBase>(server.Name, server));
            owners.TryRemove(server, out _);
        }

        public static void AddSession(ChatSession session)
        {
            sessions[session.Id] = session;
            owners[session] = CurrentRunspaceId;
            session.Closed += (sender, e) => ForgetSession((ChatSession)sender!);
            // A session that closed before the handler was attached.
            if (session.State == SessionState.Closed) ForgetSession(session);
        }

        private static void ForgetSession(ChatSession session)
        {
            sessions.TryRemove(session.Id, out _);
            owners.TryRemove(session, out _);
        }

        public static ChatSession? FindSession(int id) => sessions.TryGetValue(id, out var s) ? s : null;

        /// <summary>The current runspace's newest open session, the default for cmdlets called without -Session.</summary>
        public static ChatSession? DefaultSession
        {
            get
            {
                var me = CurrentRunspaceId;
                return sessions.Values.Where(s => IsOwnedBy(s, me)).OrderByDescending(s => s.Id).FirstOrDefault();
            }
        }

        /// <summary>
        /// Stops the servers and closes the sessions that the current runspace started (Remove-Module).
        /// The registry is per process, so a thread job removing the module leaves its parent's alone.
        /// </summary>
        public static void ClearOwnedByCurrentRunspace()
        {
            var me = CurrentRunspaceId;
            foreach (var session in sessions.Values.Where(s => IsOwnedBy(s, me)).ToArray())
            {
                session.Dispose();
                ForgetSession(session);
            }

            foreach (var server in servers.Values.Where(s => IsOwnedBy(s, me)).ToArray())
            {
                server.Stop();
                RemoveServer(server);
            }
        }

        private static bool IsOwnedBy(object item, Guid runspace) => owners.TryGetValue(item, out var owner) && owner == runspace;

        private static Guid CurrentRunspaceId => Runspace.DefaultRunspace?.InstanceId ?? Guid.Empty;
    }
}
