using System;
using System.Net;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using PSChat.Engine.Accounts;
using PSChat.Engine.Framing;
using PSChat.Engine.Rooms;
using PSChat.Engine.Text;

namespace PSChat.Engine.Server
{
    /// <summary>
    /// A text client's login: the line <c>/login name password</c> (never relayed), checked on the thread
    /// pool like a SASL login while the client's lines wait, through the server's login throttle. Refused
    /// unchecked over plain TCP from another machine, so a password never crosses a network in clear;
    /// on a server that requires accounts it must be the first line.
    /// </summary>
    internal sealed partial class TextMember
    {
        private const string LoginCommand = "/login ";

        private LineDeferral? deferral;
        private long loginRefusalDueTicks = long.MinValue;

        /// <summary>True when the line was a /login (handled here: started, or refused with a reason).</summary>
        private bool IsLogin(byte[] buffer, int offset, int count, LineTerminator terminator)
        {
            var store = server.Accounts;
            if (store == null || count < LoginCommand.Length || Encoding.ASCII.GetString(buffer, offset, LoginCommand.Length) != LoginCommand) return false;
            style = (int)terminator;
            if (TextRules.TryDecode(buffer, offset, count, out string line) != null) return false;
            string rest = line.Substring(LoginCommand.Length).TrimStart(' ');
            int space = rest.IndexOf(' ');
            if (Account != null)
            {
                SendSystemLine($"error: you are logged in as {Account} already");
                return true;
            }

            if (space <= 0 || space == rest.Length - 1)
            {
                SendSystemLine("error: usage: /login <name> <password>");
                return true;
            }

            var address = Remote.Address.IsIPv4MappedToIPv6 ? Remote.Address.MapToIPv4() : Remote.Address;
            if (Connection.Tls == null && !IPAddress.IsLoopback(address))
            {
                SendSystemLine("error: /login needs TLS (or a connection from the server's own machine): your password crossed the network in clear and was not checked; change it, then connect with TLS");
                server.Raise(ServerEventKind.Rejected, e =>
                {
                    Describe(e, null);
                    e.Reason = "a /login over plain TCP from another machine";
                });
                return true;
            }

            string name = rest.Substring(0, space);
            byte[] password = Encoding.UTF8.GetBytes(rest.Substring(space + 1));
            deferral ??= new LineDeferral();
            deferral.Begin();
            AccountVerifier.CheckPasswordAsync(store, server.Logins, Remote.Address, name, password).ContinueWith(
                (task, state) =>
                {
                    var member = (TextMember)state!;
                    if (task.Status == TaskStatus.RanToCompletion) member.FinishLogin(task.Result);
                    else member.EndDeferral("error: login failed: the account store could not be read");
                },
                this,
                TaskScheduler.Default);
            return true;
        }

        private void FinishLogin(AccountLogin login)
        {
            var verdict = login.Verdict;
            switch (verdict.Outcome)
            {
                case LoginOutcome.Accepted:
                    string account = login.Account!.Name;
                    LogIn(account);
                    bool outside = loginOnly && Volatile.Read(ref phase) == Detecting;
                    if (Nick != account)
                    {
                        // Not in the room yet: it arrives under the account's name, with no rename to announce.
                        if (outside) TakeNameQuietly(account);
                        else TakeName(account);
                    }

                    SendSystemLine($"logged in as {account}");
                    if (outside) AdmitAfterLogin();
                    EndDeferral(null);
                    return;
                case LoginOutcome.Refused:
                    server.Limits.Add(LimitCounter.FailedLogins);
                    server.Raise(ServerEventKind.Rejected, e =>
                    {
                        Describe(e, null);
                        e.Reason = $"/login failed ({verdict.Failures} in a row from {Identity.Host})";
                    });
                    if (verdict.LockoutStarted)
                    {
                        server.Raise(ServerEventKind.Limited, e =>
                        {
                            Describe(e, null);
                            e.Limit = "MaxLoginFailures";
                            e.Reason = $"{verdict.Failures} failed logins in a row: {Identity.Host} is locked out";
                        });
                    }

                    if (verdict.ReplyDelay <= TimeSpan.Zero)
                    {
                        EndDeferral(WrongLogin);
                        return;
                    }

                    deferral!.Begin();
                    Interlocked.Exchange(ref loginRefusalDueTicks, server.Options.Clock.NowTicks + verdict.ReplyDelay.Ticks);
                    return;
                default:
                    server.Limits.Add(LimitCounter.ThrottledLogins);
                    long seconds = (verdict.RetryAfter.Ticks + TimeSpan.TicksPerSecond - 1) / TimeSpan.TicksPerSecond;
                    server.Raise(ServerEventKind.Limited, e =>
                    {
                        Describe(e, null);
                        e.Limit = verdict.Outcome == LoginOutcome.LockedOut ? "MaxLoginFailures" : "LoginFailureDelayMilliseconds";
                        e.Reason = $"/login not checked: {seconds} s to wait";
                    });
                    EndDeferral($"error: too many failed logins from your address; try again in {seconds} seconds");
                    return;
            }
        }

        private const string WrongLogin = "error: login failed: wrong name or password";

        /// <summary>The server's timer: a delayed refusal whose time has come.</summary>
        private void CheckLoginRefusal(long nowTicks)
        {
            long due = Interlocked.Read(ref loginRefusalDueTicks);
            if (due == long.MinValue || nowTicks < due || Interlocked.CompareExchange(ref loginRefusalDueTicks, long.MinValue, due) != due) return;
            EndDeferral(WrongLogin);
        }

        private void EndDeferral(string? systemLine)
        {
            if (systemLine != null) SendSystemLine(systemLine);
            deferral?.End(RunLine);
        }

        private bool HoldDuringLogin(byte[] buffer, int offset, int count, LineTerminator terminator)
        {
            if (!deferral!.Hold(buffer, offset, count, terminator, out bool overflow)) return false;
            if (overflow) OnExcessFlood(LineDeferral.MaxBytes);
            return true;
        }

        private void TakeNameQuietly(string wanted)
        {
            string old = Nick;
            if (ClaimRefusal(wanted) != null || !server.TryClaimNick(this, wanted)) return;
            if (!CaseMapping.Equals(old, wanted)) server.ReleaseNick(this, old);
            Rename(wanted);
        }

        /// <summary>On a server that requires accounts: into the room once logged in, as a silent client becomes a listener elsewhere.</summary>
        private void AdmitAfterLogin()
        {
            if (Interlocked.CompareExchange(ref phase, Text, Detecting) != Detecting) return;
            string? refusal = Enter();
            if (refusal != null)
            {
                SendSystemLine("error: " + refusal);
                CloseWith(refusal);
                return;
            }

            Hidden = false;
            Joined();
        }
    }
}
