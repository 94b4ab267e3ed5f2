package net.flexnbd.cli;

import java.net.InetSocketAddress;
import java.util.Optional;
import net.flexnbd.server.ServerSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code flexnbd listen}: wait for an inbound migration, then serve on the rebind address. */
@Command(name = "listen",
        description = "Wait on ADDR:PORT for a migration of FILE; once it completes, take control and serve"
                + " on the rebind address (default: ADDR:PORT).",
        sortOptions = false,
        footerHeading = "%n",
        footer = "Exit status: 0 stopped cleanly after taking control, migrated onward, or (with"
                + " --exit-after-migration) received the migration; 1 could not start,"
                + " failed, or stopped before control arrived; 2 usage error.")
final class ListenCommand extends ServerModeCommand {

    @Option(names = {"-L", "--rebind-addr"}, paramLabel = "ADDR",
            description = "Address to serve on once in control (default: --addr).")
    String rebindAddr;

    @Option(names = {"-P", "--rebind-port"}, paramLabel = "PORT",
            description = "Port to serve on once in control (default: --port).")
    Integer rebindPort;

    @Option(names = "--exit-after-migration",
            description = "Exit with status 0 once the migration has arrived (and is on disk) instead of serving"
                    + " it, as the original flexnbd's listen does.")
    boolean exitAfterMigrationOption;

    ListenCommand(CliEnvironment env, VerbosityChoice verbosity) {
        super(env, verbosity);
    }

    @Override
    ServerSettings.Mode mode() {
        return ServerSettings.Mode.LISTEN;
    }

    @Override
    boolean exitAfterMigration() {
        return exitAfterMigrationOption;
    }

    @Override
    Optional<InetSocketAddress> rebind() {
        if (rebindAddr == null && rebindPort == null) {
            return Optional.empty();
        }
        String host = rebindAddr != null ? rebindAddr : addr;
        int rebindTo = rebindPort != null ? port("--rebind-port", rebindPort, 0) : port;
        return Optional.of(new InetSocketAddress(address(rebindAddr != null ? "--rebind-addr" : "--addr", host), rebindTo));
    }
}
