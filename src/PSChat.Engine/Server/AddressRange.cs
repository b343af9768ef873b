using System;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace PSChat.Engine.Server
{
    /// <summary>
    /// A range of addresses in CIDR notation (<c>10.0.0.0/8</c>, <c>2001:db8::/32</c>) or one address
    /// (<c>192.0.2.7</c>, a /32 or /128). IPv4-mapped IPv6 addresses (<c>::ffff:192.0.2.7</c>, what a
    /// dual-mode listener sees) are taken as the IPv4 address they carry, in ranges and in clients alike.
    /// </summary>
    internal sealed class AddressRange
    {
        private readonly byte[] network;
        private readonly int prefix;

        private AddressRange(byte[] network, int prefix, string text)
        {
            this.network = network;
            this.prefix = prefix;
            Text = text;
        }

        public string Text { get; }

        /// <summary>Parses <paramref name="text"/>; null with <paramref name="error"/> when it is not a range.</summary>
        /// <summary>Parses an address or CIDR block; throws <see cref="FormatException"/> saying why when it is neither.</summary>
        public static AddressRange Parse(string text) =>
            TryParse(text ?? throw new ArgumentNullException(nameof(text)), out string? error) ?? throw new FormatException(error);

        public static AddressRange? TryParse(string text, out string? error)
        {
            error = null;
            string trimmed = (text ?? string.Empty).Trim();
            int slash = trimmed.IndexOf('/');
            string addressPart = slash < 0 ? trimmed : trimmed.Substring(0, slash);
            if (!IPAddress.TryParse(addressPart, out var address) || addressPart.IndexOf('%') >= 0)
            {
                error = $"'{text}' is not an IP address or a CIDR range (like 10.0.0.0/8 or 2001:db8::/32).";
                return null;
            }

            int bits = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
            int length = bits;
            if (slash >= 0)
            {
                string lengthPart = trimmed.Substring(slash + 1);
                if (!int.TryParse(lengthPart, NumberStyles.None, CultureInfo.InvariantCulture, out length) || length > bits)
                {
                    error = $"'{text}' has a prefix length that is not 0 to {bits}.";
                    return null;
                }
            }

            if (address.IsIPv4MappedToIPv6 && length >= 96)
            {
                address = address.MapToIPv4();
                length -= 96;
            }

            byte[] bytes = address.GetAddressBytes();
            Mask(bytes, length);
            return new AddressRange(bytes, length, trimmed);
        }

        /// <summary>The address as ranges see it: an IPv4-mapped IPv6 address as IPv4.</summary>
        public static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

        /// <summary>True when <paramref name="address"/> (normalized) is in the range.</summary>
        public bool Contains(IPAddress address)
        {
            byte[] bytes = Normalize(address).GetAddressBytes();
            if (bytes.Length != network.Length) return false;
            int whole = prefix / 8;
            for (int i = 0; i < whole; i++)
            {
                if (bytes[i] != network[i]) return false;
            }

            int rest = prefix % 8;
            return rest == 0 || (bytes[whole] & (0xFF << (8 - rest))) == network[whole];
        }

        public override string ToString() => Text;

        /// <summary>
        /// What counts as one client's address for per-address limits: an IPv4 address (also when it came
        /// IPv4-mapped), or the /64 an IPv6 address is in (one host usually holds a whole /64).
        /// </summary>
        internal static IPAddress HostKey(IPAddress address)
        {
            address = Normalize(address);
            if (address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6) return address;
            byte[] bytes = address.GetAddressBytes();
            Mask(bytes, 64);
            return new IPAddress(bytes);
        }

        /// <summary>Clears every bit past the first <paramref name="length"/>.</summary>
        internal static void Mask(byte[] bytes, int length)
        {
            for (int i = 0; i < bytes.Length; i++)
            {
                int keep = Math.Max(0, Math.Min(8, length - (i * 8)));
                bytes[i] &= (byte)(0xFF << (8 - keep));
            }
        }
    }
}
