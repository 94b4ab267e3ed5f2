package net.flexnbd.server;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes a client connection whose handshake is not over by a deadline, so that clients that
 * connect and say nothing (or stop halfway) do not hold a connection for ever. The pipeline
 * removes it when transmission starts; from then on an idle client is an ordinary client.
 */
final class HandshakeDeadline extends ChannelInboundHandlerAdapter {
    /** The name it has in the pipeline. */
    static final String NAME = "handshake-deadline";
    /** System property: milliseconds a client may take over its handshake. */
    static final String PROPERTY = "flexnbd.handshakeTimeoutMillis";
    static final Duration DEFAULT = Duration.ofSeconds(30);

    private static final Logger log = LoggerFactory.getLogger(HandshakeDeadline.class);

    private final Duration limit;
    private ScheduledFuture<?> expiry;

    HandshakeDeadline(Duration limit) {
        if (limit.isNegative() || limit.isZero()) {
            throw new IllegalArgumentException("handshake timeout (" + limit + ") must be positive");
        }
        this.limit = limit;
    }

    /** The limit {@link #PROPERTY} sets, or {@link #DEFAULT}. */
    static Duration configured() {
        long millis = Long.getLong(PROPERTY, DEFAULT.toMillis());
        if (millis <= 0) {
            throw new IllegalArgumentException(PROPERTY + " (" + millis + ") must be a positive number of milliseconds");
        }
        return Duration.ofMillis(millis);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        expiry = ctx.executor().schedule(() -> {
            log.info("{}: no handshake within {} ms; closing", ctx.channel().remoteAddress(), limit.toMillis());
            ctx.close();
        }, limit.toMillis(), TimeUnit.MILLISECONDS);
        ctx.fireChannelActive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (expiry != null) {
            expiry.cancel(false);
        }
    }
}
