package net.flexnbd.migration;

import java.io.EOFException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import net.flexnbd.control.ControlResponse;
import net.flexnbd.protocol.client.NbdProtocolException;

/**
 * The codes {@code mirror} answers with when it cannot start, one per cause, so scripts can
 * tell them apart. docs/protocol.md lists them.
 */
final class MirrorErrors {
    // 2 is the control socket's own: a malformed request or an unknown command.
    static final int BAD_ARGUMENTS = 1;
    static final int ALREADY_MIRRORING = 3;
    static final int SHUTTING_DOWN = 4;
    static final int CONNECT_FAILED = 5;
    static final int REJECTED = 6;
    static final int NO_RESPONSE = 7;
    static final int SIZE_MISMATCH = 8;
    static final int PROTOCOL_ERROR = 9;
    static final int STOPPED = 10;
    static final int NOT_MIRRORING = 11;
    static final int TOO_LATE = 12;
    static final int TOO_SMALL = 13;

    private MirrorErrors() {}

    /** The answer for a first attempt that failed before the destination was accepted. */
    static ControlResponse firstConnect(InetSocketAddress destination, Throwable failure) {
        String where = destination.getAddress().getHostAddress() + ":" + destination.getPort();
        if (failure instanceof MirrorJob.SizeMismatch) {
            return ControlResponse.error(SIZE_MISMATCH, failure.getMessage());
        }
        if (failure instanceof ConnectException || failure instanceof NoRouteToHostException) {
            return ControlResponse.error(CONNECT_FAILED, "failed to connect to " + where + ": " + failure.getMessage());
        }
        if (failure instanceof SocketTimeoutException) {
            return ControlResponse.error(NO_RESPONSE, "no response from " + where);
        }
        if (failure instanceof EOFException || isReset(failure)) {
            return ControlResponse.error(REJECTED, "rejected by " + where + " (closed before its hello)");
        }
        if (failure instanceof NbdProtocolException) {
            return ControlResponse.error(PROTOCOL_ERROR, "bad hello from " + where + ": " + failure.getMessage());
        }
        return ControlResponse.error(CONNECT_FAILED, "cannot mirror to " + where + ": " + failure);
    }

    private static boolean isReset(Throwable failure) {
        String message = String.valueOf(failure.getMessage()).toLowerCase(java.util.Locale.ROOT);
        return message.contains("connection reset") || message.contains("broken pipe");
    }
}
