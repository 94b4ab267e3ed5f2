package net.flexnbd.server;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends a connection that fails before its handshake is over (a reset, a protocol error) with
 * one log line, instead of letting the error reach the end of the pipeline unhandled. Once
 * the handshake is over it is removed: the transmission handler handles errors from then on.
 */
@ChannelHandler.Sharable
final class HandshakeFailures extends ChannelInboundHandlerAdapter {
    static final String NAME = "handshake-failures";
    static final HandshakeFailures INSTANCE = new HandshakeFailures();
    private static final Logger log = LoggerFactory.getLogger(HandshakeFailures.class);

    private HandshakeFailures() {}

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.info("connection from {} ended during the handshake: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
