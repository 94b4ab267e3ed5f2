package net.flexnbd.protocol.client;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import net.flexnbd.protocol.ExportDescription;
import net.flexnbd.protocol.HandshakeStyle;
import net.flexnbd.protocol.Nbd;
import net.flexnbd.protocol.Reply;
import net.flexnbd.protocol.Request;
import net.flexnbd.protocol.ServerHandshake;

/**
 * A tiny NBD server over a byte array, built from the protocol package's own server-side
 * handlers, on a loopback port chosen by the system. It can hold back replies and send them
 * in reverse, to show that clients match replies by cookie.
 */
final class TestNbdServer implements AutoCloseable {
    static final int FLAGS = Nbd.TFLAG_HAS_FLAGS | Nbd.TFLAG_SEND_FLUSH | Nbd.TFLAG_SEND_FUA
            | Nbd.TFLAG_SEND_TRIM | Nbd.TFLAG_SEND_WRITE_ZEROES;

    final byte[] disk;
    /** Every request received, without payload, in arrival order. */
    final List<Request> seen = new CopyOnWriteArrayList<>();
    /** Remote addresses of accepted connections. */
    final List<InetSocketAddress> peers = new CopyOnWriteArrayList<>();
    /** What each connection negotiated, in order. */
    final List<net.flexnbd.protocol.Negotiation> negotiations = new CopyOnWriteArrayList<>();
    /** Errno to answer ENTRUST with. */
    volatile int entrustErrno = Nbd.EINVAL;

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel listener;
    private final int reverseBatch;

    private TestNbdServer(HandshakeStyle style, int size, int reverseBatch) throws InterruptedException {
        this.disk = new byte[size];
        this.reverseBatch = reverseBatch;
        ExportDescription export = new ExportDescription("test", size, FLAGS);
        listener = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        peers.add(ch.remoteAddress());
                        // Offers structured replies, as the real server does; the handler below
                        // only sends simple ones, and negotiations shows the client never asked.
                        ch.pipeline().addLast(ServerHandshake.NAME, new ServerHandshake(export, style,
                                (pipeline, negotiation) -> {
                                    negotiations.add(negotiation);
                                    pipeline.addLast(new MemoryHandler());
                                }));
                    }
                })
                .bind(InetAddress.getLoopbackAddress(), 0).sync().channel();
    }

    static TestNbdServer start(HandshakeStyle style, int size) throws InterruptedException {
        return new TestNbdServer(style, size, 1);
    }

    /** Replies are held back and sent in reverse, {@code batch} at a time. */
    static TestNbdServer startReversing(int size, int batch) throws InterruptedException {
        return new TestNbdServer(HandshakeStyle.NEWSTYLE, size, batch);
    }

    InetSocketAddress address() {
        return (InetSocketAddress) listener.localAddress();
    }

    @Override
    public void close() {
        listener.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** Serves requests from and to {@link #disk}. */
    private final class MemoryHandler extends SimpleChannelInboundHandler<Request> {
        private final List<Reply> held = new ArrayList<>();

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, Request request) {
            seen.add(Request.of(request.flags(), request.type(), request.cookie(), request.offset(), request.length()));
            if (request.type() == Nbd.CMD_DISC) {
                ctx.close();
                return;
            }
            // The request holds its payload: SimpleChannelInboundHandler releases it after this.
            held.add(answer(request));
            if (held.size() >= reverseBatch) {
                Collections.reverse(held);
                held.forEach(ctx::write);
                held.clear();
                ctx.flush();
            }
        }

        private Reply answer(Request request) {
            long cookie = request.cookie();
            long offset = request.offset();
            long length = request.length();
            boolean inRange = offset >= 0 && offset + length <= disk.length;
            switch (request.type()) {
                case Nbd.CMD_READ:
                    return inRange && length <= Nbd.MAX_PAYLOAD
                            ? new Reply(0, cookie, Unpooled.copiedBuffer(disk, (int) offset, (int) length))
                            : Reply.error(cookie, Nbd.EINVAL);
                case Nbd.CMD_WRITE:
                    if (length > Nbd.MAX_PAYLOAD) {
                        return Reply.error(cookie, Nbd.EINVAL);
                    }
                    if (!inRange) {
                        return Reply.error(cookie, Nbd.ENOSPC);
                    }
                    request.payload().getBytes(request.payload().readerIndex(), disk, (int) offset, (int) length);
                    return Reply.ok(cookie);
                case Nbd.CMD_WRITE_ZEROES:
                    if (!inRange) {
                        return Reply.error(cookie, Nbd.EINVAL);
                    }
                    java.util.Arrays.fill(disk, (int) offset, (int) (offset + length), (byte) 0);
                    return Reply.ok(cookie);
                case Nbd.CMD_FLUSH:
                case Nbd.CMD_TRIM:
                    return inRange ? Reply.ok(cookie) : Reply.error(cookie, Nbd.EINVAL);
                case Nbd.CMD_ENTRUST:
                    return Reply.error(cookie, entrustErrno);
                default:
                    return Reply.error(cookie, Nbd.EINVAL);
            }
        }
    }
}
