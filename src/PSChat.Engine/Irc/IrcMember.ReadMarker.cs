using System;
using System.Collections.Generic;
using System.Globalization;
using PSChat.Engine.Rooms;

namespace PSChat.Engine.Irc
{
    /// <summary>
    /// IRCv3 <c>draft/read-marker</c>: MARKREAD keeps, per target, when this client last read it (a
    /// timestamp that only moves forward), and JOIN tells it before the end of NAMES. Markers live as
    /// long as the connection, at most <see cref="ChatServerOptions.MaxReadMarkers"/> targets.
    /// </summary>
    internal sealed partial class IrcMember
    {
        /// <summary>Folded target to its read timestamp; only this client's own commands touch it.</summary>
        private readonly Dictionary<string, DateTime> readMarkers = new Dictionary<string, DateTime>(StringComparer.Ordinal);

        private static void AddReadMarkerCommands(Dictionary<string, Command> table)
        {
            // No minimum: a MARKREAD without a target is answered FAIL MARKREAD NEED_MORE_PARAMS, not 461.
            table["MARKREAD"] = new Command((m, msg) => m.OnMarkRead(msg), 0);
        }

        /// <summary>MARKREAD target (get) or MARKREAD target timestamp=... (set; the later one wins).</summary>
        private void OnMarkRead(IrcMessage message)
        {
            int max = server.Options.MaxReadMarkers;
            if (max <= 0)
            {
                Reply(Numerics.ERR_UNKNOWNCOMMAND, message.Command, "Unknown command");
                return;
            }

            if (message.Parameters.Count == 0 || message.Parameters[0].Length == 0)
            {
                Send(FailLine("MARKREAD", new[] { "NEED_MORE_PARAMS", "MARKREAD needs a target" }));
                return;
            }

            string target = message.Parameters[0];
            if (!IrcNames.IsValidChannel(target) && !IrcNames.IsValidNick(target))
            {
                Send(FailLine("MARKREAD", new[] { "INVALID_PARAMS", target, "Invalid target" }));
                return;
            }

            string folded = CaseMapping.Fold(target);
            if (message.Parameters.Count > 1)
            {
                string stamp = message.Parameters[1];
                if (!stamp.StartsWith("timestamp=", StringComparison.Ordinal) ||
                    !DateTimeOffset.TryParse(stamp.Substring(10), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
                {
                    Send(FailLine("MARKREAD", new[] { "INVALID_PARAMS", target, "Use timestamp=<RFC 3339 UTC time>" }));
                    return;
                }

                if (readMarkers.TryGetValue(folded, out var kept))
                {
                    if (time.UtcDateTime > kept) readMarkers[folded] = time.UtcDateTime;
                }
                else if (readMarkers.Count >= max)
                {
                    Send(FailLine("MARKREAD", new[] { "LIMIT_REACHED", target, $"Read markers are kept for at most {max} targets" }));
                    ReportLimit(nameof(ChatServerOptions.MaxReadMarkers), $"MARKREAD past {max} targets");
                    return;
                }
                else
                {
                    readMarkers[folded] = time.UtcDateTime;
                }
            }

            SendReadMarker(target, folded);
        }

        /// <summary>On JOIN, before the end of NAMES: the channel's read marker, for a client that asked for them.</summary>
        private void AnnounceReadMarker(ChatRoom room)
        {
            if (server.Options.MaxReadMarkers > 0 && Has(Capability.ReadMarker)) SendReadMarker(room.Name, CaseMapping.Fold(room.Name));
        }

        private void SendReadMarker(string target, string folded)
        {
            string value = readMarkers.TryGetValue(folded, out var time) ? "timestamp=" + IrcEventEncoder.FormatTime(time) : "*";
            Send(new IrcMessage(null, ServerName, "MARKREAD", new[] { target, value }));
        }
    }
}
