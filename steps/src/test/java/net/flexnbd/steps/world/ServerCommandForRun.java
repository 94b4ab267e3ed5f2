package net.flexnbd.steps.world;

import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import net.flexnbd.fixtures.server.Capability;
import net.flexnbd.fixtures.server.ServerCommand;

/**
 * The flexnbd-compatible server the run puts under test, if {@code FLEXNBD_SERVER_COMMAND}
 * names one (see {@link ServerCommand}): then every server a scenario starts is a process
 * started through that command, never the reference server in this JVM, and a scenario
 * tagged with a capability the server does not declare is skipped with the reason.
 */
public final class ServerCommandForRun {
    private static final Optional<ServerCommand> COMMAND = ServerCommand.fromEnvironment();

    private ServerCommandForRun() {}

    public static Optional<ServerCommand> get() {
        return COMMAND;
    }

    /** Why a scenario with these tags cannot run against the server under test, if it cannot. */
    public static Optional<String> skipReason(java.util.Collection<String> tags) {
        if (COMMAND.isEmpty()) {
            return Optional.empty();
        }
        Set<Capability> missing = COMMAND.get().missing(tags);
        if (missing.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of("skipped: the server under test, " + COMMAND.get() + ", does not declare "
                + missing.stream().map(c -> c.tag() + " (" + c.meaning() + ")").collect(Collectors.joining(", "))
                + "; declare it in " + ServerCommand.CAPABILITIES_VARIABLE + " if it can");
    }
}
