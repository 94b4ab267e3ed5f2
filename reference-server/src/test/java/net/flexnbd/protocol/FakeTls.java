package net.flexnbd.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.List;

/**
 * Stands in for the SslHandler that STARTTLS puts first in the pipeline: like it in STARTTLS
 * mode it lets the first write (the ACK) out in clear; whatever arrives after it would be
 * TLS records, so it keeps those bytes from the handshake (an SslHandler fed plaintext
 * fails the session), and it counts what would be written inside TLS.
 */
final class FakeTls extends ChannelDuplexHandler {
    final List<byte[]> receivedInsideTls = new ArrayList<>();
    int writtenInsideTls;
    private boolean firstWriteDone;

    static ServerTls mode(TlsMode mode) {
        return new ServerTls(mode, alloc -> new FakeTls());
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf bytes = (ByteBuf) msg;
        byte[] copy = new byte[bytes.readableBytes()];
        bytes.readBytes(copy);
        bytes.release();
        receivedInsideTls.add(copy);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (!firstWriteDone) {
            firstWriteDone = true;
            ctx.write(msg, promise);
            return;
        }
        writtenInsideTls++;
        ReferenceCountUtil.release(msg);
        promise.setSuccess();
    }
}
