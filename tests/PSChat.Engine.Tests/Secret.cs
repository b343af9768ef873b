using System.Security;

namespace PSChat.Engine.Tests
{
    /// <summary>Passwords for tests, as the options take them.</summary>
    internal static class Secret
    {
        public static SecureString Of(string text)
        {
            var secret = new SecureString();
            foreach (char c in text) secret.AppendChar(c);
            secret.MakeReadOnly();
            return secret;
        }
    }
}
