package net.flexnbd.acl;

import java.net.InetAddress;
import java.util.List;
import java.util.Objects;

/**
 * Who may connect: a list of IPv4/IPv6 addresses and CIDR ranges. An empty list lets
 * everyone in unless {@code defaultDeny}. Immutable; the server swaps in a new one when
 * the {@code acl} control command replaces the list.
 */
public final class Acl {

    private final List<String> entries;
    private final List<CidrRange> ranges;
    private final boolean defaultDeny;

    private Acl(List<String> entries, List<CidrRange> ranges, boolean defaultDeny) {
        this.entries = entries;
        this.ranges = ranges;
        this.defaultDeny = defaultDeny;
    }

    /**
     * Reads the entries (address literals or {@code ADDRESS/PREFIX}; no name is ever
     * resolved).
     *
     * @throws IllegalArgumentException naming the first bad entry and what was expected
     */
    public static Acl parse(List<String> entries, boolean defaultDeny) {
        Objects.requireNonNull(entries, "entries");
        List<String> copy = List.copyOf(entries);
        List<CidrRange> ranges = copy.stream().map(CidrRange::parse).toList();
        return new Acl(copy, ranges, defaultDeny);
    }

    /** True when a client connecting from {@code address} may stay connected. */
    public boolean allows(InetAddress address) {
        Objects.requireNonNull(address, "address");
        if (ranges.isEmpty()) {
            return !defaultDeny;
        }
        byte[] bytes = CidrRange.toIpv6Bytes(address);
        for (CidrRange range : ranges) {
            if (range.contains(bytes)) {
                return true;
            }
        }
        return false;
    }

    /** The entries as given. */
    public List<String> entries() {
        return entries;
    }

    /** Whether an empty list refuses everyone. */
    public boolean defaultDeny() {
        return defaultDeny;
    }

    @Override
    public String toString() {
        return "Acl" + entries + (defaultDeny ? " default-deny" : "");
    }
}
