package net.flexnbd.cli;

import net.flexnbd.server.ServerSettings;
import picocli.CommandLine.Command;

/** {@code flexnbd serve}: serve a file until a signal or a completed migration away. */
@Command(name = "serve",
        description = "Serve FILE on ADDR:PORT until SIGINT, SIGTERM or SIGQUIT, or until it has been"
                + " migrated away.",
        sortOptions = false,
        footerHeading = "%n",
        footer = "Exit status: 0 stopped cleanly or migrated away; 1 could not start or failed; 2 usage error.")
final class ServeCommand extends ServerModeCommand {

    ServeCommand(CliEnvironment env, VerbosityChoice verbosity) {
        super(env, verbosity);
    }

    @Override
    ServerSettings.Mode mode() {
        return ServerSettings.Mode.SERVE;
    }
}
