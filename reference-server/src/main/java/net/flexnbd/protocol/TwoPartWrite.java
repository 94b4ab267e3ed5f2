package net.flexnbd.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;

/**
 * Writes a header buffer followed by a payload buffer without copying either and without a
 * per-message promise: the header goes with a silent void promise, the payload (or the
 * header alone when there is no payload) with the caller's promise.
 */
final class TwoPartWrite {
    private TwoPartWrite() {}

    static void write(ChannelHandlerContext ctx, ByteBuf header, ByteBuf payload,
                      ChannelPromise headerPromise, ChannelPromise promise) {
        if (!payload.isReadable()) {
            payload.release();
            ctx.write(header, promise);
        } else {
            ctx.write(header, headerPromise);
            ctx.write(payload, promise);
        }
    }
}
