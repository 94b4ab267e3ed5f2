package net.flexnbd.protocol;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import java.util.Objects;
import java.util.function.Function;

/**
 * What the server handshake does about NBD_OPT_STARTTLS: the mode, and the TLS context it
 * starts sessions from when the mode is not {@link TlsMode#OFF}.
 */
public final class ServerTls {
    /** The name the TLS handler gets in the pipeline (its first handler). */
    public static final String HANDLER_NAME = "tls";

    /** No TLS: STARTTLS is an unsupported option. */
    public static final ServerTls OFF = new ServerTls(TlsMode.OFF, alloc -> {
        throw new IllegalStateException("TLS is off");
    });

    private final TlsMode mode;
    private final Function<ByteBufAllocator, ChannelHandler> sessions;

    /** For tests: {@code sessions} makes the handler STARTTLS puts first in the pipeline. */
    ServerTls(TlsMode mode, Function<ByteBufAllocator, ChannelHandler> sessions) {
        this.mode = mode;
        this.sessions = sessions;
    }

    /** TLS offered ({@link TlsMode#ON}) or required ({@link TlsMode#REQUIRE}) with this server context. */
    public static ServerTls of(TlsMode mode, SslContext context) {
        Objects.requireNonNull(context, "context");
        if (mode == TlsMode.OFF) {
            return OFF;
        }
        if (!context.isServer()) {
            throw new IllegalArgumentException("a server needs a server TLS context");
        }
        // STARTTLS mode: the first message the handler writes (the ACK) goes out in clear.
        return new ServerTls(mode, alloc -> new SslHandler(context.newEngine(alloc), true));
    }

    public TlsMode mode() {
        return mode;
    }

    boolean offered() {
        return mode != TlsMode.OFF;
    }

    boolean required() {
        return mode == TlsMode.REQUIRE;
    }

    /**
     * A handler for one session, in STARTTLS mode: the first message it writes (the ACK to
     * NBD_OPT_STARTTLS) goes out in clear, everything after inside TLS.
     */
    ChannelHandler newHandler(ByteBufAllocator alloc) {
        return sessions.apply(alloc);
    }
}
