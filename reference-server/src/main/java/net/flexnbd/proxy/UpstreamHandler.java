package net.flexnbd.proxy;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import net.flexnbd.protocol.ChunkFrame;
import net.flexnbd.protocol.Reply;

/**
 * The last handler of one upstream connection: passes its events to the {@link UpstreamLink}
 * that opened it, tagged with the connection's generation, so that late events of a link
 * already given up are recognised and ignored.
 */
final class UpstreamHandler extends ChannelInboundHandlerAdapter {
    private final UpstreamLink link;
    private final int generation;

    UpstreamHandler(UpstreamLink link, int generation) {
        this.link = link;
        this.generation = generation;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        link.up(generation, ctx.channel());
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Reply reply) {
            link.reply(generation, reply);
        } else if (msg instanceof ChunkFrame chunk) {
            link.chunk(generation, chunk);
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        link.readComplete(generation);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        link.lost(generation, "the upstream closed the connection");
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        link.lost(generation, cause.toString());
        ctx.close();
    }
}
