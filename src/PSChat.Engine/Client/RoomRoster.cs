using System;
using System.Collections.Generic;
using System.Linq;
using PSChat.Engine.Irc;

namespace PSChat.Engine.Client
{
    /// <summary>
    /// Who is in the session's rooms, as far as the server told (NAMES replies, then JOIN, PART, KICK,
    /// QUIT and NICK): what nick completion offers. Updated on the reader thread, read on any.
    /// </summary>
    internal sealed class RoomRoster
    {
        private readonly object gate = new object();

        /// <summary>Folded room name to (folded nick to nick as the server spells it).</summary>
        private readonly Dictionary<string, Dictionary<string, string>> rooms = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);

        public string[] Members(string? room, IrcServerSupport support)
        {
            lock (gate)
            {
                if (room != null) return rooms.TryGetValue(support.Fold(room), out var members) ? members.Values.OrderBy(n => n, StringComparer.OrdinalIgnoreCase).ToArray() : new string[0];
                return rooms.Values.SelectMany(m => m.Values).Distinct(StringComparer.Ordinal).OrderBy(n => n, StringComparer.OrdinalIgnoreCase).ToArray();
            }
        }

        public void Observe(IrcMessage message, IrcServerSupport support, string? ownNick)
        {
            string? nick = message.SourceNick;
            bool me = support.SameName(nick, ownNick);
            lock (gate)
            {
                switch (message.Command)
                {
                    case "353" when message.Parameters.Count >= 4:
                        var names = Room(message[2]!, support);
                        foreach (string entry in message.Parameters[3].Split(new[] { ' ' }, StringSplitOptions.RemoveEmptyEntries))
                        {
                            string name = entry.TrimStart('~', '&', '@', '%', '+', '!');
                            int bang = name.IndexOf('!');
                            if (bang > 0) name = name.Substring(0, bang);
                            if (name.Length > 0) names[support.Fold(name)] = name;
                        }

                        return;
                    case "JOIN" when nick != null && message.Parameters.Count > 0:
                        if (me) rooms.Remove(support.Fold(message[0]!));
                        Room(message[0]!, support)[support.Fold(nick)] = nick;
                        return;
                    case "PART" when nick != null && message.Parameters.Count > 0:
                        Leave(message[0]!, nick, me, support);
                        return;
                    case "KICK" when message.Parameters.Count > 1:
                        Leave(message[0]!, message[1]!, support.SameName(message[1], ownNick), support);
                        return;
                    case "QUIT" when nick != null:
                        foreach (var members in rooms.Values) members.Remove(support.Fold(nick));
                        return;
                    case "NICK" when nick != null && message.Parameters.Count > 0:
                        foreach (var members in rooms.Values)
                        {
                            if (members.Remove(support.Fold(nick))) members[support.Fold(message[0]!)] = message[0]!;
                        }

                        return;
                }
            }
        }

        private Dictionary<string, string> Room(string room, IrcServerSupport support)
        {
            string key = support.Fold(room);
            if (!rooms.TryGetValue(key, out var members)) rooms[key] = members = new Dictionary<string, string>(StringComparer.Ordinal);
            return members;
        }

        private void Leave(string room, string nick, bool me, IrcServerSupport support)
        {
            if (me) rooms.Remove(support.Fold(room));
            else if (rooms.TryGetValue(support.Fold(room), out var members)) members.Remove(support.Fold(nick));
        }
    }
}
