package net.flexnbd.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.VoidChannelPromise;

/**
 * Writes {@link Reply}s on the server: a 16-byte header buffer, then the READ payload as a
 * buffer of its own (never copied), so the transport sends both in one gathering write.
 */
public final class ReplyEncoder extends ChannelOutboundHandlerAdapter {
    /** The name the handshake gives this handler in the pipeline. */
    public static final String NAME = "nbd-reply-encoder";

    /** Promise for the header half of a two-part write; the caller's promise covers the payload. */
    private ChannelPromise headerPromise;

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        headerPromise = new VoidChannelPromise(ctx.channel(), false);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (!(msg instanceof Reply reply)) {
            ctx.write(msg, promise);
            return;
        }
        ByteBuf payload = reply.payload();
        ByteBuf header;
        try {
            header = ctx.alloc().ioBuffer(Nbd.REPLY_HEADER_LENGTH);
        } catch (RuntimeException | Error e) {
            payload.release();
            throw e;
        }
        header.writeInt(Nbd.SIMPLE_REPLY_MAGIC).writeInt(reply.error()).writeLong(reply.cookie());
        TwoPartWrite.write(ctx, header, payload, headerPromise, promise);
    }
}
