namespace PSChat.Engine.Framing
{
    /// <summary>The bytes of a line end, for codecs that answer in the style a line came in.</summary>
    internal static class LineTerminatorBytes
    {
        public static int ByteCount(this LineTerminator terminator) =>
            terminator == LineTerminator.CrLf ? 2 : terminator == LineTerminator.Lf ? 1 : 0;

        /// <summary>Writes the line end at <paramref name="at"/>; returns the index after it.</summary>
        public static int WriteTo(this LineTerminator terminator, byte[] destination, int at)
        {
            if (terminator == LineTerminator.CrLf) destination[at++] = (byte)'\r';
            if (terminator != LineTerminator.None) destination[at++] = (byte)'\n';
            return at;
        }
    }
}
