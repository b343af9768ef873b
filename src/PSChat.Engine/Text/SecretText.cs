using System;
using System.Runtime.InteropServices;
using System.Security;
using System.Text;

namespace PSChat.Engine.Text
{
    /// <summary>The contents of a <see cref="SecureString"/>, for the moment a protocol needs them, through buffers wiped after.</summary>
    internal static class SecretText
    {
        /// <summary>The secret's UTF-8 bytes; the caller wipes them when done.</summary>
        public static byte[] Utf8Bytes(SecureString secret)
        {
            var chars = Characters(secret);
            try
            {
                return Encoding.UTF8.GetBytes(chars);
            }
            finally
            {
                Array.Clear(chars, 0, chars.Length);
            }
        }

        /// <summary>The secret as a string, for a wire format that takes nothing else (IRC's PASS line).</summary>
        public static string Reveal(SecureString secret)
        {
            var chars = Characters(secret);
            try
            {
                return new string(chars);
            }
            finally
            {
                Array.Clear(chars, 0, chars.Length);
            }
        }

        private static char[] Characters(SecureString secret)
        {
            IntPtr unmanaged = Marshal.SecureStringToGlobalAllocUnicode(secret);
            var chars = new char[secret.Length];
            try
            {
                Marshal.Copy(unmanaged, chars, 0, chars.Length);
                return chars;
            }
            finally
            {
                Marshal.ZeroFreeGlobalAllocUnicode(unmanaged);
            }
        }
    }
}
