package net.flexnbd.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Option;

/**
 * What the modes that talk to a running server share: the {@code --sock} and
 * {@code --timeout} options, and running the checked request as a {@link ControlCall}.
 */
abstract class ControlModeCommand extends ModeCommand implements Callable<Integer> {

    @Option(names = {"-s", "--sock"}, required = true, paramLabel = "SOCK",
            description = "The control socket of the running server.")
    Path sock;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "60",
            description = "How long to wait for the server's answer (default: ${DEFAULT-VALUE}).")
    long timeoutSeconds;

    ControlModeCommand(CliEnvironment env, VerbosityChoice verbosity) {
        super(env, verbosity);
    }

    /** The control command's name. */
    abstract String command();

    /** Its argument lines, checked. */
    abstract List<String> arguments();

    @Override
    public Integer call() {
        List<String> arguments = arguments();
        if (timeoutSeconds < 1) {
            throw usageError("invalid value for --timeout: " + timeoutSeconds + " is not a number of seconds of at least 1");
        }
        return new ControlCall(command(), sock, arguments, Duration.ofSeconds(timeoutSeconds), this::format).run(env);
    }

    /** How a successful answer's message is printed: as it is, unless the mode says otherwise. */
    String format(String message) {
        return message;
    }
}
