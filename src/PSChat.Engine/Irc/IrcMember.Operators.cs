using System.Collections.Generic;
using System.Linq;
using PSChat.Engine.Rooms;
using PSChat.Engine.Server;

namespace PSChat.Engine.Irc
{
    /// <summary>IRC operators: OPER, KILL, WALLOPS, and the user modes +o and +w.</summary>
    internal sealed partial class IrcMember
    {
        /// <summary>User mode +o: an IRC operator (set by OPER only; the user may drop it).</summary>
        public bool IsOperator { get; private set; }

        /// <summary>User mode +w: receives WALLOPS.</summary>
        public bool ReceivesWallops { get; private set; }

        private static void AddOperatorCommands(Dictionary<string, Command> table)
        {
            table["OPER"] = new Command((m, msg) => m.OnOper(msg), 1);
            table["KILL"] = new Command((m, msg) => m.OnKill(msg), 1);
            table["WALLOPS"] = new Command((m, msg) => m.OnWallops(msg), 1);
        }

        /// <summary>
        /// OPER name password. The password goes through the server's login throttle like PASS: after a
        /// wrong one the address waits its delay, and guesses meanwhile are refused unchecked (464).
        /// </summary>
        private void OnOper(IrcMessage message)
        {
            if (message.Parameters.Count < 2)
            {
                Reply(Numerics.ERR_NEEDMOREPARAMS, "OPER", "Not enough parameters");
                return;
            }

            if (IsOperator)
            {
                Reply(Numerics.RPL_YOUREOPER, "You are now an IRC operator");
                return;
            }

            var who = Identity;
            if (!server.Operators.AnyAllows(who))
            {
                Reply(Numerics.ERR_NOOPERHOST, "No O-lines for your host");
                ReportRejected("OPER from a host no operator account allows");
                return;
            }

            string name = message.Parameters[0];
            string given = message.Parameters[1];
            var verdict = server.Logins.Check(Remote.Address, () => server.Operators.Matches(name, given, who));
            switch (verdict.Outcome)
            {
                case LoginOutcome.Accepted:
                    IsOperator = true;
                    Reply(Numerics.RPL_YOUREOPER, "You are now an IRC operator");
                    Send(new IrcMessage(null, ServerName, "MODE", new[] { Nick, "+o" }));
                    server.Raise(PSChat.ServerEventKind.Renamed, e =>
                    {
                        Describe(e, null);
                        e.Text = Nick;
                        e.Reason = "now an IRC operator (" + name + ")";
                    });
                    return;
                case LoginOutcome.Refused:
                    server.Limits.Add(PSChat.LimitCounter.FailedLogins);
                    Reply(Numerics.ERR_PASSWDMISMATCH, "Password incorrect");
                    ReportRejected($"wrong OPER credentials ({verdict.Failures} in a row from {who.Host})");
                    return;
                default:
                    server.Limits.Add(PSChat.LimitCounter.ThrottledLogins);
                    Reply(Numerics.ERR_PASSWDMISMATCH, $"Too many failed logins from your address; try again in {Seconds(verdict.RetryAfter)} seconds");
                    RaiseLimited(verdict.Outcome == LoginOutcome.LockedOut ? LockoutLimit : DelayLimit, "OPER before the last failure's delay was over; not checked");
                    return;
            }
        }

        /// <summary>481 unless this member is an operator.</summary>
        private bool RequireOperator()
        {
            if (IsOperator) return true;
            Reply(Numerics.ERR_NOPRIVILEGES, "Permission Denied- You're not an IRC operator");
            return false;
        }

        /// <summary>KILL nick [reason]: an operator disconnects any client, IRC or plain text.</summary>
        private void OnKill(IrcMessage message)
        {
            if (!RequireOperator()) return;
            string nick = message.Parameters[0];
            var target = FindVisibleMember(nick);
            if (!(target is IServerClient client))
            {
                Reply(Numerics.ERR_NOSUCHNICK, nick, "No such nick/channel");
                return;
            }

            string reason = "Killed (" + Nick + " (" + IrcNames.Truncate(message[1] is string r && r.Length > 0 ? r : "no reason", IrcNames.KickLength) + "))";
            server.Raise(PSChat.ServerEventKind.Disconnected, e =>
            {
                Describe(e, null);
                e.Name = target.Nick;
                e.Reason = reason + " by " + Nick;
            });
            client.Shutdown(reason);
        }

        /// <summary>WALLOPS text: from an operator to every IRC client with +w (the sender sees it too).</summary>
        private void OnWallops(IrcMessage message)
        {
            if (!RequireOperator()) return;
            string text = message.Parameters[0];
            byte[] line = new IrcMessage(null, Identity.Prefix, "WALLOPS", new[] { text }).ToBoundedBytes();
            foreach (var member in server.Members.OfType<IrcMember>())
            {
                if (member.IsRegistered && (member.ReceivesWallops || ReferenceEquals(member, this))) member.Connection.Send(line);
            }
        }

        /// <summary>The user modes that are set, "+iw" or "+".</summary>
        private string UserModeString()
        {
            var modes = new System.Text.StringBuilder("+");
            if (IsBot) modes.Append('B');
            if (Invisible) modes.Append('i');
            if (IsOperator) modes.Append('o');
            if (ReceivesWallops) modes.Append('w');
            return modes.ToString();
        }

        /// <summary>One user mode letter of MODE nick; false when it is not one the server knows.</summary>
        private bool ApplyUserMode(char mode, bool adding, ModeChanges applied)
        {
            switch (mode)
            {
                case 'i':
                    if (Invisible == adding) return true;
                    Invisible = adding;
                    break;
                case 'o':
                    // Only OPER gives +o; anyone may give it up.
                    if (adding || !IsOperator) return true;
                    IsOperator = false;
                    break;
                case 'w':
                    if (ReceivesWallops == adding) return true;
                    ReceivesWallops = adding;
                    break;
                case 'B':
                    if (IsBot == adding) return true;
                    IsBot = adding;
                    break;
                default:
                    return false;
            }

            applied.Add(adding, mode, null);
            return true;
        }

        /// <summary>The WHO flags after H/G: '*' for an operator, 'B' for a bot.</summary>
        private static string UserFlags(ChatMember member) => member is IrcMember irc
            ? (irc.IsOperator ? "*" : string.Empty) + (irc.IsBot ? "B" : string.Empty)
            : string.Empty;
    }
}
