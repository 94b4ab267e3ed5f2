package net.flexnbd.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code flexnbd help [MODE]}: the usage of flexnbd, or of one mode, on stdout. */
@Command(name = "help", description = "Show the usage of flexnbd, or of MODE.",
        footerHeading = "%n", footer = "Exit status: 0 success; 2 unknown MODE.")
final class HelpMode extends ModeCommand implements Callable<Integer> {

    @Parameters(arity = "0..1", paramLabel = "MODE", description = "A mode: serve, listen, mirror, ...")
    String mode;

    HelpMode(CliEnvironment env, VerbosityChoice verbosity) {
        super(env, verbosity);
    }

    @Override
    public Integer call() {
        CommandLine root = spec.root().commandLine();
        CommandLine target = root;
        if (mode != null) {
            target = root.getSubcommands().get(mode);
            if (target == null) {
                throw usageError("unknown mode '" + mode + "': expected one of "
                        + String.join(", ", root.getSubcommands().keySet()));
            }
        }
        target.usage(env.out());
        return 0;
    }
}
