package net.flexnbd.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.EncoderException;
import io.netty.handler.codec.MessageToMessageEncoder;
import java.util.List;

/**
 * Writes {@link Request}s on the client side (the migration sender, tests): a 28-byte header
 * buffer, then a WRITE's payload as a buffer of its own, never copied. A payload whose size
 * does not match the request (a WRITE's length, or any payload on another command) is refused.
 */
public final class RequestEncoder extends MessageToMessageEncoder<Request> {
    /** The name a client gives this handler in the pipeline. */
    public static final String NAME = "nbd-request-encoder";

    public RequestEncoder() {
        super(Request.class);
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, Request request, List<Object> out) {
        String problem = problemWith(request);
        if (problem != null) {
            throw new EncoderException(problem);
        }
        ByteBuf header = ctx.alloc().ioBuffer(Nbd.REQUEST_HEADER_LENGTH);
        header.writeInt(Nbd.REQUEST_MAGIC)
                .writeShort(request.flags())
                .writeShort(request.type())
                .writeLong(request.cookie())
                .writeLong(request.offset())
                .writeInt((int) request.length());
        out.add(header);
        EncodedPayload.addPayload(request.payload(), out);
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
