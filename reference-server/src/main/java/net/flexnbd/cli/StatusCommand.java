package net.flexnbd.cli;

import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code flexnbd status}: the running server's state as one line of key=value pairs. */
@Command(name = "status",
        description = "Print the running server's state as one line of key=value pairs.",
        footerHeading = "%n",
        footer = "Exit status: the server's answer code (0 success); 1 control socket unreachable; 2 usage error.")
final class StatusCommand extends ControlModeCommand {

    @Option(names = "--json", description = "Print the state as one JSON object with typed values "
            + "(numbers, booleans, null for an unlimited speed) instead of key=value pairs.")
    boolean json;

    StatusCommand(CliEnvironment env, VerbosityChoice verbosity) {
        super(env, verbosity);
    }

    @Override
    String command() {
        return "status";
    }

    @Override
    String format(String message) {
        return json ? StatusJson.of(message) : message;
    }

    /** No argument lines. */
    @Override
    List<String> arguments() {
        return List.of();
    }
}
