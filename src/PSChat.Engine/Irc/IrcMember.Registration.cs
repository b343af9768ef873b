using System;
using System.Collections.Generic;
using System.Globalization;
using System.Reflection;
using System.Threading;
using PSChat.Engine.Rooms;

namespace PSChat.Engine.Irc
{
    /// <summary>Connection registration and upkeep: PASS, NICK, USER, CAP, PING, PONG, QUIT, and the welcome burst.</summary>
    internal sealed partial class IrcMember
    {
        private static readonly string Version = "PSChat-" +
            (typeof(IrcMember).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0");

        private string? password;
        private string? userName;
        private bool capNegotiating;
        /// <summary>The password was checked and good, or the server has none: only then is a nick claimed.</summary>
        private bool authenticated;
        /// <summary>The nick table has <see cref="ChatMember.Nick"/> for this member.</summary>
        private bool holdsNick;

        private static void AddRegistrationCommands(Dictionary<string, Command> table)
        {
            table["PASS"] = new Command((m, msg) => m.OnPass(msg), 1, needsRegistration: false);
            table["NICK"] = new Command((m, msg) => m.OnNick(msg), 0, needsRegistration: false);
            table["USER"] = new Command((m, msg) => m.OnUser(msg), 4, needsRegistration: false);
            table["CAP"] = new Command((m, msg) => m.OnCap(msg), 1, needsRegistration: false);
            table["PING"] = new Command((m, msg) => m.Send(new IrcMessage(null, m.ServerName, "PONG", new[] { m.ServerName, msg.Parameters[0] })), 1, needsRegistration: false);
            table["PONG"] = new Command((m, msg) => { }, 0, needsRegistration: false);
            table["QUIT"] = new Command((m, msg) => m.OnQuit(msg), 0, needsRegistration: false);
        }

        private void OnPass(IrcMessage message)
        {
            if (IsRegistered)
            {
                Reply(Numerics.ERR_ALREADYREGISTERED, "You may not reregister");
                return;
            }

            password = message.Parameters[0];
        }

        private void OnUser(IrcMessage message)
        {
            if (IsRegistered || userName != null)
            {
                Reply(Numerics.ERR_ALREADYREGISTERED, "You may not reregister");
                return;
            }

            // Modern IRC: an empty username or realname draws 461 even when the parameter is present.
            string user = message.Parameters[0];
            if (user.Length == 0 || message.Parameters[3].Length == 0)
            {
                Reply(Numerics.ERR_NEEDMOREPARAMS, "USER", "Not enough parameters");
                return;
            }

            if (!IrcNames.IsValidUser(user))
            {
                Reply(Numerics.ERR_INVALIDUSERNAME, "Your username is not valid (letters, digits and - . _ ~ [ ] { } \\ | ^ ` only)");
                ReportRejected("invalid user name: " + SafeText.Render(IrcNames.Truncate(user, 64)));
                return;
            }

            userName = user.Length > IrcNames.UserLength ? user.Substring(0, IrcNames.UserLength) : user;
            RealName = message.Parameters[3];
            TryCompleteRegistration();
        }

        private void OnNick(IrcMessage message)
        {
            string? wanted = message[0];
            if (string.IsNullOrEmpty(wanted))
            {
                Reply(Numerics.ERR_NONICKNAMEGIVEN, "No nickname given");
                return;
            }

            if (!IrcNames.IsValidNick(wanted!))
            {
                Reply(Numerics.ERR_ERRONEUSNICKNAME, wanted!, "Erroneus nickname");
                return;
            }

            if (server.IsReservedNick(wanted!))
            {
                Reply(Numerics.ERR_ERRONEUSNICKNAME, wanted!, "Nickname is reserved");
                return;
            }

            string old = Nick;
            if (old == wanted && holdsNick) return;
            if (NickReservedFor(wanted!) is string owner)
            {
                if (IsRegistered)
                {
                    ReplyNickReserved(wanted!, owner);
                    return;
                }

                // Before registration the account may still log in: TryCompleteRegistration decides.
                if (holdsNick) server.ReleaseNick(this, old);
                holdsNick = false;
                Rename(wanted!);
                TryCompleteRegistration();
                return;
            }

            if (!authenticated)
            {
                // Nothing is reserved before the password is checked: a guesser must not hold a real user's nick.
                Rename(wanted!);
                TryCompleteRegistration();
                return;
            }

            if (!server.TryClaimNick(this, wanted!))
            {
                Reply(Numerics.ERR_NICKNAMEINUSE, wanted!, "Nickname is already in use");
                return;
            }

            bool sameHolder = CaseMapping.Equals(old, wanted!);
            if (holdsNick && !sameHolder) server.ReleaseNick(this, old);
            holdsNick = true;
            var before = Identity;
            Rename(wanted!);
            if (IsRegistered)
            {
                DeliverToNeighbours(new RoomEvent(RoomEventKind.Nick, null, before, wanted!), Rooms, includeSelf: true);
                // Another spelling of the same nick is no news to MONITOR.
                if (!sameHolder) server.Monitors.Announce(Identity, online: true);
                server.Raise(PSChat.ServerEventKind.Renamed, e =>
                {
                    Describe(e, null);
                    e.Text = before.Nick;
                });
            }
            else
            {
                TryCompleteRegistration();
            }
        }

        /// <summary>
        /// Checks PASS through the server's login throttle. A wrong password is answered when the address's
        /// delay is up (by <see cref="CheckDeadlines"/>, on the server's timer, never by waiting here); an
        /// address that must still wait, or is locked out, is refused at once without a check.
        /// </summary>
        private bool Authenticate()
        {
            string? given = password;
            password = null;
            var verdict = server.Logins.Check(Remote.Address, () => server.Password!.Matches(given));
            switch (verdict.Outcome)
            {
                case Server.LoginOutcome.Accepted:
                    authenticated = true;
                    return true;
                case Server.LoginOutcome.Refused:
                    server.Limits.Add(PSChat.LimitCounter.FailedLogins);
                    server.Raise(PSChat.ServerEventKind.Rejected, e =>
                    {
                        Describe(e, null);
                        e.Reason = $"wrong password ({verdict.Failures} in a row from {Identity.Host})";
                    });
                    if (verdict.LockoutStarted)
                    {
                        server.Raise(PSChat.ServerEventKind.Limited, e =>
                        {
                            Describe(e, null);
                            e.Limit = LockoutLimit;
                            e.Reason = $"{verdict.Failures} failed logins in a row: {Identity.Host} is locked out for {Seconds(verdict.RetryAfter)} s";
                        });
                    }

                    if (verdict.ReplyDelay <= TimeSpan.Zero) RefuseLogin();
                    else Interlocked.Exchange(ref refusalDueTicks, clock.NowTicks + verdict.ReplyDelay.Ticks);
                    return false;
                default:
                    bool lockedOut = verdict.Outcome == Server.LoginOutcome.LockedOut;
                    server.Limits.Add(PSChat.LimitCounter.ThrottledLogins);
                    server.Raise(PSChat.ServerEventKind.Limited, e =>
                    {
                        Describe(e, null);
                        e.Limit = lockedOut ? LockoutLimit : DelayLimit;
                        e.Reason = (lockedOut ? "login while locked out" : "login before the last failure's delay was over") + $"; not checked, {Seconds(verdict.RetryAfter)} s to wait";
                    });
                    string error = $"Too many failed logins from your address; try again in {Seconds(verdict.RetryAfter)} seconds";
                    Reply(Numerics.ERR_PASSWDMISMATCH, error);
                    CloseWithError(error, "login throttled");
                    return false;
            }
        }

        /// <summary>The refusal of a wrong password, once its delay is up.</summary>
        private void RefuseLogin()
        {
            Reply(Numerics.ERR_PASSWDMISMATCH, "Password incorrect");
            CloseWithError("Bad password", "bad password");
        }

        /// <summary>Whole seconds, rounded up: "try again in 0 seconds" would invite a refusal.</summary>
        private static long Seconds(TimeSpan wait) => (wait.Ticks + TimeSpan.TicksPerSecond - 1) / TimeSpan.TicksPerSecond;

        private void OnCap(IrcMessage message)
        {
            string sub = message.Parameters[0].ToUpperInvariant();
            switch (sub)
            {
                case "LS":
                    if (!IsRegistered) capNegotiating = true;
                    if (message.Parameters.Count > 1 && int.TryParse(message.Parameters[1], out int version) && version > CapVersion) CapVersion = version;
                    SendCap("LS", AdvertisedCapabilities(CapVersion >= 302));
                    break;
                case "LIST":
                    SendCap("LIST", Capabilities.Names(Caps));
                    break;
                case "REQ":
                    if (message.Parameters.Count < 2)
                    {
                        Reply(Numerics.ERR_NEEDMOREPARAMS, "CAP", "Not enough parameters");
                        return;
                    }

                    if (!IsRegistered) capNegotiating = true;
                    RequestCaps(message.Parameters[1]);
                    break;
                case "END":
                    if (IsRegistered) return;
                    AbortSasl();
                    capNegotiating = false;
                    TryCompleteRegistration();
                    break;
                default:
                    Reply(Numerics.ERR_INVALIDCAPCMD, message.Parameters[0], "Invalid CAP command");
                    break;
            }
        }

        /// <summary>All or nothing, as the CAP spec requires: one unknown name NAKs the whole request.</summary>
        private void RequestCaps(string requested)
        {
            var caps = Caps;
            foreach (string token in requested.Split(new[] { ' ' }, StringSplitOptions.RemoveEmptyEntries))
            {
                bool remove = token[0] == '-';
                var flag = Capabilities.Find(remove ? token.Substring(1) : token, server.Options);
                if (flag == Capability.None)
                {
                    SendCap("NAK", requested);
                    return;
                }

                caps = remove ? caps & ~flag : caps | flag;
            }

            Volatile.Write(ref capabilities, (int)caps);
            SendCap("ACK", requested);
        }

        /// <summary>The highest CAP LS version the client asked for (302 gets values and cap-notify).</summary>
        internal int CapVersion { get; private set; }

        private void SendCap(string sub, string value) =>
            Send(new IrcMessage(null, ServerName, "CAP", new[] { Nick, sub, value }));

        private void OnQuit(IrcMessage message)
        {
            string reason = message[0] is string text && text.Length > 0 ? "Quit: " + text : "Client Quit";
            CloseWithError(reason, reason);
        }

        private void TryCompleteRegistration()
        {
            if (IsRegistered || Nick == "*" || userName == null || capNegotiating) return;
            if (!authenticated && !Authenticate()) return;
            if (!AccountAdmits()) return;
            if (!holdsNick)
            {
                // Claimed only now that the password is good; whoever took the nick meanwhile keeps it.
                string wanted = Nick;
                if (!server.TryClaimNick(this, wanted))
                {
                    Rename("*");
                    Reply(Numerics.ERR_NICKNAMEINUSE, wanted, "Nickname is already in use");
                    return;
                }

                holdsNick = true;
            }

            Rename(Nick, userName);
            Volatile.Write(ref registered, 1);
            Interlocked.Exchange(ref lastHeardTicks, clock.NowTicks);
            var options = server.Options;
            Reply(Numerics.RPL_WELCOME, $"Welcome to the {options.NetworkName} Network, {Identity.Prefix}");
            Reply(Numerics.RPL_YOURHOST, $"Your host is {ServerName}, running version {Version}");
            Reply(Numerics.RPL_CREATED, "This server was created " + protocol.Created.ToString("R", CultureInfo.InvariantCulture));
            Reply(Numerics.RPL_MYINFO, ServerName, Version, IrcModes.UserModes, IrcModes.ChannelModes, IrcModes.ChannelModesWithParameter);
            foreach (var tokens in ISupport.Lines(options))
            {
                var parameters = new List<string>(tokens) { "are supported by this server" };
                Reply(Numerics.RPL_ISUPPORT, parameters.ToArray());
            }

            SendLusers();
            SendMotd();
            SendOwnMetadata();
            server.Monitors.Announce(Identity, online: true);
        }
    }
}
