using System;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace PSChat.Engine.Transport
{
    /// <summary>An address or a CIDR block ("127.0.0.1", "10.0.0.0/8", "::1", "fd00::/8").</summary>
    internal sealed class AddressRange
    {
        private readonly byte[] network;
        private readonly int prefixBits;

        private AddressRange(byte[] network, int prefixBits)
        {
            this.network = network;
            this.prefixBits = prefixBits;
        }

        /// <summary>Parses an address or CIDR block; throws <see cref="FormatException"/> with the text when it is neither.</summary>
        public static AddressRange Parse(string text)
        {
            if (text == null) throw new ArgumentNullException(nameof(text));
            string trimmed = text.Trim();
            int slash = trimmed.IndexOf('/');
            string addressPart = slash < 0 ? trimmed : trimmed.Substring(0, slash);
            if (!IPAddress.TryParse(addressPart, out var address)) throw new FormatException($"'{text}' is not an IP address or CIDR block.");
            byte[] bytes = Normalize(address).GetAddressBytes();
            int bits = bytes.Length * 8;
            if (slash >= 0)
            {
                if (!int.TryParse(trimmed.Substring(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int prefix) || prefix > bits)
                {
                    throw new FormatException($"'{text}' has no valid prefix length (0 to {bits}).");
                }

                bits = prefix;
            }

            return new AddressRange(bytes, bits);
        }

        public bool Contains(IPAddress address)
        {
            byte[] bytes = Normalize(address).GetAddressBytes();
            if (bytes.Length != network.Length) return false;
            int whole = prefixBits / 8;
            for (int i = 0; i < whole; i++)
            {
                if (bytes[i] != network[i]) return false;
            }

            int rest = prefixBits % 8;
            if (rest == 0) return true;
            int mask = 0xFF << (8 - rest) & 0xFF;
            return (bytes[whole] & mask) == (network[whole] & mask);
        }

        /// <summary>An IPv4 client on a dual-mode socket shows as ::ffff:a.b.c.d; it is matched as a.b.c.d.</summary>
        private static IPAddress Normalize(IPAddress address) =>
            address.AddressFamily == AddressFamily.InterNetworkV6 && address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
    }
}
