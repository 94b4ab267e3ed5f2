package net.flexnbd.limits;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import java.util.EnumSet;
import java.util.Set;

/**
 * The one switch that stops a connection being read, held off by any of several reasons at
 * once (replies piling up, payload memory short). Two handlers each setting auto-read
 * would undo each other; this one owns it. It sits at the head of the pipeline, so a
 * {@code read()} that a decoder asks for while reading is paused waits here until it resumes.
 */
public final class ReadPause extends ChannelOutboundHandlerAdapter {
    /** The name it has in the pipeline. */
    public static final String NAME = "read-pause";

    /** Why a connection is not being read. */
    public enum Reason {
        /** The client leaves its replies untaken (the transmission handler's backpressure). */
        REPLY_BACKLOG,
        /** The next WRITE payload waits for room in the shared payload budget. */
        PAYLOAD_MEMORY
    }

    private final Set<Reason> reasons = EnumSet.noneOf(Reason.class);
    private ChannelHandlerContext ctx;
    private boolean readAsked;

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    /**
     * Pauses or resumes reading {@code channel} for {@code reason}; reading resumes once no
     * reason is left. Safe from any thread. A channel without this handler has its
     * auto-read set directly.
     */
    public static void set(Channel channel, Reason reason, boolean paused) {
        if (!channel.eventLoop().inEventLoop()) {
            channel.eventLoop().execute(() -> set(channel, reason, paused));
            return;
        }
        if (channel.pipeline().get(NAME) instanceof ReadPause pause) {
            pause.update(reason, paused);
        } else {
            channel.config().setAutoRead(!paused);
        }
    }

    /** True while some reason holds reading off; on the event loop. */
    public static boolean isPaused(Channel channel) {
        return channel.pipeline().get(NAME) instanceof ReadPause pause ? !pause.reasons.isEmpty()
                : !channel.config().isAutoRead();
    }

    private void update(Reason reason, boolean paused) {
        boolean changed = paused ? reasons.add(reason) : reasons.remove(reason);
        if (!changed) {
            return;
        }
        boolean reading = reasons.isEmpty();
        ctx.channel().config().setAutoRead(reading);
        if (reading && readAsked) {
            readAsked = false;
            ctx.read();
        }
    }

    @Override
    public void read(ChannelHandlerContext ctx) {
        if (reasons.isEmpty()) {
            ctx.read();
        } else {
            readAsked = true;
        }
    }
}
