package net.flexnbd.cli;

import java.util.List;
import picocli.CommandLine.Command;

/** {@code flexnbd break}: stop the running migration; clients are unaffected. */
@Command(name = "break",
        description = "Stop the server's running migration; its clients are unaffected.",
        footerHeading = "%n",
        footer = "Exit status: the server's answer code (0 success); 1 control socket unreachable; 2 usage error.")
final class BreakCommand extends ControlModeCommand {

    BreakCommand(CliEnvironment env, VerbosityChoice verbosity) {
        super(env, verbosity);
    }

    @Override
    String command() {
        return "break";
    }

    /** No argument lines. */
    @Override
    List<String> arguments() {
        return List.of();
    }
}
