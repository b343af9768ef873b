using System;
using System.Collections.Generic;
using System.Linq;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using PSChat.Engine.Accounts;

namespace PSChat
{
    /// <summary>
    /// An account of a chat server's account store, as Get-ChatAccount writes it: the name, whether it
    /// has a password, and the SHA-256 fingerprints of the client certificates that log in to it by
    /// SASL EXTERNAL. The password hash stays inside the engine.
    /// </summary>
    public sealed class ChatAccount
    {
        internal ChatAccount(string name, PasswordHash? password, IEnumerable<string> fingerprints, DateTime created)
        {
            Name = name;
            Password = password;
            CertificateFingerprint = fingerprints.ToArray();
            Created = created;
        }

        /// <summary>The account name; also the nick reserved for it.</summary>
        public string Name { get; }

        /// <summary>True when the account logs in with a password (SASL PLAIN, /login).</summary>
        public bool HasPassword => Password != null;

        /// <summary>Lower-case hex SHA-256 fingerprints of the certificates bound to the account (SASL EXTERNAL).</summary>
        public string[] CertificateFingerprint { get; }

        /// <summary>When the account was made (UTC).</summary>
        public DateTime Created { get; }

        internal PasswordHash? Password { get; }

        /// <summary>The SHA-256 fingerprint of a certificate as accounts keep it: lower-case hex, no separators.</summary>
        public static string FingerprintOf(X509Certificate2 certificate)
        {
            if (certificate == null) throw new ArgumentNullException(nameof(certificate));
            using var sha = SHA256.Create();
            return Hex(sha.ComputeHash(certificate.RawData));
        }

        /// <summary>
        /// A fingerprint as typed (upper or lower case, with or without ':' or spaces) in the stored form;
        /// null when it is not 32 bytes of hex.
        /// </summary>
        public static string? NormalizeFingerprint(string text)
        {
            if (text == null) return null;
            var chars = new List<char>(64);
            foreach (char c in text)
            {
                if (c == ':' || c == ' ' || c == '-') continue;
                char lower = char.ToLowerInvariant(c);
                if (!((lower >= '0' && lower <= '9') || (lower >= 'a' && lower <= 'f'))) return null;
                chars.Add(lower);
            }

            return chars.Count == 64 ? new string(chars.ToArray()) : null;
        }

        /// <summary>A new account: the password (null or empty for none) is hashed here, its bytes wiped after.</summary>
        internal static ChatAccount Create(string name, System.Security.SecureString? password, IEnumerable<string> fingerprints) =>
            new ChatAccount(name, HashOf(password), fingerprints, DateTime.UtcNow);

        /// <summary>This account with another password (null keeps it) and, when given, other fingerprints.</summary>
        internal ChatAccount With(System.Security.SecureString? password, IEnumerable<string>? fingerprints) =>
            new ChatAccount(Name, password == null ? Password : HashOf(password), fingerprints ?? CertificateFingerprint, Created);

        private static PasswordHash? HashOf(System.Security.SecureString? password)
        {
            if (password == null || password.Length == 0) return null;
            byte[] bytes = Engine.Text.SecretText.Utf8Bytes(password);
            try
            {
                return PasswordHash.Create(bytes);
            }
            finally
            {
                Array.Clear(bytes, 0, bytes.Length);
            }
        }

        public override string ToString() => Name;

        private static string Hex(byte[] bytes)
        {
            var chars = new char[bytes.Length * 2];
            const string Digits = "0123456789abcdef";
            for (int i = 0; i < bytes.Length; i++)
            {
                chars[2 * i] = Digits[bytes[i] >> 4];
                chars[2 * i + 1] = Digits[bytes[i] & 15];
            }

            return new string(chars);
        }
    }
}
