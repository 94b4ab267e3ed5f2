package net.flexnbd.acl;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads an IPv4 or IPv6 address literal without ever asking DNS: a command line or a
 * control request that names a host must fail, not stall on a resolver.
 */
public final class IpLiteral {

    /** Dotted quad, four decimal parts; the shorter inet_aton forms ("10.1") are refused. */
    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");

    /**
     * Only hex digits, colons and dots, starting with a hex digit or a colon: the JDK reads
     * such text as an IPv6 literal and never resolves it.
     */
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:][0-9A-Fa-f:.]*");

    private IpLiteral() {}

    /**
     * The address {@code text} spells.
     *
     * @throws IllegalArgumentException naming {@code text} when it is not an address literal
     */
    public static InetAddress parse(String text) {
        InetAddress address = parseOrNull(text);
        if (address == null) {
            throw new IllegalArgumentException("not an IPv4 or IPv6 address: '" + text + "'");
        }
        return address;
    }

    /** True when {@code text} is written in IPv6 syntax (whatever address it denotes). */
    static boolean isIpv6Syntax(String text) {
        return text.indexOf(':') >= 0;
    }

    /** The address, or null when {@code text} is not a literal. */
    static InetAddress parseOrNull(String text) {
        if (text == null) {
            return null;
        }
        Matcher ipv4 = IPV4.matcher(text);
        if (ipv4.matches()) {
            byte[] bytes = new byte[4];
            for (int i = 0; i < 4; i++) {
                int part = Integer.parseInt(ipv4.group(i + 1));
                if (part > 255) {
                    return null;
                }
                bytes[i] = (byte) part;
            }
            return byAddress(bytes);
        }
        if (isIpv6Syntax(text) && IPV6.matcher(text).matches()) {
            try {
                return InetAddress.getByName(text);
            } catch (UnknownHostException e) {
                return null;
            }
        }
        return null;
    }

    private static InetAddress byAddress(byte[] bytes) {
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new AssertionError("four bytes are always an address", e);
        }
    }
}
