package net.flexnbd.migration;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.OptionalLong;
import net.flexnbd.tls.ClientTls;

/**
 * One {@code mirror} command: where to migrate to, what to do once the destination has
 * control, which local address to connect from, the bandwidth cap, and whether the link runs
 * inside TLS (every connection of the migration, reconnects included, starts with
 * NBD_OPT_STARTTLS).
 */
public record MirrorRequest(InetSocketAddress destination, AfterHandover action,
        Optional<InetAddress> bind, OptionalLong maxBytesPerSecond, Optional<ClientTls> tls) {

    /** A migration in clear. */
    public MirrorRequest(InetSocketAddress destination, AfterHandover action, Optional<InetAddress> bind,
            OptionalLong maxBytesPerSecond) {
        this(destination, action, bind, maxBytesPerSecond, Optional.empty());
    }

    /** This request over TLS with {@code context}. */
    public MirrorRequest withTls(ClientTls context) {
        return new MirrorRequest(destination, action, bind, maxBytesPerSecond, Optional.of(context));
    }

    /** What the source does once the destination has taken over. */
    public enum AfterHandover {
        /** Exit with status 0. */
        EXIT,
        /** Delete the served file before DISCONNECT, then exit with status 0. */
        UNLINK,
        /** Stay running, refusing client I/O, until stopped. */
        NOTHING;

        /** Parses the control-socket word (exit, unlink, nothing). */
        public static AfterHandover parse(String word) {
            return switch (word) {
                case "exit" -> EXIT;
                case "unlink" -> UNLINK;
                case "nothing" -> NOTHING;
                default -> throw new IllegalArgumentException(
                        "unknown action '" + word + "': expected exit, unlink or nothing");
            };
        }
    }

    public MirrorRequest {
        java.util.Objects.requireNonNull(tls, "tls");
        maxBytesPerSecond.ifPresent(cap -> {
            if (cap <= 0) {
                throw new IllegalArgumentException("bandwidth cap (" + cap + ") must be positive");
            }
        });
    }
}
