using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;

namespace PSChat.Engine.Client.Payloads
{
    /// <summary>Payload bytes to base64 chunks and back; deflated when that makes them smaller, inflated never past a bound.</summary>
    internal static class PayloadCodec
    {
        /// <summary>Payloads smaller than this are sent as they are: deflate would only add its header.</summary>
        private const int DeflateFrom = 200;

        /// <summary>
        /// Payloads up to this size skip deflate when they fit one record; larger ones are deflated even then:
        /// where a record holds 3,800 characters (message tags), every member would get the raw bytes.
        /// </summary>
        private const int RawUpTo = 1024;

        /// <summary>Characters of the base64 text of <paramref name="length"/> bytes.</summary>
        public static int Base64Length(int length) => ((length + 2) / 3) * 4;

        /// <summary>
        /// The base64 text of <paramref name="data"/>, deflated when that is smaller, and whether it was. Data
        /// of at most 1 KB whose base64 fits in <paramref name="oneRecordChars"/> (one record, one line) goes as it is:
        /// deflating cannot save it a line, and each deflate sets up a zlib state of about 256 KB, zeroed,
        /// which costs a small object more than its serialization.
        /// </summary>
        public static string Encode(byte[] data, int oneRecordChars, out bool deflated)
        {
            deflated = false;
            if (data.Length >= DeflateFrom && (data.Length > RawUpTo || Base64Length(data.Length) > oneRecordChars))
            {
                using (var packed = new MemoryStream())
                {
                    using (var deflate = new DeflateStream(packed, CompressionLevel.Fastest, leaveOpen: true)) deflate.Write(data, 0, data.Length);
                    if (packed.Length < data.Length)
                    {
                        deflated = true;
                        return Convert.ToBase64String(packed.GetBuffer(), 0, (int)packed.Length);
                    }
                }
            }

            return Convert.ToBase64String(data);
        }

        /// <summary>Pieces of at most <paramref name="size"/> characters (base64 is ASCII: characters are bytes).</summary>
        public static List<string> Split(string text, int size)
        {
            var pieces = new List<string>(Math.Max(1, (text.Length + size - 1) / size));
            for (int at = 0; at < text.Length; at += size) pieces.Add(text.Substring(at, Math.Min(size, text.Length - at)));
            if (pieces.Count == 0) pieces.Add(string.Empty);
            return pieces;
        }

        /// <summary>
        /// The payload back, exactly <paramref name="length"/> bytes, or null with why: base64 that does not
        /// decode, or deflated data that inflates to another length (a bomb stops at length + 1 bytes).
        /// </summary>
        public static byte[]? Decode(string base64, bool deflated, int length, out string? error)
        {
            error = null;
            byte[] raw;
            try
            {
                raw = Convert.FromBase64String(base64);
            }
            catch (FormatException)
            {
                error = "its data is not valid base64";
                return null;
            }

            if (!deflated)
            {
                if (raw.Length == length) return raw;
                error = $"it declared {length} bytes and carried {raw.Length}";
                return null;
            }

            var result = new byte[length];
            try
            {
                using (var inflate = new DeflateStream(new MemoryStream(raw), CompressionMode.Decompress))
                {
                    int read = 0;
                    while (read < length)
                    {
                        int n = inflate.Read(result, read, length - read);
                        if (n == 0) break;
                        read += n;
                    }

                    if (read == length && inflate.ReadByte() < 0) return result;
                    error = $"it declared {length} bytes and inflated to {(read < length ? read.ToString() : "more")}";
                    return null;
                }
            }
            catch (InvalidDataException)
            {
                error = "its deflated data is corrupt";
                return null;
            }
        }
    }
}
