using System;
using System.Collections.Generic;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using PSChat.Engine.Accounts;
using PSChat.Engine.Framing;
using PSChat.Engine.Rooms;
using PSChat.Engine.Server;

namespace PSChat.Engine.Irc
{
    /// <summary>
    /// Accounts: IRCv3 SASL (AUTHENTICATE with PLAIN and EXTERNAL), the nick an account reserves,
    /// -RequireAccount, and account-notify. A password is checked on the thread pool
    /// (<see cref="AccountVerifier"/>); the client's lines wait meanwhile in a <see cref="LineDeferral"/>
    /// and run in order once the answer is out. Failures count against the server's login throttle,
    /// whose delay holds the 904 back as it holds a wrong PASS's 464.
    /// </summary>
    internal sealed partial class IrcMember
    {
        /// <summary>The longest AUTHENTICATE argument; one this long means more follows.</summary>
        private const int SaslChunk = 400;

        /// <summary>Base64 characters of one SASL message: a PLAIN login with a long password fits.</summary>
        private const int MaxSaslPayload = 4 * SaslChunk;

        private const string Mechanisms = "PLAIN,EXTERNAL";

        private string? saslMechanism;
        private StringBuilder? saslPayload;
        private LineDeferral? deferral;
        /// <summary>When a failed SASL login's 904 goes out (the throttle's delay); lines wait till then.</summary>
        private long saslRefusalDueTicks = NoRefusal;
        private string? saslRefusal;

        private static void AddSaslCommands(Dictionary<string, Command> table)
        {
            table["AUTHENTICATE"] = new Command((m, msg) => m.OnAuthenticate(msg), 1, needsRegistration: false);
        }

        private void OnAuthenticate(IrcMessage message)
        {
            var store = server.Accounts;
            if (store == null)
            {
                if (IsRegistered) Reply(Numerics.ERR_UNKNOWNCOMMAND, "AUTHENTICATE", "Unknown command");
                else Reply(Numerics.ERR_NOTREGISTERED, "You have not registered");
                return;
            }

            string argument = message.Parameters[0];
            if (saslMechanism == null)
            {
                if (argument == "*")
                {
                    Reply(Numerics.ERR_SASLABORTED, "SASL authentication aborted");
                    return;
                }

                if (Account != null)
                {
                    Reply(Numerics.ERR_SASLALREADY, "You have already authenticated using SASL");
                    return;
                }

                string mechanism = argument.ToUpperInvariant();
                if (mechanism != "PLAIN" && mechanism != "EXTERNAL")
                {
                    Reply(Numerics.RPL_SASLMECHS, Mechanisms, "are available SASL mechanisms");
                    Reply(Numerics.ERR_SASLFAIL, "SASL authentication failed");
                    return;
                }

                if (mechanism == "EXTERNAL" && Connection.Tls?.RemoteCertificate == null)
                {
                    Reply(Numerics.ERR_SASLFAIL, "SASL authentication failed: EXTERNAL needs a TLS connection with a client certificate");
                    return;
                }

                saslMechanism = mechanism;
                saslPayload = new StringBuilder();
                Send(new IrcMessage(null, ServerName, "AUTHENTICATE", new[] { "+" }));
                return;
            }

            if (argument == "*")
            {
                AbortSasl();
                return;
            }

            if (argument.Length > SaslChunk || saslPayload!.Length + argument.Length > MaxSaslPayload)
            {
                ResetSasl();
                Reply(Numerics.ERR_SASLTOOLONG, "SASL message too long");
                return;
            }

            if (argument != "+") saslPayload.Append(argument);
            if (argument.Length == SaslChunk) return;
            string mechanismUsed = saslMechanism;
            byte[]? payload = Decode(saslPayload.ToString());
            ResetSasl();
            if (payload == null)
            {
                Reply(Numerics.ERR_SASLFAIL, "SASL authentication failed: the message is not base64");
                return;
            }

            if (mechanismUsed == "PLAIN") StartPlain(store, payload);
            else FinishSasl(AccountVerifier.CheckCertificate(store, server.Logins, Remote.Address, ChatAccount.FingerprintOf(Connection.Tls!.RemoteCertificate!), payload.Length == 0 ? null : Encoding.UTF8.GetString(payload)), "EXTERNAL");
        }

