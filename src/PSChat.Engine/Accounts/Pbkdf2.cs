using System;
using System.Reflection;
using System.Security.Cryptography;

namespace PSChat.Engine.Accounts
{
    /// <summary>
    /// PBKDF2 with HMAC-SHA256 (RFC 8018). netstandard2.0's Rfc2898DeriveBytes only does SHA-1, so the
    /// runtime's one-shot <c>Rfc2898DeriveBytes.Pbkdf2(..., HashAlgorithmName)</c> (.NET 6 and later,
    /// native code) is used when the process has it, and <see cref="Managed"/> otherwise (Windows
    /// PowerShell 5.1 on .NET Framework). Both are checked against the same published vectors.
    /// </summary>
    internal static class Pbkdf2
    {
        private static readonly Func<byte[], byte[], int, int, byte[]>? Native = FindNative();

        /// <summary>True when the runtime's native PBKDF2 is used.</summary>
        public static bool IsNative => Native != null;

        public static byte[] DeriveSha256(byte[] password, byte[] salt, int iterations, int length) =>
            Native != null ? Native(password, salt, iterations, length) : Managed(password, salt, iterations, length);

        /// <summary>PBKDF2-HMAC-SHA256 in managed code: T_i = U_1 xor ... xor U_c, U_1 = HMAC(P, S || INT(i)), U_j = HMAC(P, U_j-1).</summary>
        internal static byte[] Managed(byte[] password, byte[] salt, int iterations, int length)
        {
            if (iterations < 1) throw new ArgumentOutOfRangeException(nameof(iterations));
            if (length < 1) throw new ArgumentOutOfRangeException(nameof(length));
            var result = new byte[length];
            var block = new byte[salt.Length + 4];
            Buffer.BlockCopy(salt, 0, block, 0, salt.Length);
            using var hmac = new HMACSHA256(password);
            int done = 0;
            for (uint index = 1; done < length; index++)
            {
                block[salt.Length] = (byte)(index >> 24);
                block[salt.Length + 1] = (byte)(index >> 16);
                block[salt.Length + 2] = (byte)(index >> 8);
                block[salt.Length + 3] = (byte)index;
                byte[] u = hmac.ComputeHash(block);
                byte[] t = (byte[])u.Clone();
                for (int j = 1; j < iterations; j++)
                {
                    u = hmac.ComputeHash(u);
                    for (int k = 0; k < t.Length; k++) t[k] ^= u[k];
                }

                int take = Math.Min(t.Length, length - done);
                Buffer.BlockCopy(t, 0, result, done, take);
                done += take;
            }

            return result;
        }

        private static Func<byte[], byte[], int, int, byte[]>? FindNative()
        {
            var method = typeof(Rfc2898DeriveBytes).GetMethod(
                "Pbkdf2",
                BindingFlags.Public | BindingFlags.Static,
                null,
                new[] { typeof(byte[]), typeof(byte[]), typeof(int), typeof(HashAlgorithmName), typeof(int) },
                null);
            if (method == null) return null;
            return (password, salt, iterations, length) =>
            {
                try
                {
                    return (byte[])method.Invoke(null, new object[] { password, salt, iterations, HashAlgorithmName.SHA256, length });
                }
                catch (TargetInvocationException ex) when (ex.InnerException != null)
                {
                    throw ex.InnerException;
                }
            };
        }
    }
}
