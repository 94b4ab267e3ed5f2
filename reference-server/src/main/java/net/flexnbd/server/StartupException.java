package net.flexnbd.server;

/** A server could not start; the message is one line, fit to show the user. */
public final class StartupException extends Exception {
    public StartupException(String message) {
        super(message);
    }

    public StartupException(String message, Throwable cause) {
        super(message, cause);
    }
}
