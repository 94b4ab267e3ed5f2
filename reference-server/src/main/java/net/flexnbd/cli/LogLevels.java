package net.flexnbd.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import org.slf4j.LoggerFactory;

/**
 * Applies the chosen {@link Verbosity} to Logback before anything logs: the configuration
 * file fixes the format, the command line picks the level.
 */
final class LogLevels {
    private LogLevels() {}

    /** Netty's own chatter stays at WARN unless the user asked for quiet. */
    private static final String NETTY = "io.netty";

    static void apply(Verbosity verbosity) {
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
            apply(verbosity, context);
        }
        // Otherwise another SLF4J binding (an embedding test, say) owns its own levels.
    }

    static void apply(Verbosity verbosity, LoggerContext context) {
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        switch (verbosity) {
            case QUIET -> {
                root.setLevel(Level.ERROR);
                context.getLogger(NETTY).setLevel(Level.ERROR);
            }
            case NORMAL -> {
                root.setLevel(Level.INFO);
                context.getLogger(NETTY).setLevel(Level.WARN);
            }
            case VERBOSE -> {
                root.setLevel(Level.DEBUG);
                context.getLogger(NETTY).setLevel(Level.WARN);
            }
        }
    }
}
