using System;
using System.Globalization;
using System.Text;

namespace PSChat.Engine.Client.Payloads
{
    /// <summary>
    /// One chunk of a payload on the wire: "id:seq:total:data", the first (seq 1) "id:1:total:meta:data".
    /// Every field is drawn from [0-9a-z,=] and base64, so a record needs no escaping in an IRC tag value
    /// or in CTCP, and a receiver can check it cheaply before keeping anything.
    /// </summary>
    internal sealed class PayloadRecord
    {
        /// <summary>Longest payload id accepted: ids are per sender, random, base36.</summary>
        public const int MaxIdLength = 16;

        /// <summary>The CTCP verb the records travel under where the server relays no tags.</summary>
        public const string CtcpVerb = "PSCHAT";

        /// <summary>The client-only tag the records travel in where the server relays tags (IRCv3 message-tags).</summary>
        public const string TagName = "+pschat";

        private PayloadRecord(string id, int sequence, int total, PayloadMeta? meta, string data)
        {
            Id = id;
            Sequence = sequence;
            Total = total;
            Meta = meta;
            Data = data;
        }

        public string Id { get; }

        /// <summary>1-based.</summary>
        public int Sequence { get; }

        public int Total { get; }

        /// <summary>Only on the first record.</summary>
        public PayloadMeta? Meta { get; }

        /// <summary>Base64 text of this chunk (possibly empty).</summary>
        public string Data { get; }

        /// <summary>The longest header of a record (id, sequence, total and separators): what a chunk's budget leaves out.</summary>
        public static int HeaderLength(int total) =>
            MaxIdLength + 3 + (2 * total.ToString(CultureInfo.InvariantCulture).Length);

        public static string Format(string id, int sequence, int total, PayloadMeta? meta, string data)
        {
            var text = new StringBuilder(id.Length + data.Length + 32);
            text.Append(id).Append(':').Append(sequence.ToString(CultureInfo.InvariantCulture))
                .Append(':').Append(total.ToString(CultureInfo.InvariantCulture)).Append(':');
            if (sequence == 1) text.Append(meta!.Format()).Append(':');
            return text.Append(data).ToString();
        }

        /// <summary>Parses a record; null (with why) when it is not one.</summary>
        public static PayloadRecord? Parse(string text, out string? error)
        {
            error = null;
            string[] parts = text.Split(new[] { ':' }, 5);
            if (parts.Length < 4 || !IsId(parts[0]) || !TryCount(parts[1], out int sequence) || !TryCount(parts[2], out int total) || sequence > total)
            {
                error = "a malformed chunk header";
                return null;
            }

            PayloadMeta? meta = null;
            string data = parts[3];
            if (sequence == 1)
            {
                if (parts.Length != 5 || !PayloadMeta.TryParse(parts[3], out meta))
                {
                    error = "a malformed first chunk";
                    return null;
                }

                data = parts[4];
            }
            else if (parts.Length != 4)
            {
                error = "a malformed chunk";
                return null;
            }

            if (!IsBase64Text(data))
            {
                error = "a chunk that is not base64";
                return null;
            }

            return new PayloadRecord(parts[0], sequence, total, meta, data);
        }

        public static bool IsId(string id)
        {
            if (id.Length == 0 || id.Length > MaxIdLength) return false;
            foreach (char c in id)
            {
                if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z'))) return false;
            }

            return true;
        }

        /// <summary>
        /// One generator for every id, drawn 4 KB (512 ids) at a time: a generator, or a call into it, per id cost
        /// a small object more than the rest of its envelope. The ids stay unpredictable (a reply is routed by
        /// its request's id, so a guessed id could answer someone else's request).
        /// </summary>
        private static readonly System.Security.Cryptography.RandomNumberGenerator IdSource = System.Security.Cryptography.RandomNumberGenerator.Create();
        private static readonly byte[] IdBytes = new byte[4096];
        private static readonly object IdGate = new object();
        private static int idAt = IdBytes.Length;

        /// <summary>A new random id: 12 base36 characters (62 bits), unique enough per sender and request.</summary>
        public static string NewId()
        {
            ulong value;
            lock (IdGate)
            {
                if (idAt > IdBytes.Length - 8)
                {
                    IdSource.GetBytes(IdBytes);
                    idAt = 0;
                }

                value = BitConverter.ToUInt64(IdBytes, idAt);
                idAt += 8;
            }

            var chars = new char[12];
            for (int i = 0; i < chars.Length; i++)
            {
                chars[i] = "0123456789abcdefghijklmnopqrstuvwxyz"[(int)(value % 36)];
                value /= 36;
            }

            return new string(chars);
        }

        private static bool TryCount(string text, out int value) =>
            int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value >= 1 && text.Length <= 9;

        private static bool IsBase64Text(string data)
        {
            foreach (char c in data)
            {
                bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/' || c == '=';
                if (!ok) return false;
            }

            return true;
        }
    }
}
