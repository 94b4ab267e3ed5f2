package net.flexnbd.proxy;

import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslHandler;
import java.net.InetSocketAddress;
import java.util.function.LongToIntFunction;
import net.flexnbd.protocol.ReplyDecoder;
import net.flexnbd.protocol.RequestEncoder;

/**
 * Turns a negotiated upstream connection into a Netty channel (not yet registered) with the
 * project's client-side transmission codec in front of the proxy's handler (decoding chunks
 * when the client asked for structured replies); a connection
 * that is to continue inside TLS gets the {@code SslHandler} and {@link UpstreamGo} first.
 */
final class UpstreamChannels {
    private UpstreamChannels() {}

    /** Reads of up to 1 MiB, as the server's own connections; past 8 MiB unsent it is not written to. */
    static Channel adopt(UpstreamConnector.Connected connected, LongToIntFunction replyLength, UpstreamHandler handler) {
        return adopt(connected, null, replyLength, handler, null);
    }

    /** As above; a TLS connection finishes its handshake with {@code go} telling {@code listener}. */
    static Channel adopt(UpstreamConnector.Connected connected, InetSocketAddress upstream, LongToIntFunction replyLength,
            UpstreamHandler handler, UpstreamGo.Listener listener) {
        NioSocketChannel channel = new NioSocketChannel(connected.channel());
        if (connected.tls().isPresent()) {
            // STARTTLS is already acknowledged: the handler starts the TLS handshake once active.
            channel.pipeline().addLast("tls", new SslHandler(connected.tls().get().newEngine(upstream), false))
                    .addLast("go", new UpstreamGo(listener, connected.wanted()));
        }
        channel.config().setRecvByteBufAllocator(new AdaptiveRecvByteBufAllocator(4096, 64 * 1024, 1 << 20));
        channel.config().setWriteBufferWaterMark(new WriteBufferWaterMark(2 << 20, 8 << 20));
        channel.pipeline()
                .addLast(RequestEncoder.NAME, new RequestEncoder())
                .addLast(ReplyDecoder.NAME, new ReplyDecoder(replyLength, connected.wanted().structuredReplies()))
                .addLast(handler);
        return channel;
    }
}
