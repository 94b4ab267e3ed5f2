package net.flexnbd.limits;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * At most {@code max} connections at once on a listener: one more is closed before it sees
 * a hello. A burst of refusals is logged once, when it starts; the count of connections it
 * refused goes into a debug line when connections are accepted again. Shared by all the
 * listener's connections; the first handler of each pipeline after {@link ReadPause}.
 */
@ChannelHandler.Sharable
public final class ClientLimit extends ChannelInboundHandlerAdapter {
    /** The name it has in the pipeline. */
    public static final String NAME = "client-limit";

    private static final Logger log = LoggerFactory.getLogger(ClientLimit.class);

    private final int max;
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicBoolean refusing = new AtomicBoolean();
    private final AtomicLong refusedInBurst = new AtomicLong();

    public ClientLimit(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("max clients (" + max + ") must be at least 1");
        }
        this.max = max;
    }

    /** Connections open now. */
    public int open() {
        return open.get();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (open.incrementAndGet() > max) {
            open.decrementAndGet();
            refusedInBurst.incrementAndGet();
            if (refusing.compareAndSet(false, true)) {
                log.warn("{} connections open, the most --max-clients allows: refusing new ones (first {})",
                        max, ctx.channel().remoteAddress());
            }
            ctx.close();
            return;
        }
        if (refusing.compareAndSet(true, false)) {
            log.debug("accepting connections again; refused {} meanwhile", refusedInBurst.getAndSet(0));
        }
        ctx.channel().closeFuture().addListener((ChannelFutureListener) f -> open.decrementAndGet());
        ctx.pipeline().remove(this);
        ctx.fireChannelActive();
    }
}
