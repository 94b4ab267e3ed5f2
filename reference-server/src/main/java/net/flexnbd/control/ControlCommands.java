package net.flexnbd.control;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Routes a control request to the handler registered for its command name, so each
 * command (status, acl, mirror, break, mirror_max_bps) is a handler of its own. An unknown
 * command is answered with {@link ControlCodes#BAD_REQUEST} naming the known ones.
 */
public final class ControlCommands implements ControlHandler {

    private final Map<String, ControlHandler> handlers;

    private ControlCommands(Map<String, ControlHandler> handlers) {
        this.handlers = handlers;
    }

    /**
     * A dispatcher over {@code handlers} (command name to handler).
     *
     * @throws IllegalArgumentException when a name is empty or holds whitespace
     */
    public static ControlCommands of(Map<String, ControlHandler> handlers) {
        Objects.requireNonNull(handlers, "handlers");
        Map<String, ControlHandler> copy = new HashMap<>();
        handlers.forEach((name, handler) -> {
            if (name == null || name.isEmpty() || !name.equals(name.strip()) || name.chars().anyMatch(Character::isWhitespace)) {
                throw new IllegalArgumentException("command name '" + name + "' must be one word");
            }
            copy.put(name, Objects.requireNonNull(handler, "handler for " + name));
        });
        return new ControlCommands(Map.copyOf(copy));
    }

    /** The registered command names, sorted. */
    public Set<String> names() {
        return new TreeSet<>(handlers.keySet());
    }

    @Override
    public ControlResponse handle(String command, List<String> arguments) {
        ControlHandler handler = handlers.get(command);
        if (handler == null) {
            return ControlResponse.error(ControlCodes.BAD_REQUEST,
                    "unknown command '" + command + "'; expected one of " + String.join(", ", names()));
        }
        return handler.handle(command, arguments);
    }
}
