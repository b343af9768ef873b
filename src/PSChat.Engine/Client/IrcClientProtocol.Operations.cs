using System;
using System.Collections.Generic;
using System.Threading;
using PSChat.Engine.Irc;

namespace PSChat.Engine.Client
{
    /// <summary>Commands a script waits on (<see cref="IrcOperation"/>): sent paced, answered in order.</summary>
    internal sealed partial class IrcClientProtocol
    {
        private const string MarkerPrefix = "pschat-op-";
        private static int lastMarker;

        /// <summary>Operations waiting for their answer, oldest first (under <see cref="gate"/>).</summary>
        private readonly List<IrcOperation> operations = new List<IrcOperation>();

        private readonly RoomRoster roster = new RoomRoster();

        /// <summary>The operation whose answer the line being handled is part of, for the messages it becomes.</summary>
        private IrcOperation? answering;

        /// <summary>Who is in a room (or in any of the session's rooms, for null), as the server told.</summary>
        internal string[] Members(string? room) => roster.Members(room == null ? null : NormaliseRoom(room), Support);

        /// <summary>A token for the PING after a command whose success may be silent.</summary>
        internal static string NewMarker() => MarkerPrefix + Interlocked.Increment(ref lastMarker).ToString(System.Globalization.CultureInfo.InvariantCulture);

        /// <summary>Sends the command (and its marker) through the pacer and starts listening for the answer.</summary>
        internal IrcOperation Start(IrcOperation operation, byte[] line)
        {
            if (line.Length > Support.LineLength)
            {
                throw new ArgumentException($"The command is {line.Length} bytes with its line end; the server takes at most {Support.LineLength}.", "command");
            }

            lock (gate) operations.Add(operation);
            try
            {
                Session.SendPaced(line);
                if (operation.Marker != null) Session.SendPaced(new IrcMessage("PING", operation.Marker).ToBytes());
            }
            catch
            {
                Forget(operation);
                throw;
            }

            return operation;
        }

        /// <summary>JOIN, answered by our JOIN or a refusal naming the channel; null when already in it (the server would say nothing).</summary>
        internal IrcOperation? StartJoin(string room, string? key)
        {
            string channel = NormaliseRoom(room);
            foreach (string joined in Session.Rooms)
            {
                if (Support.SameName(joined, channel)) return null;
            }

            lock (gate) joining.Add(channel);
            var command = key == null ? new IrcMessage("JOIN", channel) : new IrcMessage("JOIN", channel, key);
            return Start(new IrcOperation(command, "JOIN", new[] { channel }, null, collects: false));
        }

        internal IrcOperation StartPart(string room, string? reason)
        {
            string channel = NormaliseRoom(room);
            var command = reason == null ? new IrcMessage("PART", channel) : new IrcMessage("PART", channel, reason);
            return Start(new IrcOperation(command, "PART", new[] { channel }, null, collects: false));
        }

        internal IrcOperation StartTopic(string room, string topic)
        {
            string channel = NormaliseRoom(room);
            return Start(new IrcOperation(new IrcMessage("TOPIC", channel, topic), "TOPIC", new[] { channel }, null, collects: false));
        }

        internal IrcOperation StartKick(string room, string nick, string? reason)
        {
            string channel = NormaliseRoom(room);
            var command = reason == null ? new IrcMessage("KICK", channel, nick) : new IrcMessage("KICK", channel, nick, reason);
            return Start(new IrcOperation(command, "KICK", new[] { channel, nick }, null, collects: false) { EchoSecond = nick });
        }

        /// <summary>MODE; a change that changes nothing is answered by nothing, so a marker ends the wait.</summary>
        internal IrcOperation StartMode(string target, string modes, string[] arguments)
        {
            string normalised = Support.SameName(target, Session.Name) ? target : NormaliseRoom(target); // our own user modes, or a room
            var parameters = new List<string> { normalised, modes };
            parameters.AddRange(arguments);
            return Start(new IrcOperation(new IrcMessage("MODE", parameters.ToArray()), "MODE", new[] { normalised }, NewMarker(), collects: false));
        }

        /// <summary>NICK; answered by our NICK or a refusal; null when the name is already ours, exactly.</summary>
        internal IrcOperation? StartNick(string name)
        {
            if (string.Equals(name, Session.Name, StringComparison.Ordinal)) return null;
            return Start(new IrcOperation(new IrcMessage("NICK", name), "NICK", new[] { name }, NewMarker(), collects: false));
        }

        /// <summary>A raw line, sent as given; its answer is everything up to the marker.</summary>
        internal IrcOperation StartRaw(string line, IrcMessage parsed) =>
            Start(new IrcOperation(parsed, null, new string[0], NewMarker(), collects: true), System.Text.Encoding.UTF8.GetBytes(line + "\r\n"));

        private IrcOperation Start(IrcOperation operation) => Start(operation, operation.Command.ToBytes());

        internal void Forget(IrcOperation operation)
        {
            lock (gate) operations.Remove(operation);
        }

        /// <summary>A message the line being handled became: part of a raw command's answer when it answers one.</summary>
        internal void Collect(ChatMessage message) => answering?.Collect(message);

        /// <summary>
        /// <see cref="Handle"/> with the waiting operations shown the line first: the one it answers
        /// collects what the line becomes, and completes once the line is handled (the session's rooms
        /// and name are up to date by then).
        /// </summary>
        private void HandleAnswering(IrcMessage message, string line)
        {
            IrcOperation? done = null;
            foreach (var operation in operations)
            {
                if (!operation.Observe(message, Support, Session.Name, out bool complete)) continue;
                answering = operation;
                if (complete) done = operation;
                break;
            }

            if (done != null) operations.Remove(done);
            roster.Observe(message, Support, Session.Name);
            try
            {
                Handle(message, line);
            }
            finally
            {
                answering = null;
                done?.Complete();
            }
        }
    }
}
