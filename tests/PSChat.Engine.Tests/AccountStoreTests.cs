using System;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using PSChat.Engine.Accounts;
using Xunit;

namespace PSChat.Engine.Tests
{
    /// <summary>The account store file and its PBKDF2-HMAC-SHA256 hashes.</summary>
    public sealed class AccountStoreTests : IDisposable
    {
        private readonly string folder = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "pschat-accounts-" + Guid.NewGuid().ToString("N"))).FullName;

        public void Dispose() => Directory.Delete(folder, recursive: true);

        private string StorePath => Path.Combine(folder, "accounts.txt");

        /// <summary>RFC 7914 section 11 (PBKDF2-HMAC-SHA256) and the widely published "password"/"salt" vectors.</summary>
        [Theory]
        [InlineData("passwd", "salt", 1, "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783")]
        [InlineData("Password", "NaCl", 80000, "4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56a1d425a1225833549adb841b51c9b3176a272bdebba1d078478f62b397f33c8d")]
        [InlineData("password", "salt", 1, "120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b")]
        [InlineData("password", "salt", 4096, "c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a")]
        public void Pbkdf2Sha256MatchesPublishedVectors(string password, string salt, int iterations, string expected)
        {
            byte[] p = Encoding.UTF8.GetBytes(password);
            byte[] s = Encoding.UTF8.GetBytes(salt);
            int length = expected.Length / 2;
            Assert.Equal(expected, Hex(Pbkdf2.Managed(p, s, iterations, length)));
            Assert.Equal(expected, Hex(Pbkdf2.DeriveSha256(p, s, iterations, length)));
        }

        [Fact]
        public void AccountsSurviveReopeningAndTheFileHoldsNoPassword()
        {
            var store = AccountFile.Open(StorePath);
            string fingerprint = new string('a', 64);
            store.Save(ChatAccount.Create("Jilles", Secret.Of("sesame"), new[] { fingerprint }));

            var reopened = AccountFile.Open(StorePath);
            var account = reopened.Find("JILLES");
            Assert.NotNull(account);
            Assert.Equal("Jilles", account!.Name);
            Assert.True(account.Password!.Matches(Encoding.UTF8.GetBytes("sesame")));
            Assert.False(account.Password.Matches(Encoding.UTF8.GetBytes("sesamE")));
            Assert.Same(account, reopened.FindByFingerprint(fingerprint.ToUpperInvariant()));
            string text = File.ReadAllText(StorePath);
            Assert.DoesNotContain("sesame", text);
            Assert.Contains("\tpbkdf2-sha256:100000:", text);
            Assert.Equal(new[] { StorePath }, Directory.GetFiles(folder));
            if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(StorePath));
        }

        [Fact]
        public void ABadLineIsAnErrorNamingTheLine()
        {
            AccountFile.Open(StorePath).Save(ChatAccount.Create("alice", Secret.Of("pw"), new string[0]));
            File.AppendAllText(StorePath, "# a comment\nbob\tpbkdf2-sha256:1:AAAA:BBBB\t-\t2026-01-01T00:00:00.0000000Z\n");

            var error = Assert.Throws<InvalidDataException>(() => AccountFile.Open(StorePath));
            Assert.Contains("line 4", error.Message);
            Assert.Contains("iteration count", error.Message);
        }

        [Fact]
        public void AnOversizedFileOrLineIsRefusedWithoutReadingItAll()
        {
            File.WriteAllText(StorePath, new string('x', AccountFile.MaxLineChars + 1) + "\n");
            Assert.Contains("line 1: longer than", Assert.Throws<InvalidDataException>(() => AccountFile.Open(StorePath)).Message);

            using (var stream = File.Create(StorePath)) stream.SetLength(AccountFile.MaxFileBytes + 1);
            Assert.Contains("at most", Assert.Throws<InvalidDataException>(() => AccountFile.Open(StorePath)).Message);
        }

        [Fact]
        public void ACertificateBindsToOneAccountAndNamesMustBeNicks()
        {
            var store = AccountFile.Open(StorePath);
            string fingerprint = new string('b', 64);
            store.Save(ChatAccount.Create("alice", null, new[] { fingerprint }));

            Assert.Throws<ArgumentException>(() => store.Save(ChatAccount.Create("bob", Secret.Of("pw"), new[] { fingerprint })));
            Assert.Throws<ArgumentException>(() => store.Save(ChatAccount.Create("#bob", Secret.Of("pw"), new string[0])));
            Assert.Throws<ArgumentException>(() => store.Save(ChatAccount.Create("carol", null, new string[0])));
            Assert.Equal(new[] { "alice" }, AccountFile.Open(StorePath).GetAll().Select(a => a.Name));
            Assert.True(store.Remove("ALICE"));
            Assert.Empty(AccountFile.Open(StorePath).GetAll());
        }

        /// <summary>Another process (irctest's controller, an editor) changes the file: the open store sees it, and keeps its accounts when the change is bad.</summary>
        [Fact]
        public void ChangesAnotherProcessMakesAreSeenAndABadChangeKeepsTheOldAccounts()
        {
            var served = AccountFile.Open(StorePath);
            Assert.Null(served.Find("alice"));
            AccountFile.Open(StorePath).Save(ChatAccount.Create("alice", Secret.Of("pw"), new string[0]));

            Assert.True(SpinWait.SpinUntil(() => served.Find("alice") != null, 5000));
            File.AppendAllText(StorePath, "garbage\n");
            Assert.True(SpinWait.SpinUntil(() => served.LastReloadError != null || served.Find("zed") != null, 5000));
            Assert.Contains("line 3", served.LastReloadError);
            Assert.NotNull(served.Find("alice"));
        }

        private static string Hex(byte[] bytes) => string.Concat(bytes.Select(b => b.ToString("x2")));
    }
}
