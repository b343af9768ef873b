using System;

namespace PSChat.Engine.Irc
{
    /// <summary>The IRCv3 capabilities the server offers.</summary>
    [Flags]
    internal enum Capability
    {
        None = 0,
        ServerTime = 1,
        MessageTags = 2,
        EchoMessage = 4,
        MultiPrefix = 8,
    }

    internal static class Capabilities
    {
        /// <summary>In the order CAP LS lists them.</summary>
        public static readonly (string Name, Capability Flag)[] Offered =
        {
            ("echo-message", Capability.EchoMessage),
            ("message-tags", Capability.MessageTags),
            ("multi-prefix", Capability.MultiPrefix),
            ("server-time", Capability.ServerTime),
        };

        public static Capability Find(string name)
        {
            foreach (var offered in Offered)
            {
                if (offered.Name == name) return offered.Flag;
            }

            return Capability.None;
        }

        public static string Names(Capability set)
        {
            var names = new System.Collections.Generic.List<string>();
            foreach (var offered in Offered)
            {
                if ((set & offered.Flag) != 0) names.Add(offered.Name);
            }

            return string.Join(" ", names);
        }
    }
}
