package net.flexnbd.control;

/**
 * The codes a control answer starts with, shared by the socket server, the command
 * dispatcher and the handlers, so that scripts can tell a failed command from a
 * malformed one.
 */
public final class ControlCodes {
    private ControlCodes() {}

    /** The command did what was asked. */
    public static final int OK = 0;
    /**
     * The command was understood but could not be done: a missing or malformed argument, a
     * state that does not allow it (mirroring a file this server does not control), or a
     * handler that threw. The one name for code 1.
     */
    public static final int FAILED = 1;
    /**
     * The request itself was wrong: unknown command, missing or malformed arguments, a line
     * too long, bytes that are not UTF-8 text, or a client that stopped before the end.
     */
    public static final int BAD_REQUEST = 2;
}
