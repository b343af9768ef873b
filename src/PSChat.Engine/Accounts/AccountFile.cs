using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text;
using PSChat.Engine.Irc;
using PSChat.Engine.Rooms;

namespace PSChat.Engine.Accounts
{
    /// <summary>
    /// The account store a server owns: a UTF-8 text file, one account a line,
    /// <c>name TAB pbkdf2-sha256:iterations:salt:hash (or -) TAB fingerprints (comma separated, or -) TAB created</c>,
    /// lines starting with '#' ignored. Read once when opened and kept in memory; every change is written
    /// whole to a temporary file in the same folder (mode 600 on Unix) and renamed over the old one, so a
    /// reader or a crash sees the old file or the new, never half. The file is treated as hostile: it
    /// may be at most <see cref="MaxFileBytes"/>, and a bad line is an error naming the line. Changes
    /// another process makes to the file are seen within <see cref="RecheckInterval"/>: a lookup looks
    /// at the file's time and size at most that often (one stat call) and reads it again when they
    /// changed; a file that turned bad leaves the accounts as they were, and <see cref="LastReloadError"/> says why.
    /// </summary>
    internal sealed class AccountFile : IAccountStore
    {
        public const int MaxFileBytes = 4 * 1024 * 1024;
        public const int MaxLineChars = 4096;
        public const int MaxFingerprints = 16;
        private const string Header = "# PSChat account store: name, PBKDF2-SHA256 password hash, certificate SHA-256 fingerprints, created (UTC). Edit with New-ChatAccount, Set-ChatAccount, Remove-ChatAccount.";

        /// <summary>How often lookups look for changes other processes made to the file.</summary>
        public static readonly TimeSpan RecheckInterval = TimeSpan.FromMilliseconds(250);

        private readonly object gate = new object();
        private readonly System.Diagnostics.Stopwatch sinceCheck = System.Diagnostics.Stopwatch.StartNew();
        private FileStamp stamp;
        private Dictionary<string, ChatAccount> byName;
        private Dictionary<string, ChatAccount> byFingerprint;

        private AccountFile(string path, Dictionary<string, ChatAccount> accounts)
        {
            Location = path;
            byName = accounts;
            byFingerprint = IndexFingerprints(accounts.Values);
            stamp = FileStamp.Of(path);
        }

        public string Location { get; }

        /// <summary>Why the last change another process made could not be read (the old accounts stay); null when it could.</summary>
        public string? LastReloadError { get; private set; }

        /// <summary>
        /// Opens the store at <paramref name="path"/> (a full path), made empty when missing. Throws
        /// <see cref="InvalidDataException"/> for a bad file, naming the line.
        /// </summary>
        public static AccountFile Open(string path)
        {
            if (string.IsNullOrEmpty(path)) throw new ArgumentException("The account store needs a path.", nameof(path));
            path = Path.GetFullPath(path);
            if (!File.Exists(path))
            {
                var made = new AccountFile(path, new Dictionary<string, ChatAccount>(StringComparer.Ordinal));
                made.Write(made.byName.Values);
                return made;
            }

            return new AccountFile(path, Read(path));
        }

        public ChatAccount? Find(string name)
        {
            lock (gate)
            {
                ReloadIfChanged();
                return byName.TryGetValue(CaseMapping.Fold(name), out var account) ? account : null;
            }
        }

        public ChatAccount? FindByFingerprint(string fingerprint)
        {
            string? key = ChatAccount.NormalizeFingerprint(fingerprint);
            if (key == null) return null;
            lock (gate)
            {
                ReloadIfChanged();
                return byFingerprint.TryGetValue(key, out var account) ? account : null;
            }
        }

        public IReadOnlyList<ChatAccount> GetAll()
        {
            lock (gate)
            {
                ReloadIfChanged();
                return byName.Values.OrderBy(a => a.Name, StringComparer.OrdinalIgnoreCase).ToArray();
            }
        }

        public void Save(ChatAccount account)
        {
            if (account == null) throw new ArgumentNullException(nameof(account));
            if (FormatError(account) is string error) throw new ArgumentException(error, nameof(account));
            lock (gate)
            {
                ReloadIfChanged(force: true);
                foreach (string fingerprint in account.CertificateFingerprint)
                {
                    if (byFingerprint.TryGetValue(fingerprint, out var holder) && !CaseMapping.Equals(holder.Name, account.Name))
                    {
                        throw new ArgumentException($"The certificate {fingerprint} is bound to the account '{holder.Name}' already.", nameof(account));
                    }
                }

                var next = new Dictionary<string, ChatAccount>(byName, StringComparer.Ordinal) { [CaseMapping.Fold(account.Name)] = account };
                Write(next.Values);
                byName = next;
                byFingerprint = IndexFingerprints(next.Values);
            }
        }

