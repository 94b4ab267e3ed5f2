package net.flexnbd.cli;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import net.flexnbd.acl.IpLiteral;

/**
 * The argument lines of a {@code mirror} control request, built from the mode's options
 * and checked: one definition for {@link MirrorCommand} and for {@link QuickControl}.
 * The line order is documented on {@link MirrorCommand}.
 */
final class MirrorArguments {

    private MirrorArguments() {}

    /**
     * The lines for these options in clear; {@code bind} and {@code maxBps} may be null.
     *
     * @throws IllegalArgumentException with the usage error's text when a value is bad
     */
    static List<String> lines(String addr, int port, boolean unlink, String bind, Long maxBps) {
        return lines(addr, port, unlink, bind, maxBps, false);
    }

    /** As {@link #lines(String, int, boolean, String, Long)}; with {@code tls} the last line is {@code tls}. */
    static List<String> lines(String addr, int port, boolean unlink, String bind, Long maxBps, boolean tls) {
        InetAddress destination = address("--addr", addr);
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("invalid value for --port: port " + port + " is not from 1 to 65535");
        }
        if (bind != null) {
            address("--bind", bind);
        }
        if (maxBps != null && maxBps < 1) {
            throw new IllegalArgumentException("invalid value for --max-bps: " + maxBps + " is not a number of bytes"
                    + " per second of at least 1 (leave it off for no cap)");
        }
        List<String> lines = new ArrayList<>(List.of(addr, Integer.toString(port), unlink ? "unlink" : "exit"));
        if (bind != null) {
            lines.add(bind);
        } else if (maxBps != null) {
            lines.add(destination instanceof Inet4Address ? "0.0.0.0" : "::");
        }
        if (maxBps != null) {
            lines.add(Long.toString(maxBps));
        }
        if (tls) {
            lines.add("tls");
        }
        return lines;
    }

    private static InetAddress address(String option, String text) {
        try {
            return IpLiteral.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid value for " + option + ": " + e.getMessage(), e);
        }
    }
}
