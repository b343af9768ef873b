using System;
using System.Security;
using System.Security.Cryptography;
using System.Text;
using PSChat.Engine.Text;

namespace PSChat.Engine.Server
{
    /// <summary>
    /// A server password as the server keeps it: an HMAC-SHA256 of its UTF-8 bytes under a random key
    /// made at start, never the text. A candidate is hashed the same way and the two digests compared
    /// in constant time, so neither the time a check takes nor a memory dump tells the password (its
    /// length included). netstandard2.0 has no CryptographicOperations.FixedTimeEquals, hence
    /// <see cref="FixedTimeEquals"/>.
    /// </summary>
    internal sealed class ServerPassword
    {
        private readonly byte[] key;
        private readonly byte[] digest;

        private ServerPassword(byte[] key, byte[] digest)
        {
            this.key = key;
            this.digest = digest;
        }

        /// <summary>The password held in <paramref name="secret"/>; null when there is none (null or empty).</summary>
        public static ServerPassword? From(SecureString? secret)
        {
            if (secret == null || secret.Length == 0) return null;
            var key = new byte[32];
            using (var random = RandomNumberGenerator.Create()) random.GetBytes(key);
            byte[] bytes = SecretText.Utf8Bytes(secret);
            try
            {
                return new ServerPassword(key, Hash(key, bytes));
            }
            finally
            {
                Array.Clear(bytes, 0, bytes.Length);
            }
        }

        /// <summary>True when <paramref name="candidate"/> (what a client sent; null when it sent none) is the password.</summary>
        public bool Matches(string? candidate)
        {
            byte[] bytes = Encoding.UTF8.GetBytes(candidate ?? string.Empty);
            try
            {
                return candidate != null && FixedTimeEquals(Hash(key, bytes), digest);
            }
            finally
            {
                Array.Clear(bytes, 0, bytes.Length);
            }
        }

        /// <summary>Equal arrays, in a time that depends only on their length (a digest's, fixed).</summary>
        internal static bool FixedTimeEquals(byte[] left, byte[] right)
        {
            if (left.Length != right.Length) return false;
            int difference = 0;
            for (int i = 0; i < left.Length; i++) difference |= left[i] ^ right[i];
            return difference == 0;
        }

        private static byte[] Hash(byte[] key, byte[] bytes)
        {
            using var hmac = new HMACSHA256(key);
            return hmac.ComputeHash(bytes);
        }
    }
}