        public bool Remove(string name)
        {
            lock (gate)
            {
                ReloadIfChanged(force: true);
                string key = CaseMapping.Fold(name);
                if (!byName.ContainsKey(key)) return false;
                var next = new Dictionary<string, ChatAccount>(byName, StringComparer.Ordinal);
                next.Remove(key);
                Write(next.Values);
                byName = next;
                byFingerprint = IndexFingerprints(next.Values);
                return true;
            }
        }

        /// <summary>Why <paramref name="name"/> cannot be an account name (it must be a valid IRC nick, which it reserves); null when it can.</summary>
        public static string? NameError(string name) =>
            string.IsNullOrEmpty(name) || !IrcNames.IsValidNick(name)
                ? $"'{name}' is not a valid account name: it must be a valid IRC nick (letters, digits and - [ ] \\ ` ^ {{ }} | _, not starting with a digit or '-', at most {IrcNames.NickLength} characters)"
                : null;

        private static string? FormatError(ChatAccount account)
        {
            if (NameError(account.Name) is string error) return error;
            if (account.CertificateFingerprint.Length > MaxFingerprints) return $"an account may have at most {MaxFingerprints} certificates";
            if (account.Password == null && account.CertificateFingerprint.Length == 0) return "an account needs a password or a certificate fingerprint";
            return null;
        }

        /// <summary>Under the lock: reads the file again when another process changed it (looked at once per <see cref="RecheckInterval"/>, or now with <paramref name="force"/>).</summary>
        private void ReloadIfChanged(bool force = false)
        {
            if (!force && sinceCheck.Elapsed < RecheckInterval) return;
            sinceCheck.Restart();
            var now = FileStamp.Of(Location);
            if (now.Equals(stamp)) return;
            try
            {
                var accounts = Read(Location);
                byName = accounts;
                byFingerprint = IndexFingerprints(accounts.Values);
                LastReloadError = null;
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException || ex is InvalidDataException)
            {
                LastReloadError = ex.Message;
            }

            stamp = now;
        }

        private static Dictionary<string, ChatAccount> IndexFingerprints(IEnumerable<ChatAccount> accounts)
        {
            var index = new Dictionary<string, ChatAccount>(StringComparer.Ordinal);
            foreach (var account in accounts)
            {
                foreach (string fingerprint in account.CertificateFingerprint) index[fingerprint] = account;
            }

            return index;
        }

        private static Dictionary<string, ChatAccount> Read(string path)
        {
            var accounts = new Dictionary<string, ChatAccount>(StringComparer.Ordinal);
            var fingerprints = new HashSet<string>(StringComparer.Ordinal);
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            if (stream.Length > MaxFileBytes)
            {
                throw new InvalidDataException($"The account store '{path}' is {stream.Length} bytes; at most {MaxFileBytes} are read.");
            }

            using var reader = new StreamReader(stream, new UTF8Encoding(false, true));
            int number = 0;
            string? line;
            while ((line = ReadBoundedLine(reader, path, number + 1)) != null)
            {
                number++;
                if (line.Length == 0 || line[0] == '#') continue;
                var account = ParseLine(line, out string? error);
                if (account != null && accounts.ContainsKey(CaseMapping.Fold(account.Name))) error = $"the account '{account.Name}' is listed twice";
                if (account != null && error == null)
                {
                    foreach (string fingerprint in account.CertificateFingerprint)
                    {
                        if (!fingerprints.Add(fingerprint)) error = $"the certificate {fingerprint} is bound to two accounts";
                    }
                }

                if (account == null || error != null) throw new InvalidDataException($"The account store '{path}', line {number}: {error}.");
                accounts.Add(CaseMapping.Fold(account.Name), account);
            }

            return accounts;
        }

