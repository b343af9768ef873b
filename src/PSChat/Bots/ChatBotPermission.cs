using System;
using System.Collections;
using System.Linq;
using System.Management.Automation;

namespace PSChat.Commands.Bots
{
    /// <summary>Who must confirm a command that asks for confirmation.</summary>
    public enum ChatBotConfirmer
    {
        /// <summary>The caller, or anyone else allowed to run the command.</summary>
        Anyone,

        /// <summary>Someone allowed to run the command other than the caller (four eyes).</summary>
        Other,
    }

    /// <summary>
    /// Who may run a command, and where. Accounts (IRCv3 account-tag, SASL) are checked when the
    /// message carries one; nicks only for messages without an account, and a nick is only as good as
    /// the server's nick protection (anyone can take a free nick): say so in your bot's docs.
    /// </summary>
    public sealed class ChatBotPermission
    {
        /// <summary>Accounts allowed (wildcards); empty with Nick empty: everyone.</summary>
        public string[] Account { get; set; } = new string[0];

        /// <summary>Nicks allowed for senders without an account (wildcards).</summary>
        public string[] Nick { get; set; } = new string[0];

        /// <summary>Rooms the command runs in; empty: every room and private messages.</summary>
        public string[] Room { get; set; } = new string[0];

        /// <summary>Ask for !confirm even if the command does not declare ConfirmImpact High.</summary>
        public bool Confirm { get; set; }

        /// <summary>Who may confirm.</summary>
        public ChatBotConfirmer ConfirmBy { get; set; }

        /// <summary>A hashtable such as @{ Account = 'alice'; Room = '#ops'; ConfirmBy = 'Other' } as a permission.</summary>
        internal static ChatBotPermission FromHashtable(IDictionary table)
        {
            var permission = new ChatBotPermission();
            foreach (DictionaryEntry entry in table)
            {
                string key = entry.Key?.ToString() ?? string.Empty;
                switch (key.ToLowerInvariant())
                {
                    case "account": permission.Account = Strings(entry.Value); break;
                    case "nick": permission.Nick = Strings(entry.Value); break;
                    case "room": permission.Room = Strings(entry.Value); break;
                    case "confirm": permission.Confirm = LanguagePrimitives.IsTrue(entry.Value); break;
                    case "confirmby": permission.ConfirmBy = LanguagePrimitives.ConvertTo<ChatBotConfirmer>(entry.Value); break;
                    default: throw new ArgumentException($"Unknown permission key '{key}': use Account, Nick, Room, Confirm or ConfirmBy.");
                }
            }

            return permission;
        }

        /// <summary>Null when allowed; otherwise why not, as the caller is told.</summary>
        internal string? Check(string sender, string? account, string? room)
        {
            if (Room.Length > 0 && (room == null || !Matches(Room, room))) return "not in this room";
            if (Account.Length == 0 && Nick.Length == 0) return null;
            if (account != null) return Matches(Account, account) ? null : "not for your account";
            return Matches(Nick, sender) ? null : Account.Length > 0 ? "only for logged-in accounts" : "not for your nick";
        }

        private static bool Matches(string[] patterns, string value) =>
            patterns.Any(p => new WildcardPattern(p, WildcardOptions.IgnoreCase).IsMatch(value));

        private static string[] Strings(object? value) =>
            LanguagePrimitives.ConvertTo<string[]>(value is PSObject o ? o.BaseObject : value) ?? new string[0];
    }
}
