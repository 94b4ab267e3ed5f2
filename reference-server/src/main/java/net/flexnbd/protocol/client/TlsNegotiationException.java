package net.flexnbd.protocol.client;

import java.io.IOException;

/**
 * The handshake stopped over TLS: the server insists on it and the client did not ask, the
 * client asked and the server does not offer it, or the TLS handshake itself failed (an
 * untrusted certificate, one that does not name the address, a client certificate refused).
 * Nothing reached the transmission phase; the connection has been closed.
 */
public final class TlsNegotiationException extends IOException {
    /** Which of the three it was, so that callers can say what to change. */
    public enum Kind {
        /** The server answered NBD_REP_ERR_TLS_REQD: connect with TLS. */
        REQUIRED_BY_SERVER,
        /** TLS was asked for and the server does not offer NBD_OPT_STARTTLS. */
        NOT_OFFERED,
        /** STARTTLS was acknowledged, then the TLS handshake failed. */
        HANDSHAKE_FAILED
    }

    private final Kind kind;

    TlsNegotiationException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    TlsNegotiationException(Kind kind, String message) {
        this(kind, message, null);
    }

    public Kind kind() {
        return kind;
    }
}
