package net.flexnbd.steps.world;

import java.util.Locale;

/**
 * The part a server plays in a scenario. A scenario about serving alone calls its server
 * "the server"; that is the source role, since only a source serves from the start.
 */
public enum Role {
    SOURCE,
    DESTINATION;

    /** "source" or "server" is the source, "destination" the destination. */
    public static Role parse(String word) {
        return switch (word.trim().toLowerCase(Locale.ROOT)) {
            case "source", "server" -> SOURCE;
            case "destination" -> DESTINATION;
            default -> throw new IllegalArgumentException("unknown server role '" + word
                    + "'; expected source, server or destination");
        };
    }

    /** "source" or "destination", for messages. */
    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }
}
