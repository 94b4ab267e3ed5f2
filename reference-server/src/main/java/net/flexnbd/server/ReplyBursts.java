package net.flexnbd.server;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import net.flexnbd.protocol.ServerReply;

/**
 * Writes one connection's replies and flushes them once per burst rather than once each:
 * at the end of a socket read ({@link #end()} from channelReadComplete), or else in a task
 * queued behind the replies that storage threads hand back together, so that a run of them
 * leaves in one system call. The same moment sends the burst's gathered writes to their
 * worker. Event loop only.
 */
final class ReplyBursts {
    private final ChannelHandlerContext ctx;
    private final Runnable sendGatheredWrites;
    private boolean writesGathered;
    private boolean unflushed;
    private boolean endQueued;

    /** @param sendGatheredWrites hands the writes gathered in this burst to their worker */
    ReplyBursts(ChannelHandlerContext ctx, Runnable sendGatheredWrites) {
        this.ctx = ctx;
        this.sendGatheredWrites = sendGatheredWrites;
    }

    /** Writes {@code reply}, to be flushed at the end of the burst; {@code whenSent} runs once it has left. */
    void write(ServerReply reply, ChannelFutureListener whenSent) {
        ctx.write(reply).addListener(whenSent);
        unflushed = true;
        queueEnd();
    }

    /** Writes were gathered: send them at the end of the burst. */
    void writesGathered() {
        writesGathered = true;
        queueEnd();
    }

    private void queueEnd() {
        if (!endQueued) {
            endQueued = true;
            ctx.executor().execute(this::end);
        }
    }

    /** Ends the burst: sends the gathered writes, flushes the written replies. */
    void end() {
        endQueued = false;
        if (writesGathered) {
            writesGathered = false;
            sendGatheredWrites.run();
        }
        if (unflushed) {
            unflushed = false;
            ctx.flush();
        }
    }
}
