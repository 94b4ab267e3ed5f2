package net.flexnbd.control;

import java.util.List;

/**
 * Answers one control-socket request. Implementations never throw for bad arguments: they
 * answer with a non-zero code and a message.
 */
@FunctionalInterface
public interface ControlHandler {
    ControlResponse handle(String command, List<String> arguments);
}
