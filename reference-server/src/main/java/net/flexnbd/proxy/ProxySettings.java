package net.flexnbd.proxy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import net.flexnbd.protocol.HandshakeStyle;
import net.flexnbd.tls.TlsSettings;

/**
 * Everything {@code flexnbd proxy} is told, checked.
 *
 * @param listen        where clients connect: a TCP address, or a Unix socket path
 * @param upstream      the NBD server the proxy forwards to
 * @param bind          local address to connect to the upstream from, if any
 * @param controlSocket Unix socket answering {@code status}, if any
 * @param maxWait       how long a request may wait for an upstream that is gone before it gets
 *                      EIO; empty: for ever
 * @param queueDepth    requests of one client sent upstream and not yet answered, at most
 * @param replyTimeout  an upstream that answers nothing for this long while requests wait is lost
 * @param handshake     which hello the proxy sends its clients
 * @param tls           STARTTLS for the proxy's clients, as {@code serve --tls} has it
 * @param upstreamTls   the certificate directory for TLS to the upstream ({@code --conn-tls});
 *                      empty: the upstream link is in clear
 */
public record ProxySettings(
        SocketAddress listen,
        InetSocketAddress upstream,
        Optional<InetAddress> bind,
        Optional<Path> controlSocket,
        Optional<Duration> maxWait,
        int queueDepth,
        Duration replyTimeout,
        HandshakeStyle handshake,
        TlsSettings tls,
        Optional<Path> upstreamTls) {

    /** Requests in flight per client unless told otherwise; nbdcopy and fio use up to 64. */
    public static final int DEFAULT_QUEUE_DEPTH = 128;
    public static final int MAX_QUEUE_DEPTH = 4096;
    public static final Duration DEFAULT_REPLY_TIMEOUT = Duration.ofSeconds(30);
    /** How long the proxy tries to reach its upstream at start when --max-wait is not given. */
    public static final Duration DEFAULT_STARTUP_WAIT = Duration.ofSeconds(30);

    /** Settings with no TLS on either side. */
    public ProxySettings(SocketAddress listen, InetSocketAddress upstream, Optional<InetAddress> bind,
            Optional<Path> controlSocket, Optional<Duration> maxWait, int queueDepth, Duration replyTimeout,
            HandshakeStyle handshake) {
        this(listen, upstream, bind, controlSocket, maxWait, queueDepth, replyTimeout, handshake, TlsSettings.OFF,
                Optional.empty());
    }

    public ProxySettings {
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(upstreamTls, "upstreamTls");
        Objects.requireNonNull(listen, "listen");
        Objects.requireNonNull(upstream, "upstream");
        Objects.requireNonNull(bind, "bind");
        Objects.requireNonNull(controlSocket, "controlSocket");
        Objects.requireNonNull(maxWait, "maxWait");
        Objects.requireNonNull(handshake, "handshake");
        if (!(listen instanceof InetSocketAddress) && !(listen instanceof UnixDomainSocketAddress)) {
            throw new IllegalArgumentException("listen address (" + listen + ") must be TCP or a Unix socket");
        }
        if (queueDepth < 1 || queueDepth > MAX_QUEUE_DEPTH) {
            throw new IllegalArgumentException("queue depth (" + queueDepth + ") must be from 1 to " + MAX_QUEUE_DEPTH);
        }
        if (replyTimeout.isNegative() || replyTimeout.isZero()) {
            throw new IllegalArgumentException("reply timeout (" + replyTimeout + ") must be positive");
        }
        maxWait.ifPresent(wait -> {
            if (wait.isNegative() || wait.isZero()) {
                throw new IllegalArgumentException("max wait (" + wait + ") must be positive");
            }
        });
    }

    /** Settings with the defaults for everything but the two addresses. */
    public static ProxySettings of(SocketAddress listen, InetSocketAddress upstream) {
        return new ProxySettings(listen, upstream, Optional.empty(), Optional.empty(), Optional.empty(),
                DEFAULT_QUEUE_DEPTH, DEFAULT_REPLY_TIMEOUT, HandshakeStyle.NEWSTYLE);
    }

    public ProxySettings withMaxWait(Duration wait) {
        return new ProxySettings(listen, upstream, bind, controlSocket, Optional.of(wait), queueDepth, replyTimeout, handshake,
                tls, upstreamTls);
    }

    public ProxySettings withQueueDepth(int depth) {
        return new ProxySettings(listen, upstream, bind, controlSocket, maxWait, depth, replyTimeout, handshake,
                tls, upstreamTls);
    }

    public ProxySettings withReplyTimeout(Duration timeout) {
        return new ProxySettings(listen, upstream, bind, controlSocket, maxWait, queueDepth, timeout, handshake,
                tls, upstreamTls);
    }

    public ProxySettings withHandshake(HandshakeStyle style) {
        return new ProxySettings(listen, upstream, bind, controlSocket, maxWait, queueDepth, replyTimeout, style,
                tls, upstreamTls);
    }

    public ProxySettings withControlSocket(Path socket) {
        return new ProxySettings(listen, upstream, bind, Optional.of(socket), maxWait, queueDepth, replyTimeout, handshake,
                tls, upstreamTls);
    }

    /** STARTTLS for the clients ({@code --tls}, {@code --tls-certificates}, {@code --tls-verify-peer}). */
    public ProxySettings withTls(TlsSettings value) {
        return new ProxySettings(listen, upstream, bind, controlSocket, maxWait, queueDepth, replyTimeout, handshake,
                value, upstreamTls);
    }

    /** TLS to the upstream, checked against {@code certificates}/ca-cert.pem ({@code --conn-tls}). */
    public ProxySettings withUpstreamTls(Path certificates) {
        return new ProxySettings(listen, upstream, bind, controlSocket, maxWait, queueDepth, replyTimeout, handshake,
                tls, Optional.of(certificates));
    }

    /** How long the start may wait for the upstream. */
    Duration startupWait() {
        return maxWait.orElse(DEFAULT_STARTUP_WAIT);
    }
}
