package net.flexnbd.proxy;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Ends a client connection that fails during its handshake with one log line; removed once it is over. */
@ChannelHandler.Sharable
final class HandshakeFailures extends ChannelInboundHandlerAdapter {
    static final String NAME = "proxy-handshake-failures";
    static final HandshakeFailures INSTANCE = new HandshakeFailures();
    private static final Logger log = LoggerFactory.getLogger(HandshakeFailures.class);

    private HandshakeFailures() {}

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.info("client {} ended during the handshake: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
