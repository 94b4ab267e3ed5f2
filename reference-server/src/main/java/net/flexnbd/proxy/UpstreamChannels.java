package net.flexnbd.proxy;

import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.util.function.LongToIntFunction;
import net.flexnbd.protocol.ReplyDecoder;
import net.flexnbd.protocol.RequestEncoder;

/**
 * Turns a negotiated upstream connection into a Netty channel (not yet registered) with the
 * project's client-side transmission codec in front of the proxy's handler.
 */
final class UpstreamChannels {
    private UpstreamChannels() {}

    /** Reads of up to 1 MiB, as the server's own connections; past 8 MiB unsent it is not written to. */
    static Channel adopt(UpstreamConnector.Connected connected, LongToIntFunction replyLength, UpstreamHandler handler) {
        NioSocketChannel channel = new NioSocketChannel(connected.channel());
        channel.config().setRecvByteBufAllocator(new AdaptiveRecvByteBufAllocator(4096, 64 * 1024, 1 << 20));
        channel.config().setWriteBufferWaterMark(new WriteBufferWaterMark(2 << 20, 8 << 20));
        channel.pipeline()
                .addLast(RequestEncoder.NAME, new RequestEncoder())
                .addLast(ReplyDecoder.NAME, new ReplyDecoder(replyLength))
                .addLast(handler);
        return channel;
    }
}
