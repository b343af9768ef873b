using System.Collections.Generic;
using System.Globalization;

namespace PSChat.Engine.Client.Payloads
{
    /// <summary>
    /// What the first chunk says about the payload, as comma-separated tokens: "o" (the data is a
    /// serialized object), "z" (deflated), "q" (a request: answers carry its id), "r=id" (an answer to
    /// request id), "e=Category" (the answer is a failure, of that PowerShell error category), "n=bytes"
    /// (the length once decoded). Unknown tokens are ignored, for later versions.
    /// </summary>
    internal sealed class PayloadMeta
    {
        public bool IsObject { get; set; }

        public bool Deflated { get; set; }

        public bool IsRequest { get; set; }

        public string? InReplyTo { get; set; }

        /// <summary>Set when the envelope reports a failure: the name of its error category (letters only).</summary>
        public string? ErrorCategory { get; set; }

        public int Length { get; set; }

        public string Format()
        {
            var tokens = new List<string>(5);
            if (IsObject) tokens.Add("o");
            if (Deflated) tokens.Add("z");
            if (IsRequest) tokens.Add("q");
            if (InReplyTo != null) tokens.Add("r=" + InReplyTo);
            if (ErrorCategory != null) tokens.Add("e=" + ErrorCategory);
            tokens.Add("n=" + Length.ToString(CultureInfo.InvariantCulture));
            return string.Join(",", tokens);
        }

        public static bool TryParse(string text, out PayloadMeta? meta)
        {
            meta = null;
            if (text.Length > 128) return false;
            var parsed = new PayloadMeta { Length = -1 };
            foreach (string token in text.Split(','))
            {
                if (token == "o") parsed.IsObject = true;
                else if (token == "z") parsed.Deflated = true;
                else if (token == "q") parsed.IsRequest = true;
                else if (token.StartsWith("r=", System.StringComparison.Ordinal))
                {
                    string id = token.Substring(2);
                    if (!PayloadRecord.IsId(id)) return false;
                    parsed.InReplyTo = id;
                }
                else if (token.StartsWith("e=", System.StringComparison.Ordinal))
                {
                    string category = token.Substring(2);
                    if (!IsCategoryName(category)) return false;
                    parsed.ErrorCategory = category;
                }
                else if (token.StartsWith("n=", System.StringComparison.Ordinal))
                {
                    if (!int.TryParse(token.Substring(2), NumberStyles.None, CultureInfo.InvariantCulture, out int length)) return false;
                    parsed.Length = length;
                }
            }

            if (parsed.Length < 0) return false;
            meta = parsed;
            return true;
        }

        /// <summary>An error category's name as it may travel: 1 to 40 ASCII letters.</summary>
        public static bool IsCategoryName(string? name)
        {
            if (string.IsNullOrEmpty(name) || name!.Length > 40) return false;
            foreach (char c in name)
            {
                if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))) return false;
            }

            return true;
        }
    }
}
