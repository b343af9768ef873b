using System;
using System.Globalization;
using System.Security.Cryptography;
using PSChat.Engine.Server;

namespace PSChat.Engine.Accounts
{
    /// <summary>
    /// A password as an account keeps it: PBKDF2-HMAC-SHA256 of its UTF-8 bytes under a random
    /// per-account salt. Written as <c>pbkdf2-sha256:iterations:salt:hash</c> (base64), never the text.
    /// </summary>
    internal sealed class PasswordHash
    {
        public const string Scheme = "pbkdf2-sha256";

        /// <summary>
        /// New hashes use this many iterations. Measured with the runtime's native PBKDF2 on the project's
        /// shared 2-core machine under load: 280 to 520 ms a check (1.2 s for the managed fallback of
        /// .NET Framework); tens of milliseconds on an idle core. A check never runs on an I/O thread
        /// (see <see cref="AccountVerifier"/>).
        /// </summary>
        public const int DefaultIterations = 100_000;

        /// <summary>The bounds a stored hash must be within: fewer is too weak to trust, more is a CPU bomb in a hostile file.</summary>
        public const int MinIterations = 1_000;
        public const int MaxIterations = 5_000_000;

        private const int SaltBytes = 16;
        private const int HashBytes = 32;

        private readonly byte[] salt;
        private readonly byte[] hash;

        private PasswordHash(int iterations, byte[] salt, byte[] hash)
        {
            Iterations = iterations;
            this.salt = salt;
            this.hash = hash;
        }

        public int Iterations { get; }

        /// <summary>Hashes <paramref name="password"/> (UTF-8 bytes, which the caller wipes) under a fresh salt.</summary>
        public static PasswordHash Create(byte[] password, int iterations = DefaultIterations)
        {
            if (iterations < MinIterations || iterations > MaxIterations) throw new ArgumentOutOfRangeException(nameof(iterations));
            var salt = new byte[SaltBytes];
            using (var random = RandomNumberGenerator.Create()) random.GetBytes(salt);
            return new PasswordHash(iterations, salt, Pbkdf2.DeriveSha256(password, salt, iterations, HashBytes));
        }

        /// <summary>True when <paramref name="password"/> (UTF-8 bytes) is the password; compared in constant time.</summary>
        public bool Matches(byte[] password) =>
            ServerPassword.FixedTimeEquals(Pbkdf2.DeriveSha256(password, salt, Iterations, hash.Length), hash);

        public override string ToString() =>
            string.Join(":", Scheme, Iterations.ToString(CultureInfo.InvariantCulture), Convert.ToBase64String(salt), Convert.ToBase64String(hash));

        /// <summary>Reads the stored form; null with <paramref name="error"/> saying why when it is not one.</summary>
        public static PasswordHash? TryParse(string text, out string? error)
        {
            error = null;
            string[] parts = text.Split(':');
            if (parts.Length != 4 || parts[0] != Scheme)
            {
                error = $"the password hash is not '{Scheme}:iterations:salt:hash'";
                return null;
            }

            if (!int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int iterations) ||
                iterations < MinIterations || iterations > MaxIterations)
            {
                error = $"the iteration count must be a number from {MinIterations} to {MaxIterations}";
                return null;
            }

            byte[]? salt = FromBase64(parts[2]);
            byte[]? hash = FromBase64(parts[3]);
            if (salt == null || salt.Length < 8 || salt.Length > 64)
            {
                error = "the salt must be 8 to 64 bytes of base64";
                return null;
            }

            if (hash == null || hash.Length != HashBytes)
            {
                error = $"the hash must be {HashBytes} bytes of base64";
                return null;
            }

            return new PasswordHash(iterations, salt, hash);
        }

        private static byte[]? FromBase64(string text)
        {
            try
            {
                return Convert.FromBase64String(text);
            }
            catch (FormatException)
            {
                return null;
            }
        }
    }
}
