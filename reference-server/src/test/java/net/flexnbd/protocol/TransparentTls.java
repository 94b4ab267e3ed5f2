package net.flexnbd.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;

/**
 * A TLS session that hides nothing, for fuzzing what happens inside TLS: like an SslHandler
 * in STARTTLS mode it lets the first write (the ACK) out in clear, and then whatever the
 * client sends reaches the handshake as if decrypted; what the server writes from then on is
 * kept apart ({@link #insideTls}), as it would leave encrypted.
 */
final class TransparentTls extends ChannelDuplexHandler {
    /** What the server wrote inside TLS. */
    final ByteBuf insideTls = Unpooled.buffer();
    private boolean firstWriteDone;

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (!firstWriteDone) {
            firstWriteDone = true;
            ctx.write(msg, promise);
            return;
        }
        ByteBuf bytes = (ByteBuf) msg;
        insideTls.writeBytes(bytes);
        bytes.release();
        promise.setSuccess();
    }
}