        /// <summary>PLAIN: authzid NUL authcid NUL password; an authzid other than the authcid is refused (no one logs in as another).</summary>
        private void StartPlain(IAccountStore store, byte[] payload)
        {
            int first = Array.IndexOf(payload, (byte)0);
            int second = first < 0 ? -1 : Array.IndexOf(payload, (byte)0, first + 1);
            if (second < 0 || Array.IndexOf(payload, (byte)0, second + 1) >= 0)
            {
                Array.Clear(payload, 0, payload.Length);
                Reply(Numerics.ERR_SASLFAIL, "SASL authentication failed: PLAIN wants authzid NUL authcid NUL password");
                return;
            }

            string authzid = Encoding.UTF8.GetString(payload, 0, first);
            string authcid = Encoding.UTF8.GetString(payload, first + 1, second - first - 1);
            var password = new byte[payload.Length - second - 1];
            Buffer.BlockCopy(payload, second + 1, password, 0, password.Length);
            Array.Clear(payload, 0, payload.Length);
            if (authzid.Length > 0 && !CaseMapping.Equals(authzid, authcid))
            {
                Array.Clear(password, 0, password.Length);
                Reply(Numerics.ERR_SASLFAIL, "SASL authentication failed: logging in as another account (authzid) is not allowed");
                return;
            }

            deferral ??= new LineDeferral();
            deferral.Begin();
            AccountVerifier.CheckPasswordAsync(store, server.Logins, Remote.Address, authcid, password).ContinueWith(
                (task, state) =>
                {
                    var member = (IrcMember)state!;
                    if (task.Status == TaskStatus.RanToCompletion) member.FinishSasl(task.Result, "PLAIN");
                    else member.EndDeferral("SASL authentication failed: the account store could not be read");
                },
                this,
                TaskScheduler.Default);
        }

        /// <summary>Answers a checked login; runs on the thread that checked it (lines wait meanwhile).</summary>
        private void FinishSasl(AccountLogin login, string mechanism)
        {
            var verdict = login.Verdict;
            switch (verdict.Outcome)
            {
                case LoginOutcome.Accepted:
                    SaslLoggedIn(login.Account!.Name);
                    EndDeferral(null);
                    return;
                case LoginOutcome.Refused:
                    server.Limits.Add(PSChat.LimitCounter.FailedLogins);
                    if (verdict.ReplyDelay > TimeSpan.Zero)
                    {
                        // The answer waits out the address's delay on the server's timer; lines wait with it.
                        // Its time is set before the events: whoever hears of the refusal may move the clock.
                        deferral ??= new LineDeferral();
                        deferral.Begin();
                        saslRefusal = "SASL authentication failed";
                        Interlocked.Exchange(ref saslRefusalDueTicks, clock.NowTicks + verdict.ReplyDelay.Ticks);
                    }

                    server.Raise(PSChat.ServerEventKind.Rejected, e =>
                    {
                        Describe(e, null);
                        e.Reason = $"SASL {mechanism} login failed ({verdict.Failures} in a row from {Identity.Host})";
                    });
                    if (verdict.LockoutStarted)
                    {
                        RaiseLimited(LockoutLimit, $"{verdict.Failures} failed logins in a row: {Identity.Host} is locked out for {Seconds(verdict.RetryAfter)} s");
                    }

                    if (verdict.ReplyDelay <= TimeSpan.Zero) EndDeferral("SASL authentication failed");
                    return;
                default:
                    bool lockedOut = verdict.Outcome == LoginOutcome.LockedOut;
                    server.Limits.Add(PSChat.LimitCounter.ThrottledLogins);
                    RaiseLimited(lockedOut ? LockoutLimit : DelayLimit, (lockedOut ? "SASL login while locked out" : "SASL login before the last failure's delay was over") + $"; not checked, {Seconds(verdict.RetryAfter)} s to wait");
                    EndDeferral($"SASL authentication failed: too many failed logins from your address; try again in {Seconds(verdict.RetryAfter)} seconds");
                    return;
            }
        }

