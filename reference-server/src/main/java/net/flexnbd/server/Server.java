package net.flexnbd.server;

/**
 * A running flexnbd server process: serving, or listening for a migration. Placeholder
 * until the serving core lands.
 */
public final class Server implements AutoCloseable {

    private Server() {}

    /**
     * Opens the file, binds, opens the control socket and starts serving (or listening).
     *
     * @throws StartupException with a one-line, user-facing message when it cannot
     */
    public static Server start(ServerSettings settings) throws StartupException {
        throw new StartupException("not implemented yet");
    }

    /** Blocks until the server has stopped; returns the process exit status. */
    public int awaitExit() throws InterruptedException {
        return 1;
    }

    /** Begins a clean shutdown (signal received): in-flight requests finish, data flushed. */
    public void shutdown() {}

    @Override
    public void close() {
        shutdown();
    }
}
