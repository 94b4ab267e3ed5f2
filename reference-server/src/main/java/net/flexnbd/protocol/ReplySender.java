package net.flexnbd.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;

/** Sends what the server handshake writes: each answer flushed at once, the channel closed if it cannot be sent. */
final class ReplySender {
    private ReplySender() {}

    static void send(ChannelHandlerContext ctx, ByteBuf bytes) {
        ctx.writeAndFlush(bytes).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
    }

    /** One option error reply carrying {@code message}. */
    static void sendError(ChannelHandlerContext ctx, int option, int errorType, String message) {
        ByteBuf reply = ctx.alloc().buffer();
        OptionReplies.writeError(reply, option, errorType, message);
        send(ctx, reply);
    }
}
