package net.flexnbd.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.VoidChannelPromise;
import io.netty.handler.codec.EncoderException;

/**
 * Writes {@link Request}s on the client side (the migration sender, tests): a 28-byte header
 * buffer, then a WRITE's payload as a buffer of its own, never copied. A payload whose size
 * does not match the request (a WRITE's length, or any payload on another command) is refused.
 */
public final class RequestEncoder extends ChannelOutboundHandlerAdapter {
    /** The name a client gives this handler in the pipeline. */
    public static final String NAME = "nbd-request-encoder";

    private ChannelPromise headerPromise;

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        headerPromise = new VoidChannelPromise(ctx.channel(), false);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (!(msg instanceof Request request)) {
            ctx.write(msg, promise);
            return;
        }
        ByteBuf payload = request.payload();
        String problem = problemWith(request);
        if (problem != null) {
            payload.release();
            promise.setFailure(new EncoderException(problem));
            return;
        }
        ByteBuf header;
        try {
            header = ctx.alloc().ioBuffer(Nbd.REQUEST_HEADER_LENGTH);
        } catch (RuntimeException | Error e) {
            payload.release();
            throw e;
        }
        header.writeInt(Nbd.REQUEST_MAGIC)
                .writeShort(request.flags())
                .writeShort(request.type())
                .writeLong(request.cookie())
                .writeLong(request.offset())
                .writeInt((int) request.length());
        TwoPartWrite.write(ctx, header, payload, headerPromise, promise);
    }

    /** Why {@code request} cannot be put on the wire, or null when it can. */
    private static String problemWith(Request request) {
        if (request.flags() < 0 || request.flags() > 0xFFFF) {
            return "request flags (" + request.flags() + ") must be within 0..65535";
        }
        if (request.type() < 0 || request.type() > 0xFFFF) {
            return "request type (" + request.type() + ") must be within 0..65535";
        }
        if (request.length() < 0 || request.length() > 0xFFFF_FFFFL) {
            return "request length (" + request.length() + ") must be within 0..4294967295";
        }
        long expected = request.type() == Nbd.CMD_WRITE ? request.length() : 0;
        if (request.payload().readableBytes() != expected) {
            return "request of type " + request.type() + " with length " + request.length() + " carries "
                    + request.payload().readableBytes() + " payload bytes, expected " + expected;
        }
        return null;
    }
}
