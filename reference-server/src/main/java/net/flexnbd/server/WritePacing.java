package net.flexnbd.server;

import static net.flexnbd.protocol.Nbd.CMD_WRITE;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import net.flexnbd.export.WritePacer;
import net.flexnbd.protocol.Request;

/**
 * Holds a client's WRITEs back as long as the served file's {@link WritePacer} says, so that
 * a migration whose dirty passes stop shrinking can catch up (auto-converge). The event
 * loop never sleeps: a write that must wait is scheduled, and requests behind it wait in
 * order, so that nothing overtakes it (a DISC least of all). Without a limit every request
 * passes straight on. Sits between the codec (or the killswitch) and the dispatcher.
 */
final class WritePacing extends ChannelInboundHandlerAdapter {

    private final WritePacer pacer;
    /** Requests held back, oldest first; event loop only. */
    private final ArrayDeque<Request> held = new ArrayDeque<>();
    /** Set while the head of {@link #held} is scheduled; event loop only. */
    private boolean scheduled;

    WritePacing(WritePacer pacer) {
        this.pacer = pacer;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof Request request)) {
            ctx.fireChannelRead(msg);
            return;
        }
        held.add(request);
        if (!scheduled) {
            release(ctx);
        }
    }

    /** Passes on held requests until one has to wait; schedules that one. */
    private void release(ChannelHandlerContext ctx) {
        scheduled = false;
        while (!held.isEmpty()) {
            Request next = held.peek();
            long wait = next.type() == CMD_WRITE ? pacer.reserveNanos(next.length()) : 0;
            if (wait > 0) {
                scheduled = true;
                ctx.executor().schedule(() -> {
                    if (!held.isEmpty()) { // else the connection closed meanwhile
                        fireHead(ctx);
                        release(ctx);
                    }
                }, wait, TimeUnit.NANOSECONDS);
                return;
            }
            fireHead(ctx);
        }
    }

    private void fireHead(ChannelHandlerContext ctx) {
        Request head = held.poll();
        if (head != null) {
            ctx.fireChannelRead(head);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        // The connection is gone: what waited here will never be answered.
        Request request;
        while ((request = held.poll()) != null) {
            request.release();
        }
        ctx.fireChannelInactive();
    }
}
