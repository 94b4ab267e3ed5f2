package net.flexnbd.events;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's key events, logged with fixed names and keys ({@code event=entrust_received
 * peer=/127.0.0.1:40312}) beside the prose lines, so that tests and tools read facts rather
 * than message wording. docs/protocol.md ("Events") lists them; a name or key never changes
 * meaning once there.
 */
public final class ServerEvents {
    /** Its own logger, so that the events can be routed or filtered apart from the prose. */
    private static final Logger log = LoggerFactory.getLogger("flexnbd.event");

    private ServerEvents() {}

    /**
     * Logs {@code event=name key=value ...}; {@code keysAndValues} alternate. A value with a
     * space, a quote or an equals sign is quoted.
     */
    public static void emit(String name, Object... keysAndValues) {
        if (keysAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("event " + name + " needs a value for every key, got "
                    + keysAndValues.length + " items");
        }
        if (log.isInfoEnabled()) {
            log.info(line(name, keysAndValues));
        }
    }

    static String line(String name, Object... keysAndValues) {
        StringBuilder line = new StringBuilder("event=").append(name);
        for (int i = 0; i < keysAndValues.length; i += 2) {
            line.append(' ').append(keysAndValues[i]).append('=').append(value(keysAndValues[i + 1]));
        }
        return line.toString();
    }

    private static String value(Object value) {
        String text = String.valueOf(value);
        if (text.isEmpty() || text.chars().anyMatch(c -> c == ' ' || c == '"' || c == '=' || c < 0x20)) {
            return '"' + text.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + '"';
        }
        return text;
    }
}
