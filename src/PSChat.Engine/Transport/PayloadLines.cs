namespace PSChat.Engine.Transport
{
    /// <summary>
    /// A handler that names its connection's payload lines (object chunks), which flood control budgets
    /// by bytes (<see cref="FloodLimits.PayloadBytesPerSecond"/>) instead of as lines.
    /// </summary>
    internal interface IPayloadLines
    {
        /// <summary>Whether the line is a payload line; cheap and bounded, as it runs for every line before flood control.</summary>
        bool IsPayloadLine(byte[] buffer, int offset, int count);

        /// <summary>A payload line was held back; <paramref name="first"/> when its own budget held it with nothing ahead (a new episode).</summary>
        void OnPayloadHeld(bool first);
    }
}
