using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using PSChat.Engine.Client;
using PSChat.Engine.Client.Payloads;
using PSChat.Engine.Timing;
using Xunit;

namespace PSChat.Engine.Tests
{
    /// <summary>Payload envelopes: chunk records, reassembly under interleaving, and every limit of the assembler.</summary>
    public class PayloadTests
    {
        private static readonly PayloadLimits Limits = new PayloadLimits
        {
            MaxPayloadBytes = 64 * 1024,
            MaxIncompletePayloads = 2,
            MaxIncompletePayloadsInAll = 4,
            IncompletePayloadTimeout = TimeSpan.FromSeconds(30),
        };

        private static byte[] RandomBytes(int count, int seed)
        {
            var bytes = new byte[count];
            new Random(seed).NextBytes(bytes);
            return bytes;
        }

        /// <summary>The records of a payload, chunks of <paramref name="chunk"/> base64 characters.</summary>
        private static List<PayloadRecord> RecordsOf(string id, byte[] data, int chunk, bool request = false)
        {
            string encoded = PayloadCodec.Encode(data, chunk, out bool deflated);
            var meta = new PayloadMeta { IsObject = true, Deflated = deflated, IsRequest = request, Length = data.Length };
            var pieces = PayloadCodec.Split(encoded, chunk);
            return pieces.Select((p, i) => PayloadRecord.Parse(PayloadRecord.Format(id, i + 1, pieces.Count, meta, p), out _)!).ToList();
        }

        [Fact]
        public void InterleavedPayloadsOfTwoSendersReassembleEachInOrder()
        {
            var assembler = new PayloadAssembler(Limits, new ManualClock());
            byte[] fromAlice = RandomBytes(5000, 1);
            byte[] fromBob = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("<Obj><S>same id, other sender</S></Obj>", 200)));
            var alice = RecordsOf("abc", fromAlice, 300);
            var bob = RecordsOf("abc", fromBob, 8);
            Assert.True(alice.Count > 5 && bob.Count > 5, "both payloads span several chunks");
            for (int i = 0; i < Math.Max(alice.Count, bob.Count); i++)
            {
                if (i < alice.Count) Assert.Null(assembler.Add("alice", alice[i]));
                if (i < bob.Count) Assert.Null(assembler.Add("bob", bob[i]));
            }

