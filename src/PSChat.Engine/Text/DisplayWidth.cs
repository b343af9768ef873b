using System.Globalization;

namespace PSChat.Engine.Text
{
    /// <summary>
    /// How many terminal columns a character takes, as wcwidth does: 0 for combining marks, format
    /// characters and controls, 2 for East Asian wide and fullwidth characters (CJK, Hangul, fullwidth
    /// forms, most emoji), 1 for the rest. Terminals disagree on a few ambiguous characters; these are
    /// the ranges they agree on.
    /// </summary>
    public static class DisplayWidth
    {
        /// <summary>Code point ranges (inclusive) that take two columns.</summary>
        private static readonly int[] Wide =
        {
            0x1100, 0x115F, // Hangul Jamo initials
            0x231A, 0x231B, 0x2329, 0x232A, 0x23E9, 0x23EC, 0x23F0, 0x23F0, 0x23F3, 0x23F3,
            0x25FD, 0x25FE, 0x2614, 0x2615, 0x2648, 0x2653, 0x267F, 0x267F, 0x2693, 0x2693,
            0x26A1, 0x26A1, 0x26AA, 0x26AB, 0x26BD, 0x26BE, 0x26C4, 0x26C5, 0x26CE, 0x26CE,
            0x26D4, 0x26D4, 0x26EA, 0x26EA, 0x26F2, 0x26F3, 0x26F5, 0x26F5, 0x26FA, 0x26FA,
            0x26FD, 0x26FD, 0x2705, 0x2705, 0x270A, 0x270B, 0x2728, 0x2728, 0x274C, 0x274C,
            0x274E, 0x274E, 0x2753, 0x2755, 0x2757, 0x2757, 0x2795, 0x2797, 0x27B0, 0x27B0,
            0x27BF, 0x27BF, 0x2B1B, 0x2B1C, 0x2B50, 0x2B50, 0x2B55, 0x2B55,
            0x2E80, 0x303E, // CJK radicals, Kangxi, CJK symbols and punctuation
            0x3041, 0x33FF, // Hiragana, Katakana, Bopomofo, Hangul compatibility, CJK compatibility
            0x3400, 0x4DBF, // CJK extension A
            0x4E00, 0x9FFF, // CJK unified ideographs
            0xA000, 0xA4CF, // Yi
            0xA960, 0xA97F, // Hangul Jamo extended A
            0xAC00, 0xD7A3, // Hangul syllables
            0xF900, 0xFAFF, // CJK compatibility ideographs
            0xFE10, 0xFE19, 0xFE30, 0xFE6F, // vertical forms, CJK compatibility forms, small forms
            0xFF00, 0xFF60, 0xFFE0, 0xFFE6, // fullwidth forms
            0x16FE0, 0x16FE4, 0x17000, 0x18CFF, 0x1B000, 0x1B2FF,
            0x1F004, 0x1F004, 0x1F0CF, 0x1F0CF, 0x1F18E, 0x1F18E, 0x1F191, 0x1F19A,
            0x1F200, 0x1F202, 0x1F210, 0x1F23B, 0x1F240, 0x1F248, 0x1F250, 0x1F251, 0x1F260, 0x1F265,
            0x1F300, 0x1F320, 0x1F32D, 0x1F335, 0x1F337, 0x1F37C, 0x1F37E, 0x1F393, 0x1F3A0, 0x1F3CA,
            0x1F3CF, 0x1F3D3, 0x1F3E0, 0x1F3F0, 0x1F3F4, 0x1F3F4, 0x1F3F8, 0x1F43E, 0x1F440, 0x1F440,
            0x1F442, 0x1F4FC, 0x1F4FF, 0x1F53D, 0x1F54B, 0x1F54E, 0x1F550, 0x1F567, 0x1F57A, 0x1F57A,
            0x1F595, 0x1F596, 0x1F5A4, 0x1F5A4, 0x1F5FB, 0x1F64F, 0x1F680, 0x1F6C5, 0x1F6CC, 0x1F6CC,
            0x1F6D0, 0x1F6D2, 0x1F6D5, 0x1F6D7, 0x1F6EB, 0x1F6EC, 0x1F6F4, 0x1F6FC, 0x1F7E0, 0x1F7EB,
            0x1F90C, 0x1F93A, 0x1F93C, 0x1F945, 0x1F947, 0x1F9FF, 0x1FA70, 0x1FAFF,
            0x20000, 0x2FFFD, 0x30000, 0x3FFFD, // CJK extensions B and beyond
        };

        /// <summary>The columns one code point takes.</summary>
        public static int Of(int codePoint)
        {
            if (codePoint == 0) return 0;
            if (codePoint < 0x20 || (codePoint >= 0x7F && codePoint < 0xA0)) return 0;
            if (codePoint < 0x1100) return IsZeroWidth(codePoint) ? 0 : 1;
            if (codePoint == 0x200B || (codePoint >= 0x200C && codePoint <= 0x200F) || (codePoint >= 0xFE00 && codePoint <= 0xFE0F)) return 0;
            for (int i = 0; i < Wide.Length; i += 2)
            {
                if (codePoint < Wide[i]) break;
                if (codePoint <= Wide[i + 1]) return 2;
            }

            return IsZeroWidth(codePoint) ? 0 : 1;
        }

        /// <summary>The columns a string takes (each text element as its first code point, the rest adding none).</summary>
        public static int Of(string text)
        {
            int width = 0;
            for (int i = 0; i < text.Length; i += char.IsSurrogatePair(text, i) ? 2 : 1)
            {
                width += Of(CodePointAt(text, i));
            }

            return width;
        }

        private static bool IsZeroWidth(int codePoint)
        {
            if (codePoint > 0xFFFF) return false;
            var category = CharUnicodeInfo.GetUnicodeCategory((char)codePoint);
            return category == UnicodeCategory.NonSpacingMark || category == UnicodeCategory.EnclosingMark || category == UnicodeCategory.Format;
        }

        /// <summary>The code point at an index; a lone surrogate counts as U+FFFD (one column), as terminals show it.</summary>
        public static int CodePointAt(string text, int index) =>
            char.IsSurrogatePair(text, index) ? char.ConvertToUtf32(text[index], text[index + 1]) : char.IsSurrogate(text[index]) ? 0xFFFD : text[index];
    }
}
