package net.flexnbd.limits;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import net.flexnbd.protocol.PartialRequest;
import net.flexnbd.protocol.Request;
import net.flexnbd.protocol.RequestDecoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes a connection whose request began to arrive (part of a header, part of a payload)
 * and did not arrive whole within the limit, with one log line. A connection idle between
 * requests is left alone, and so is one whose payload waits for the server's memory
 * ({@link RequestDecoder#awaitingMemory()}): that wait is not the client's doing. It sits
 * behind the request decoder and starts its clock at the decoder's {@link PartialRequest}
 * event (which it passes on); a decoded {@link Request} stops it.
 */
public final class ReceiveDeadline extends ChannelInboundHandlerAdapter {
    /** The name it has in the pipeline. */
    public static final String NAME = "receive-deadline";

    private static final Logger log = LoggerFactory.getLogger(ReceiveDeadline.class);

    private final Duration limit;
    private ScheduledFuture<?> expiry;

    public ReceiveDeadline(Duration limit) {
        if (limit.isNegative() || limit.isZero()) {
            throw new IllegalArgumentException("receive deadline (" + limit + ") must be positive");
        }
        this.limit = limit;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Request) {
            disarm();
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == PartialRequest.INSTANCE && expiry == null) {
            arm(ctx);
        }
        ctx.fireUserEventTriggered(evt);
    }

    private void arm(ChannelHandlerContext ctx) {
        expiry = ctx.executor().schedule(() -> expired(ctx), limit.toNanos(), TimeUnit.NANOSECONDS);
    }

    private void expired(ChannelHandlerContext ctx) {
        expiry = null;
        if (ctx.pipeline().get(RequestDecoder.NAME) instanceof RequestDecoder decoder && decoder.awaitingMemory()) {
            arm(ctx); // the client may send the rest once we read again: a fresh limit from then
            return;
        }
        log.info("{}: a request did not arrive whole within {} ms; closing", ctx.channel().remoteAddress(), limit.toMillis());
        ctx.close();
    }

    private void disarm() {
        if (expiry != null) {
            expiry.cancel(false);
            expiry = null;
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        disarm();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        disarm();
    }
}
