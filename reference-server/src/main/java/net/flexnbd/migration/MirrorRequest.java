package net.flexnbd.migration;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One {@code mirror} command: where to migrate to, what to do once the destination has
 * control, which local address to connect from, and the bandwidth cap.
 */
public record MirrorRequest(InetSocketAddress destination, AfterHandover action,
        Optional<InetAddress> bind, OptionalLong maxBytesPerSecond) {

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
        maxBytesPerSecond.ifPresent(cap -> {
            if (cap <= 0) {
                throw new IllegalArgumentException("bandwidth cap (" + cap + ") must be positive");
            }
        });
    }
}
