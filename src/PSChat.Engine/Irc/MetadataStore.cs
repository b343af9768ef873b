using System;
using System.Collections.Generic;
using System.Text;

namespace PSChat.Engine.Irc
{
    /// <summary>
    /// The IRCv3 metadata of one user or channel: keys (folded to lower case) and their values, in the
    /// order they were first set. Other members read it while its owner changes it, so it locks.
    /// </summary>
    internal sealed class MetadataStore
    {
        /// <summary>The longest key: with <see cref="MaxValueBytes"/>, a 761 line still fits 512 bytes.</summary>
        public const int MaxKeyLength = 64;

        /// <summary>The longest value in UTF-8 bytes (irctest assumes every server refuses 480).</summary>
        public const int MaxValueBytes = 300;

        private readonly List<KeyValuePair<string, string>> entries = new List<KeyValuePair<string, string>>();

        public enum SetResult
        {
            Set,
            LimitReached,
        }

        /// <summary>Keys: A-Z a-z 0-9 _ . : -, not starting with ':', case-insensitive (compared folded).</summary>
        public static bool IsValidKey(string key)
        {
            if (key.Length == 0 || key.Length > MaxKeyLength || key[0] == ':') return false;
            foreach (char c in key)
            {
                bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == ':' || c == '-';
                if (!ok) return false;
            }

            return true;
        }

        /// <summary>The key as stored and compared: ASCII lower case (keys are ASCII).</summary>
        public static string Fold(string key) => key.ToLowerInvariant();

        public static bool IsValidValue(string value) => Encoding.UTF8.GetByteCount(value) <= MaxValueBytes;

        public int Count
        {
            get
            {
                lock (entries) return entries.Count;
            }
        }

        /// <summary>Sets <paramref name="key"/> (folded); a new key past <paramref name="maxKeys"/> is refused.</summary>
        public SetResult Set(string key, string value, int maxKeys)
        {
            lock (entries)
            {
                int index = IndexOf(key);
                if (index >= 0)
                {
                    entries[index] = new KeyValuePair<string, string>(key, value);
                    return SetResult.Set;
                }

                if (entries.Count >= maxKeys) return SetResult.LimitReached;
                entries.Add(new KeyValuePair<string, string>(key, value));
                return SetResult.Set;
            }
        }

        /// <summary>Removes <paramref name="key"/> (folded); false when it was not set.</summary>
        public bool Remove(string key)
        {
            lock (entries)
            {
                int index = IndexOf(key);
                if (index < 0) return false;
                entries.RemoveAt(index);
                return true;
            }
        }

        public string? Get(string key)
        {
            lock (entries)
            {
                int index = IndexOf(key);
                return index < 0 ? null : entries[index].Value;
            }
        }

        public KeyValuePair<string, string>[] Snapshot()
        {
            lock (entries) return entries.ToArray();
        }

        /// <summary>Removes every key and returns what was set.</summary>
        public KeyValuePair<string, string>[] Clear()
        {
            lock (entries)
            {
                var all = entries.ToArray();
                entries.Clear();
                return all;
            }
        }

        private int IndexOf(string key)
        {
            for (int i = 0; i < entries.Count; i++)
            {
                if (string.Equals(entries[i].Key, key, StringComparison.Ordinal)) return i;
            }

            return -1;
        }
    }
}
