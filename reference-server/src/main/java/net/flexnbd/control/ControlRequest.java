package net.flexnbd.control;

import java.util.List;

/** One request read off the control socket: the command name and its argument lines as sent. */
record ControlRequest(String command, List<String> arguments) {
    ControlRequest {
        arguments = List.copyOf(arguments);
    }
}
