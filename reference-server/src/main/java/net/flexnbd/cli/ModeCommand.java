package net.flexnbd.cli;

import java.net.InetAddress;
import net.flexnbd.acl.IpLiteral;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * What every mode shares: the global options {@code -h}, {@code -v}, {@code -q}, the
 * environment, and turning a bad value into a one-line usage error.
 */
abstract class ModeCommand {

    final CliEnvironment env;
    private final VerbosityChoice verbosity;

    @Spec
    CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean helpRequested;

    ModeCommand(CliEnvironment env, VerbosityChoice verbosity) {
        this.env = env;
        this.verbosity = verbosity;
    }

    @Option(names = {"-v", "--verbose"}, description = "Log more, including the migration's progress."
            + " The last of -v and -q wins.")
    void verbose(boolean on) {
        if (on) {
            verbosity.set(Verbosity.VERBOSE);
        }
    }

    @Option(names = {"-q", "--quiet"}, description = "Log fatal errors only. The last of -v and -q wins.")
    void quiet(boolean on) {
        if (on) {
            verbosity.set(Verbosity.QUIET);
        }
    }

    /** A usage error, reported as one line and exit status 2. */
    ParameterException usageError(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    /** The address literal given to {@code option}; never resolved through DNS. */
    InetAddress address(String option, String text) {
        try {
            return IpLiteral.parse(text);
        } catch (IllegalArgumentException e) {
            throw usageError("invalid value for " + option + ": " + e.getMessage());
        }
    }

    /** Checks a port; {@code lowest} is 0 where the system may pick one, else 1. */
    int port(String option, int port, int lowest) {
        if (port < lowest || port > 65535) {
            throw usageError("invalid value for " + option + ": port " + port + " is not from " + lowest + " to 65535");
        }
        return port;
    }

    /** Prints a runtime failure of this mode as one line on stderr. */
    void failure(String message) {
        env.err().println(spec.qualifiedName() + ": " + message);
    }
}
