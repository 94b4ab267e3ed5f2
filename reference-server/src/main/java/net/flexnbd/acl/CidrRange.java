package net.flexnbd.acl;

import java.net.Inet4Address;
import java.net.InetAddress;

/**
 * One access-list entry as a range of 128-bit addresses: IPv4 entries live in the
 * IPv4-mapped block (::ffff:0:0/96), so that IPv4 clients and IPv4-mapped IPv6 clients
 * match the same entries.
 */
final class CidrRange {

    /** Offset of an IPv4 prefix inside the IPv4-mapped block. */
    private static final int MAPPED_PREFIX = 96;

    private final byte[] network;
    private final int prefixLength;

    private CidrRange(byte[] network, int prefixLength) {
        this.network = network;
        this.prefixLength = prefixLength;
    }

    /**
     * Reads {@code ADDRESS} or {@code ADDRESS/PREFIX}; host bits below the prefix are ignored.
     *
     * @throws IllegalArgumentException naming the entry and what was expected
     */
    static CidrRange parse(String entry) {
        if (entry == null) {
            throw new IllegalArgumentException("not an IPv4/IPv6 address or CIDR range: null");
        }
        int slash = entry.indexOf('/');
        String addressText = slash < 0 ? entry : entry.substring(0, slash);
        InetAddress address = IpLiteral.parseOrNull(addressText);
        if (address == null) {
            throw new IllegalArgumentException("not an IPv4/IPv6 address or CIDR range: '" + entry + "'");
        }
        boolean ipv6Syntax = IpLiteral.isIpv6Syntax(addressText);
        int maxPrefix = ipv6Syntax ? 128 : 32;
        int prefix = maxPrefix;
        if (slash >= 0) {
            String prefixText = entry.substring(slash + 1);
            if (!prefixText.matches("\\d{1,3}") || Integer.parseInt(prefixText) > maxPrefix) {
                throw new IllegalArgumentException("prefix length '" + prefixText + "' in '" + entry
                        + "' is not a number from 0 to " + maxPrefix);
            }
            prefix = Integer.parseInt(prefixText);
        }
        int prefixLength = ipv6Syntax ? prefix : MAPPED_PREFIX + prefix;
        return new CidrRange(mask(toIpv6Bytes(address), prefixLength), prefixLength);
    }

    /** True when {@code address} (16 bytes, see {@link #toIpv6Bytes}) lies in this range. */
    boolean contains(byte[] address) {
        return java.util.Arrays.equals(mask(address.clone(), prefixLength), network);
    }

    /** IPv4 addresses as IPv4-mapped IPv6 (::ffff:a.b.c.d); IPv6 addresses as they are. */
    static byte[] toIpv6Bytes(InetAddress address) {
        byte[] raw = address.getAddress();
        if (address instanceof Inet4Address) {
            byte[] mapped = new byte[16];
            mapped[10] = (byte) 0xff;
            mapped[11] = (byte) 0xff;
            System.arraycopy(raw, 0, mapped, 12, 4);
            return mapped;
        }
        return raw;
    }

    /** Clears every bit of {@code bytes} past the first {@code prefixLength}; returns it. */
    private static byte[] mask(byte[] bytes, int prefixLength) {
        for (int i = 0; i < bytes.length; i++) {
            int bitsKept = Math.max(0, Math.min(8, prefixLength - 8 * i));
            bytes[i] &= (byte) (0xff << (8 - bitsKept));
        }
        return bytes;
    }
}