        /// <summary>Sends the refusal (null after a success), then runs the lines that waited.</summary>
        private void EndDeferral(string? refusal)
        {
            if (refusal != null) Reply(Numerics.ERR_SASLFAIL, refusal);
            deferral?.End(RunLine);
        }

        /// <summary>The server's timer: a delayed 904 whose time has come.</summary>
        private void CheckSaslRefusal(long nowTicks)
        {
            long due = Interlocked.Read(ref saslRefusalDueTicks);
            if (due == NoRefusal || nowTicks < due || Interlocked.CompareExchange(ref saslRefusalDueTicks, NoRefusal, due) != due) return;
            EndDeferral(saslRefusal);
        }

        /// <summary>The I/O thread's side of <see cref="LineDeferral"/>: true when the line waits (or was a flood).</summary>
        private bool HoldDuringLogin(byte[] buffer, int offset, int count, LineTerminator terminator)
        {
            if (!deferral!.Hold(buffer, offset, count, terminator, out bool overflow)) return false;
            if (overflow) OnExcessFlood(LineDeferral.MaxBytes);
            return true;
        }

        private void SaslLoggedIn(string account)
        {
            bool wasRegistered = IsRegistered;
            LogIn(account);
            // Before registration the user name is USER's, not yet in the identity.
            Reply(Numerics.RPL_LOGGEDIN, $"{Nick}!{userName ?? Identity.User}@{Identity.Host}", account, "You are now logged in as " + account);
            Reply(Numerics.RPL_SASLSUCCESS, "SASL authentication successful");
            if (wasRegistered) NotifyNeighbours(Capability.AccountNotify, new IrcMessage(null, Identity.Prefix, "ACCOUNT", new[] { account }), includeSelf: false);
        }

        /// <summary>AUTHENTICATE * or registration ending while an exchange is open: 906.</summary>
        private void AbortSasl()
        {
            if (saslMechanism == null) return;
            ResetSasl();
            Reply(Numerics.ERR_SASLABORTED, "SASL authentication aborted");
        }

        private void ResetSasl()
        {
            saslMechanism = null;
            saslPayload = null;
        }

        /// <summary>
        /// At registration: a server that requires accounts refuses a client that did not log in, and a nick
        /// that is an account's name is only for that account (433, so the client picks another).
        /// </summary>
        private bool AccountAdmits()
        {
            if (server.Options.RequireAccount && Account == null)
            {
                const string Why = "This server requires an account: log in with SASL before registering (Connect-ChatRoom -Credential)";
                server.Raise(PSChat.ServerEventKind.Rejected, e =>
                {
                    Describe(e, null);
                    e.Reason = "not logged in to an account";
                    e.Limit = nameof(ChatServerOptions.RequireAccount);
                });
                Reply(Numerics.ERR_SASLFAIL, Why);
                CloseWithError(Why, "not logged in");
                return false;
            }

            if (NickReservedFor(Nick) is string owner)
            {
                string wanted = Nick;
                if (holdsNick) server.ReleaseNick(this, wanted);
                holdsNick = false;
                Rename("*");
                ReplyNickReserved(wanted, owner);
                return false;
            }

            return true;
        }

        /// <summary>The account whose name <paramref name="nick"/> is, when this member is not logged in to it; else null.</summary>
        private string? NickReservedFor(string nick)
        {
            string? owner = server.AccountNamed(nick);
            return owner != null && !(Account != null && CaseMapping.Equals(owner, Account)) ? owner : null;
        }

        private void ReplyNickReserved(string nick, string owner) =>
            Reply(Numerics.ERR_NICKNAMEINUSE, nick, $"Nickname is reserved for the account {owner}; log in to it with SASL to use it");

        /// <summary>The account tag of a line this member causes, for a receiver that negotiated account-tag (INVITE); null for none.</summary>
        private IReadOnlyDictionary<string, string?>? AccountTagFor(IrcMember receiver) =>
            Account != null && receiver.Has(Capability.AccountTag) ? new Dictionary<string, string?> { ["account"] = Account } : null;

        private static byte[]? Decode(string base64)
        {
            if (base64.Length == 0) return new byte[0];
            try
            {
                return Convert.FromBase64String(base64);
            }
            catch (FormatException)
            {
                return null;
            }
        }
    }
}
