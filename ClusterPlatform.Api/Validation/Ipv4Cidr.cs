using System.Globalization;

namespace ClusterPlatform.Api.Validation;

/// <summary>An IPv4 network in CIDR notation, parsed strictly: dotted decimal, no host bits set.</summary>
internal readonly record struct Ipv4Cidr(uint Network, int Prefix)
{
    public uint First => Network;
    public uint Last => Network | (Prefix == 0 ? uint.MaxValue : (1u << (32 - Prefix)) - 1);

    public bool Overlaps(Ipv4Cidr other) => First <= other.Last && other.First <= Last;

    public static bool TryParse(string text, out Ipv4Cidr cidr, out string? error)
    {
        cidr = default;
        error = "must be an IPv4 CIDR such as 10.0.0.0/16";
        var parts = text.Split('/');
        if (parts.Length != 2 || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var prefix) || prefix > 32)
        {
            return false;
        }

        var octets = parts[0].Split('.');
        if (octets.Length != 4)
        {
            return false;
        }

        uint address = 0;
        foreach (var octet in octets)
        {
            // No leading zeros: "010" is octal to some parsers and decimal to others.
            if (octet.Length is 0 or > 3 || (octet.Length > 1 && octet[0] == '0')
                || !byte.TryParse(octet, NumberStyles.None, CultureInfo.InvariantCulture, out var b))
            {
                return false;
            }

            address = (address << 8) | b;
        }

        if ((address & ~Mask(prefix)) != 0)
        {
            error = "must be a network address: the bits after the prefix must be zero";
            return false;
        }

        cidr = new Ipv4Cidr(address, prefix);
        error = null;
        return true;
    }

    private static uint Mask(int prefix) => prefix == 0 ? 0 : uint.MaxValue << (32 - prefix);
}