        private static string? ReadBoundedLine(StreamReader reader, string path, int number)
        {
            try
            {
                var line = new StringBuilder();
                int c;
                while ((c = reader.Read()) >= 0)
                {
                    if (c == '\n') return line.ToString().TrimEnd('\r');
                    if (line.Length >= MaxLineChars) throw new InvalidDataException($"The account store '{path}', line {number}: longer than {MaxLineChars} characters.");
                    line.Append((char)c);
                }

                return line.Length == 0 ? null : line.ToString().TrimEnd('\r');
            }
            catch (DecoderFallbackException)
            {
                throw new InvalidDataException($"The account store '{path}', line {number}: not UTF-8.");
            }
        }

        private static ChatAccount? ParseLine(string line, out string? error)
        {
            string[] fields = line.Split('\t');
            if (fields.Length != 4)
            {
                error = "expected 4 tab-separated fields (name, password hash, fingerprints, created)";
                return null;
            }

            error = NameError(fields[0]);
            if (error != null) return null;
            PasswordHash? password = null;
            if (fields[1] != "-")
            {
                password = PasswordHash.TryParse(fields[1], out error);
                if (password == null) return null;
            }

            var fingerprints = new List<string>();
            if (fields[2] != "-")
            {
                foreach (string text in fields[2].Split(','))
                {
                    string? fingerprint = ChatAccount.NormalizeFingerprint(text);
                    if (fingerprint == null)
                    {
                        error = "a certificate fingerprint is not 64 hex digits (SHA-256)";
                        return null;
                    }

                    fingerprints.Add(fingerprint);
                }
            }

            if (!DateTime.TryParseExact(fields[3], "o", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var created))
            {
                error = "the creation time is not an ISO 8601 round-trip time";
                return null;
            }

            var account = new ChatAccount(fields[0], password, fingerprints, created);
            error = FormatError(account);
            return error == null ? account : null;
        }

        private void Write(IEnumerable<ChatAccount> accounts)
        {
            var text = new StringBuilder(Header).Append('\n');
            foreach (var account in accounts.OrderBy(a => a.Name, StringComparer.OrdinalIgnoreCase))
            {
                text.Append(account.Name).Append('\t')
                    .Append(account.Password?.ToString() ?? "-").Append('\t')
                    .Append(account.CertificateFingerprint.Length == 0 ? "-" : string.Join(",", account.CertificateFingerprint)).Append('\t')
                    .Append(account.Created.ToUniversalTime().ToString("o", CultureInfo.InvariantCulture)).Append('\n');
            }

            string folder = Path.GetDirectoryName(Location) ?? ".";
            string temporary = Path.Combine(folder, "." + Path.GetFileName(Location) + "." + Guid.NewGuid().ToString("N") + ".tmp");
            try
            {
                using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
                {
                    // Owner-only before a byte of it is written.
                    OwnerOnly(temporary);
                    byte[] bytes = new UTF8Encoding(false).GetBytes(text.ToString());
                    stream.Write(bytes, 0, bytes.Length);
                    stream.Flush(true);
                }

                if (File.Exists(Location)) File.Replace(temporary, Location, null);
                else File.Move(temporary, Location);
                stamp = FileStamp.Of(Location);
            }
            finally
            {
                if (File.Exists(temporary)) File.Delete(temporary);
            }
        }

        /// <summary>Mode 600 on Unix (netstandard2.0 has no File.SetUnixFileMode); Windows keeps the folder's ACL.</summary>
        private static void OwnerOnly(string path)
        {
            if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows)) return;
            if (chmod(path, 0x180) != 0)
            {
                throw new IOException($"Could not make '{path}' readable by its owner only (chmod 600): error {Marshal.GetLastWin32Error()}.");
            }
        }

        /// <summary>What tells a changed file: its time and size (a missing file is a stamp too).</summary>
        private readonly struct FileStamp : IEquatable<FileStamp>
        {
            private readonly DateTime written;
            private readonly long length;

            private FileStamp(DateTime written, long length)
            {
                this.written = written;
                this.length = length;
            }

            public static FileStamp Of(string path)
            {
                var info = new FileInfo(path);
                return info.Exists ? new FileStamp(info.LastWriteTimeUtc, info.Length) : new FileStamp(DateTime.MinValue, -1);
            }

            public bool Equals(FileStamp other) => written == other.written && length == other.length;

            public override bool Equals(object? obj) => obj is FileStamp other && Equals(other);

            public override int GetHashCode() => written.GetHashCode() ^ length.GetHashCode();
        }

        [DllImport("libc", SetLastError = true)]
        private static extern int chmod(string path, uint mode);
    }
}
