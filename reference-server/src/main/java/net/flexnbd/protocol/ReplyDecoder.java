package net.flexnbd.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;
import java.util.Objects;
import java.util.function.LongToIntFunction;

/**
 * Turns the server's simple replies into {@link Reply}s on the client side. Only the client
 * knows how many bytes a successful READ reply carries, so it is asked, by cookie, through
 * {@code readLengthOf} (0 for anything but a READ); error replies never carry data. The
 * payload is a retained slice of the received buffers, never a copy. A bad reply magic
 * fires a {@link ProtocolException} and closes the channel; nothing after it is decoded.
 */
public final class ReplyDecoder extends ByteToMessageDecoder {
    /** The name a client gives this handler in the pipeline. */
    public static final String NAME = "nbd-reply-decoder";

    /** What the next bytes are: a reply header, or a READ reply's data. */
    enum State { HEADER, PAYLOAD, FAILED }

    private final LongToIntFunction readLengthOf;
    private State state = State.HEADER;
    private long cookie;
    private int payloadLength;

    public ReplyDecoder(LongToIntFunction readLengthOf) {
        this.readLengthOf = Objects.requireNonNull(readLengthOf, "readLengthOf");
        setCumulator(COMPOSITE_CUMULATOR);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        for (;;) {
            switch (state) {
                case HEADER -> {
                    if (in.readableBytes() < Nbd.REPLY_HEADER_LENGTH) {
                        return;
                    }
                    decodeHeader(ctx, in, out);
                }
                case PAYLOAD -> {
                    if (in.readableBytes() < payloadLength) {
                        return;
                    }
                    out.add(new Reply(0, cookie, in.readRetainedSlice(payloadLength)));
                    state = State.HEADER;
                }
                case FAILED -> {
                    in.skipBytes(in.readableBytes());
                    return;
                }
            }
        }
    }

    private void decodeHeader(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        int magic = in.readInt();
        if (magic != Nbd.SIMPLE_REPLY_MAGIC) {
            fail(ctx, in, ProtocolException.badMagic(
                    "reply magic", Integer.toUnsignedLong(magic), Nbd.SIMPLE_REPLY_MAGIC, 8));
            return;
        }
        int error = in.readInt();
        long replyCookie = in.readLong();
        int length = error == 0 ? readLengthOf.applyAsInt(replyCookie) : 0;
        if (length < 0 || length > Nbd.MAX_PAYLOAD) {
            fail(ctx, in, new ProtocolException("expected READ reply length for cookie " + replyCookie
                    + " (" + length + ") must be within 0.." + Nbd.MAX_PAYLOAD));
            return;
        }
        if (length == 0) {
            out.add(new Reply(error, replyCookie, Unpooled.EMPTY_BUFFER));
        } else {
            cookie = replyCookie;
            payloadLength = length;
            state = State.PAYLOAD;
        }
    }

    private void fail(ChannelHandlerContext ctx, ByteBuf in, ProtocolException problem) {
        state = State.FAILED;
        in.skipBytes(in.readableBytes());
        ctx.fireExceptionCaught(problem);
        ctx.close();
    }
}
