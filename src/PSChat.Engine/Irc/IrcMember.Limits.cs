using System;
using System.Collections.Generic;
using PSChat.Engine.Rooms;
using PSChat.Engine.Transport;

namespace PSChat.Engine.Irc
{
    /// <summary>
    /// What bounds one command's work: its targets (MaxTargets, duplicates removed) and the output of
    /// replies that can be long (LIST, WHO, NAMES, WHOIS), which count against the requester's send
    /// queue and stop, properly ended, before it would fill.
    /// </summary>
    internal sealed partial class IrcMember
    {
        /// <summary>Room left in the send queue for the end of a cut reply: a NOTICE and the end numeric.</summary>
        private const int ReplyReserveBytes = 2 * 512;

        /// <summary>Every so many lines of a long reply cost the client one more line of flood budget (as ngircd charges LIST and WHO).</summary>
        private const int ReplyLinesPerPenalty = 10;

        // The current long reply's state; commands of one client run one at a time.
        private int replyLines;
        private bool replyCut;

        /// <summary>Limits this client already drew a Limited event for: one event per limit per client, however often it trips.</summary>
        private readonly HashSet<string> limitsReported = new HashSet<string>(StringComparer.Ordinal);

        /// <summary>
        /// The distinct targets of a comma-separated list (compared as the server folds names), at most
        /// MaxTargets of them; past that 407 names the first target left out (not for NOTICE, which
        /// never draws an error).
        /// </summary>
        private List<string> TargetsOf(string list, string command, bool errors)
        {
            int max = server.Options.MaxTargets;
            var targets = new List<string>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (string target in SplitList(list))
            {
                if (!seen.Add(CaseMapping.Fold(target))) continue;
                if (targets.Count == max)
                {
                    if (errors) Reply(Numerics.ERR_TOOMANYTARGETS, target, $"Too many targets: at most {max} per {command}; the rest were not sent to");
                    ReportLimit(nameof(ChatServerOptions.MaxTargets), $"{command} named more than {max} targets");
                    break;
                }

                targets.Add(target);
            }

            return targets;
        }

        /// <summary>The distinct names of a comma-separated list (JOIN, PART), in order.</summary>
        private static List<string> DistinctNames(string list)
        {
            var names = new List<string>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (string name in SplitList(list))
            {
                if (seen.Add(CaseMapping.Fold(name))) names.Add(name);
            }

            return names;
        }

        private void BeginLongReply()
        {
            replyLines = 0;
            replyCut = false;
        }

        /// <summary>
        /// One line of a long reply; false once the reply has been cut (the caller stops its walk: the
        /// work stops with the output). A line that would leave no room for the reply's end cuts it.
        /// </summary>
        private bool ReplyPart(string numeric, params string[] parameters) =>
            !replyCut && SendPart(NumericLine(numeric, parameters));

        /// <summary>As <see cref="ReplyPart"/>, for any line (one in a batch, say).</summary>
        private bool SendPart(IrcMessage message)
        {
            if (replyCut) return false;
            byte[] line = message.ToBoundedBytes();
            // Lines held for a labeled response count as queued: they are sent when the command ends.
            if (Connection.QueuedCost + LabeledBytes + line.Length + SendQueue.EntryCostBytes > server.Options.MaxSendQueue - ReplyReserveBytes)
            {
                replyCut = true;
                return false;
            }

            if (!CaptureForLabel(line)) Connection.Send(line);
            replyLines++;
            return true;
        }

        /// <summary>Ends a long reply: a NOTICE when it was cut, then its end numeric; big replies cost flood budget.</summary>
        private void EndLongReply(string command, string endNumeric, params string[] endParameters)
        {
            ReportCut(command);
            Reply(endNumeric, endParameters);
            Connection.ChargeFlood(replyLines / ReplyLinesPerPenalty);
        }

        /// <summary>Whether the long reply was cut: then the client got a NOTICE and the server counted it.</summary>
        private bool ReportCut(string command)
        {
            if (replyCut)
            {
                server.Limits.Add(PSChat.LimitCounter.TruncatedReplies);
                Send(new IrcMessage(null, ServerName, "NOTICE", new[] { Nick, $"*** {command} reply truncated: your send queue is full" }));
                ReportLimit(nameof(ChatServerOptions.MaxSendQueue), $"{command} reply truncated: the send queue is full");
            }

            return replyCut;
        }

        /// <summary>A Limited event the first time this client trips <paramref name="limit"/>.</summary>
        private void ReportLimit(string limit, string reason)
        {
            if (limitsReported.Add(limit)) RaiseLimited(limit, reason);
        }

        /// <summary>
        /// Parameters joined by spaces into as few lines of <paramref name="numeric"/> as fit 512 bytes,
        /// each after <paramref name="fixedParameters"/> (353 names, 319 channels); false once cut.
        /// </summary>
        private bool ReplySplit(string numeric, string[] fixedParameters, IEnumerable<string> items, string separator = " ")
        {
            var all = new string[fixedParameters.Length + 1];
            Array.Copy(fixedParameters, all, fixedParameters.Length);
            all[fixedParameters.Length] = string.Empty;
            // The line with an empty last parameter (its ':' and CR LF included) leaves this much for the items.
            int budget = IrcMessage.MaxLineBytes - NumericLine(numeric, all).ToBytes().Length;
            var line = new System.Text.StringBuilder();
            int used = 0;
            foreach (string item in items)
            {
                int size = System.Text.Encoding.UTF8.GetByteCount(item);
                if (line.Length > 0 && used + 1 + size > budget)
                {
                    all[fixedParameters.Length] = line.ToString();
                    if (!ReplyPart(numeric, all)) return false;
                    line.Clear();
                    used = 0;
                }

                if (line.Length > 0)
                {
                    line.Append(separator);
                    used += separator.Length;
                }

                line.Append(item);
                used += size;
            }

            if (line.Length == 0) return true;
            all[fixedParameters.Length] = line.ToString();
            return ReplyPart(numeric, all);
        }
    }
}
