package net.flexnbd.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code flexnbd} without a mode: an error that lists the modes. */
@Command(name = "flexnbd",
        description = "Serve a file over NBD and migrate it live to another server.",
        synopsisSubcommandLabel = "MODE",
        footerHeading = "%n",
        footer = {
            "Run 'flexnbd help MODE' for a mode's options.",
            "",
            "Exit status: 0 success; 1 failure (the server could not start, an I/O error, the",
            "control socket could not be reached); 2 usage error. mirror, break, acl and status",
            "exit with the code the server answered."})
final class RootCommand extends ModeCommand implements Callable<Integer> {

    RootCommand(CliEnvironment env, VerbosityChoice verbosity) {
        super(env, verbosity);
    }

    @Override
    public Integer call() {
        throw usageError("missing MODE: expected one of " + String.join(", ", spec.subcommands().keySet()));
    }
}
