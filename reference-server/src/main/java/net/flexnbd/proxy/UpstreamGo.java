package net.flexnbd.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.util.List;
import net.flexnbd.protocol.Nbd;
import net.flexnbd.protocol.Negotiation;
import net.flexnbd.protocol.ProtocolException;
import net.flexnbd.protocol.client.ExtensionOptions;
import net.flexnbd.protocol.client.NbdProtocolException;

/**
 * The rest of an upstream handshake inside TLS, behind the {@code SslHandler}: once the TLS
 * handshake is done it asks for the reply extensions the client negotiated
 * ({@link ExtensionOptions}: structured replies, base:allocation), then sends NBD_OPT_GO for
 * the default export and reads the option replies until the ACK. Then it hands the disk to its {@link Listener}; if accepted, it leaves the
 * pipeline and passes {@code channelActive} on, so the link sees the connection only once it
 * is in transmission. Until then it keeps every event of the connection to itself: a failure
 * goes to {@link Listener#failed}, never to the transmission handlers.
 */
final class UpstreamGo extends ByteToMessageDecoder {
    /** What the link is told. Both run on the connection's event loop. */
    interface Listener {
        /** The upstream's disk: true to enter transmission, false to drop the connection. */
        boolean negotiated(UpstreamDisk disk);

        /** TLS or NBD_OPT_GO failed; the connection is closed. */
        void failed(Throwable cause);
    }

    private enum State { AWAIT_TLS, EXTENSIONS, REPLY, DONE }

    /** Option reply header: magic, option, type, length. */
    private static final int REPLY_HEADER = 8 + 4 + 4 + 4;
    private static final int MAX_REPLY_DATA = 64 * 1024;

    private final Listener listener;
    private final ExtensionOptions extensions;
    private State state = State.AWAIT_TLS;
    private long size = -1;
    private int flags;

    UpstreamGo(Listener listener, Negotiation wanted) {
        this.listener = listener;
        this.extensions = new ExtensionOptions(wanted);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        // held back until transmission: see decode
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event instanceof SslHandshakeCompletionEvent done && state == State.AWAIT_TLS) {
            if (!done.isSuccess()) {
                fail(ctx, done.cause());
                return;
            }
            askNext(ctx);
            return;
        }
        super.userEventTriggered(ctx, event);
    }

    /** The next extension option, or NBD_OPT_GO once none is left. */
    private void askNext(ChannelHandlerContext ctx) {
        ExtensionOptions.Option next = extensions.next();
        if (next != null) {
            state = State.EXTENSIONS;
            ctx.writeAndFlush(ctx.alloc().buffer(16 + next.data().length)
                    .writeLong(Nbd.IHAVEOPT).writeInt(next.option()).writeInt(next.data().length)
                    .writeBytes(next.data()));
            return;
        }
        state = State.REPLY;
        ByteBuf go = ctx.alloc().buffer(16 + 6)
                .writeLong(Nbd.IHAVEOPT).writeInt(Nbd.OPT_GO).writeInt(6)
                .writeInt(0) // empty export name: the default export
                .writeShort(0); // no information requests
        ctx.writeAndFlush(go);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        while ((state == State.REPLY || state == State.EXTENSIONS) && in.readableBytes() >= REPLY_HEADER) {
            int at = in.readerIndex();
            long magic = in.getLong(at);
            int option = in.getInt(at + 8);
            int type = in.getInt(at + 12);
            long length = in.getUnsignedInt(at + 16);
            boolean go = state == State.REPLY;
            if (magic != Nbd.OPTION_REPLY_MAGIC || go && option != Nbd.OPT_GO || length > MAX_REPLY_DATA) {
                fail(ctx, new ProtocolException(String.format("bad option reply inside TLS: magic 0x%016x"
                        + " (expected 0x%016x), option %d, %d bytes of data", magic, Nbd.OPTION_REPLY_MAGIC, option, length)));
                return;
            }
            if (in.readableBytes() < REPLY_HEADER + length) {
                return;
            }
            in.skipBytes(REPLY_HEADER);
            ByteBuf data = in.readSlice((int) length);
            if (!go) {
                extensionReply(ctx, option, type, data);
            } else if (type == Nbd.REP_INFO && length >= 12 && data.getUnsignedShort(0) == Nbd.INFO_EXPORT) {
                size = data.getLong(2);
                flags = data.getUnsignedShort(10);
            } else if (type == Nbd.REP_ACK) {
                finish(ctx);
            } else if (type < 0) { // the error types have the top bit set
                fail(ctx, new ProtocolException(String.format("the upstream refused NBD_OPT_GO inside TLS (reply type"
                        + " 0x%08x)", type)));
            }
        }
    }

    private void extensionReply(ChannelHandlerContext ctx, int option, int type, ByteBuf data) {
        try {
            if (extensions.reply(option, type, ByteBufUtil.getBytes(data))) {
                askNext(ctx);
            }
        } catch (NbdProtocolException e) {
            fail(ctx, e);
        }
    }

    private void finish(ChannelHandlerContext ctx) {
        if (size < 0) {
            fail(ctx, new ProtocolException("NBD_OPT_GO acknowledged inside TLS without NBD_INFO_EXPORT"));
            return;
        }
        state = State.DONE;
        if (!listener.negotiated(new UpstreamDisk(size, flags, extensions.structuredReplies(),
                extensions.baseAllocationId()))) {
            ctx.close();
            return;
        }
        ctx.pipeline().remove(this); // what came after the ACK goes on to the reply decoder
        ctx.fireChannelActive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (state == State.DONE) {
            ctx.fireExceptionCaught(cause);
        } else {
            fail(ctx, cause);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (state != State.DONE) {
            fail(ctx, new java.io.EOFException("the upstream closed the connection during the handshake inside TLS"));
        }
        super.channelInactive(ctx); // the link ignores the close of a connection that never came up
    }

    private void fail(ChannelHandlerContext ctx, Throwable cause) {
        if (state == State.DONE) {
            return;
        }
        state = State.DONE;
        listener.failed(cause);
        ctx.close();
    }
}