            var bobs = assembler.Complete("bob", "abc", out string? bobRefusal);
            var alices = assembler.Complete("alice", "abc", out string? aliceRefusal);
            Assert.Null(aliceRefusal);
            Assert.Null(bobRefusal);
            Assert.Equal(fromAlice, alices!.Data);
            Assert.Equal(fromBob, bobs!.Data);
            Assert.True(bobs.Meta.Deflated, "repetitive CliXml is sent deflated");
            Assert.Equal(0, assembler.Count);
        }

        [Fact]
        public void AChunkOutOfOrderRefusesThePayloadOnceAndItsLaterChunksPassQuietly()
        {
            var assembler = new PayloadAssembler(Limits, new ManualClock());
            var records = RecordsOf("p1", RandomBytes(2000, 2), 200);
            Assert.Null(assembler.Add("mallory", records[0]));
            string? refusal = assembler.Add("mallory", records[2]);
            Assert.Equal("A payload from mallory (#p1) was refused: chunk 3 of " + records.Count + " came after chunk 1 of " + records.Count + ".", refusal);
            Assert.Null(assembler.Add("mallory", records[3]));
            Assert.Null(assembler.Complete("mallory", "p1", out string? closing));
            Assert.Null(closing);
            Assert.Equal(0, assembler.Count);
        }

        [Fact]
        public void APayloadOverMaxPayloadBytesIsRefusedWhetherItDeclaresItOrNot()
        {
            var assembler = new PayloadAssembler(Limits, new ManualClock());
            var declared = PayloadRecord.Parse("big:1:2:o,n=70000:", out _)!;
            Assert.Equal("A payload from mallory (#big) was refused: it declared 70000 bytes, more than MaxPayloadBytes (65536).", assembler.Add("mallory", declared));

            // Declares little, then carries more than the limit could ever need.
            Assert.Null(assembler.Add("eve", PayloadRecord.Parse("liar:1:100:o,n=10:", out _)!));
            string chunk = new string('A', 4000);
            string? refusal = null;
            for (int i = 2; i <= 100 && refusal == null; i++) refusal = assembler.Add("eve", PayloadRecord.Parse($"liar:{i}:100:{chunk}", out _)!);
            Assert.Equal("A payload from eve (#liar) was refused: it is larger than MaxPayloadBytes (65536).", refusal);
        }

        [Fact]
        public void MoreIncompletePayloadsThanASenderMayHaveAreRefused()
        {
            var assembler = new PayloadAssembler(Limits, new ManualClock());
            Assert.Null(assembler.Add("mallory", PayloadRecord.Parse("a:1:9:o,n=1:", out _)!));
            Assert.Null(assembler.Add("mallory", PayloadRecord.Parse("b:1:9:o,n=1:", out _)!));
            Assert.Equal("A payload from mallory (#c) was refused: mallory has 2 payloads in progress already (MaxIncompletePayloads).", assembler.Add("mallory", PayloadRecord.Parse("c:1:9:o,n=1:", out _)!));
            // Another sender is not held back by mallory's.
            Assert.Null(assembler.Add("alice", PayloadRecord.Parse("a:1:1:o,n=0:", out _)!));
            Assert.NotNull(assembler.Complete("alice", "a", out _));
        }

        [Fact]
        public void AnIncompletePayloadIsForgottenAfterTheTimeoutWithoutAChunkOnTheInjectedClock()
        {
            var clock = new ManualClock();
            var assembler = new PayloadAssembler(Limits, clock);
            Assert.Null(assembler.Add("slow", PayloadRecord.Parse("s:1:3:o,n=3:", out _)!));
            clock.Advance(TimeSpan.FromSeconds(29));
            Assert.Empty(assembler.Expire());
            // A chunk keeps it alive: a slow server (ngircd's penalty time) makes a large payload take minutes.
            Assert.Null(assembler.Add("slow", PayloadRecord.Parse("s:2:3:", out _)!));
            clock.Advance(TimeSpan.FromSeconds(29));
            Assert.Empty(assembler.Expire());
            clock.Advance(TimeSpan.FromSeconds(1));
            Assert.Equal(new[] { "A payload from slow (#s) was refused: no chunk of it came for 30 s (IncompletePayloadTimeout)." }, assembler.Expire());
            Assert.Equal(0, assembler.Count);
        }

        [Fact]
        public void AClosingLineBeforeTheLastChunkRefusesThePayloadAsIncomplete()
        {
            var assembler = new PayloadAssembler(Limits, new ManualClock());
            var records = RecordsOf("x", RandomBytes(900, 3), 100);
            Assert.Null(assembler.Add("bob", records[0]));
            Assert.Null(assembler.Complete("bob", "x", out string? refusal));
            Assert.Equal($"A payload from bob (#x) was refused: it ended after 1 of {records.Count} chunks.", refusal);
        }

        [Fact]
        public void AnErrorReplysCategoryTravelsInTheMetaAndOnlyAsLetters()
        {
            var meta = new PayloadMeta { InReplyTo = "abc123", ErrorCategory = "ObjectNotFound", Length = 0 };
            Assert.True(PayloadMeta.TryParse(meta.Format(), out var parsed));
            Assert.Equal("ObjectNotFound", parsed!.ErrorCategory);
            Assert.Equal("abc123", parsed.InReplyTo);

            Assert.True(PayloadMeta.TryParse("n=0", out var plain));
            Assert.Null(plain!.ErrorCategory);
            foreach (string hostile in new[] { "e=,n=0", "e=Not Found,n=0", "e=Found1,n=0", "e=x;y,n=0", "e=" + new string('a', 41) + ",n=0" })
            {
                Assert.False(PayloadMeta.TryParse(hostile, out _), hostile);
            }
        }

        [Fact]
        public void AnObjectThatFitsOneRecordGoesUndeflatedAndALargerOneDeflated()
        {
            // Deflate can only save lines: one that already fits in one record is sent as it is (each deflate
            // sets up and zeroes a zlib state of about 256 KB, more than a small object costs to serialize).
            byte[] small = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("<S>x</S>", 60)));
            string raw = PayloadCodec.Encode(small, PayloadCodec.Base64Length(small.Length), out bool smallDeflated);
            Assert.False(smallDeflated);
            Assert.Equal(small, PayloadCodec.Decode(raw, deflated: false, small.Length, out _));

            string packed = PayloadCodec.Encode(small, PayloadCodec.Base64Length(small.Length) - 1, out bool largeDeflated);
            Assert.True(largeDeflated, "past one record, repetitive CliXml is deflated");
            Assert.Equal(small, PayloadCodec.Decode(packed, deflated: true, small.Length, out _));

            // Past 1 KB it is deflated even when a record (a 3,800-character tag) would hold it raw.
            byte[] kilobytes = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("<S>x</S>", 200)));
            PayloadCodec.Encode(kilobytes, 3800, out bool kilobytesDeflated);
            Assert.True(kilobytesDeflated, "1.6 KB of CliXml is deflated though one tag holds it");
        }

        [Fact]
        public void ADeflateBombStopsAtItsDeclaredLength()
        {
            byte[] zeros = new byte[10 * 1024 * 1024];
            string bomb;
            using (var packed = new MemoryStream())
            {
                using (var deflate = new DeflateStream(packed, CompressionLevel.Optimal, leaveOpen: true)) deflate.Write(zeros, 0, zeros.Length);
                bomb = Convert.ToBase64String(packed.ToArray());
            }

            Assert.True(bomb.Length < 20000, "ten megabytes of zeros deflate to a few kilobytes");
            Assert.Null(PayloadCodec.Decode(bomb, deflated: true, length: 1000, out string? error));
            Assert.Equal("it declared 1000 bytes and inflated to more", error);
        }

        [Theory]
        [InlineData("id:0:1:o,n=0:")]
        [InlineData("ID:1:1:o,n=0:")]
        [InlineData("id:2:1:")]
        [InlineData("id:1:1:n=0:not base64!")]
        [InlineData("id:1:1:o:")]
        [InlineData("id:2:3:x:y")]
        [InlineData("waytoolongforanid0:1:1:n=0:")]
        public void MalformedRecordsAreNotRecords(string text)
        {
            Assert.Null(PayloadRecord.Parse(text, out string? error));
            Assert.NotNull(error);
        }
    }
}
