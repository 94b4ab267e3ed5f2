package net.flexnbd.migration;

import static net.flexnbd.migration.MirrorOutcome.Reason.*;

import java.io.EOFException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import net.flexnbd.protocol.client.NbdProtocolException;
import net.flexnbd.protocol.client.TlsNegotiationException;

/**
 * Tells apart the causes of a first attempt that failed before the destination was
 * accepted, so that scripts can react to each one.
 */
final class MirrorErrors {
    private MirrorErrors() {}

    /** The outcome of a first attempt that failed before the destination was accepted. */
    static MirrorOutcome firstConnect(InetSocketAddress destination, Throwable failure) {
        String where = destination.getAddress().getHostAddress() + ":" + destination.getPort();
        if (failure instanceof MirrorJob.SizeMismatch) {
            return MirrorOutcome.refused(SIZE_MISMATCH, failure.getMessage());
        }
        if (failure instanceof TlsNegotiationException tls) {
            return switch (tls.kind()) {
                case REQUIRED_BY_SERVER -> MirrorOutcome.refused(TLS_REQUIRED, where + " requires TLS: mirror with --tls ("
                        + tls.getMessage() + ")");
                case NOT_OFFERED -> MirrorOutcome.refused(TLS_FAILED, "cannot mirror with TLS to " + where + ": "
                        + tls.getMessage());
                case HANDSHAKE_FAILED -> MirrorOutcome.refused(TLS_FAILED, "TLS with " + where + " failed: "
                        + tls.getMessage());
            };
        }
        if (failure instanceof ConnectException || failure instanceof NoRouteToHostException) {
            return MirrorOutcome.refused(CONNECT_FAILED, "failed to connect to " + where + ": " + failure.getMessage());
        }
        if (failure instanceof SocketTimeoutException) {
            return MirrorOutcome.refused(NO_RESPONSE, "no response from " + where);
        }
        if (failure instanceof EOFException || isReset(failure)) {
            return MirrorOutcome.refused(REJECTED, "rejected by " + where + " (closed before its hello)");
        }
        if (failure instanceof NbdProtocolException) {
            return MirrorOutcome.refused(PROTOCOL_ERROR, "bad hello from " + where + ": " + failure.getMessage());
        }
        return MirrorOutcome.refused(CONNECT_FAILED, "cannot mirror to " + where + ": " + failure);
    }

    private static boolean isReset(Throwable failure) {
        String message = String.valueOf(failure.getMessage()).toLowerCase(java.util.Locale.ROOT);
        return message.contains("connection reset") || message.contains("broken pipe");
    }
}
