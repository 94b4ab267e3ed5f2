package net.flexnbd.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;
import java.util.Objects;
import java.util.function.LongToIntFunction;

/**
 * Turns the server's simple replies into {@link Reply}s on the client side, and, for a client
 * that negotiated structured replies, each chunk into a {@link ChunkFrame}. Only the client
 * knows how many bytes a successful simple READ reply carries, so it is asked, by cookie,
 * through {@code readLengthOf} (0 for anything but a READ); error replies never carry data.
 * Payloads are retained slices of the received buffers, never copies. A bad reply magic (a
 * chunk's magic too, when structured replies were not negotiated) or an overlong chunk fires
 * a {@link ProtocolException} and closes the channel; nothing after it is decoded.
 */
public final class ReplyDecoder extends ByteToMessageDecoder {
    /** The name a client gives this handler in the pipeline. */
    public static final String NAME = "nbd-reply-decoder";

    /**
     * The longest chunk accepted: a data chunk of the largest READ with room to spare; a
     * BLOCK_STATUS chunk this long would hold over 4 million extents.
     */
    public static final int MAX_CHUNK_LENGTH = 2 * Nbd.MAX_PAYLOAD;

    /** What the next bytes are: a reply or chunk header, a READ reply's data, or a chunk's data. */
    enum State { HEADER, PAYLOAD, CHUNK_DATA, FAILED }

    private final LongToIntFunction readLengthOf;
    private final boolean structuredReplies;
    private State state = State.HEADER;
    private long cookie;
    private int payloadLength;
    private int chunkFlags;
    private int chunkType;

    /** Simple replies only. */
    public ReplyDecoder(LongToIntFunction readLengthOf) {
        this(readLengthOf, false);
    }

    /** Simple replies, and chunks when {@code structuredReplies} (the client negotiated them). */
    public ReplyDecoder(LongToIntFunction readLengthOf, boolean structuredReplies) {
        this.readLengthOf = Objects.requireNonNull(readLengthOf, "readLengthOf");
        this.structuredReplies = structuredReplies;
        setCumulator(COMPOSITE_CUMULATOR);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        for (;;) {
            switch (state) {
                case HEADER -> {
                    if (in.readableBytes() < 4) {
                        return;
                    }
                    if (structuredReplies && in.getInt(in.readerIndex()) == Nbd.STRUCTURED_REPLY_MAGIC) {
                        if (in.readableBytes() < Nbd.CHUNK_HEADER_LENGTH) {
                            return;
                        }
                        decodeChunkHeader(ctx, in);
                    } else {
                        if (in.readableBytes() < Nbd.REPLY_HEADER_LENGTH) {
                            return;
                        }
                        decodeHeader(ctx, in, out);
                    }
                }
                case PAYLOAD -> {
                    if (in.readableBytes() < payloadLength) {
                        return;
                    }
                    out.add(new Reply(0, cookie, in.readRetainedSlice(payloadLength)));
                    state = State.HEADER;
                }
                case CHUNK_DATA -> {
                    if (in.readableBytes() < payloadLength) {
                        return;
                    }
                    out.add(new ChunkFrame(chunkFlags, chunkType, cookie, in.readRetainedSlice(payloadLength)));
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

    private void decodeChunkHeader(ChannelHandlerContext ctx, ByteBuf in) {
        in.skipBytes(4);
        chunkFlags = in.readUnsignedShort();
        chunkType = in.readUnsignedShort();
        cookie = in.readLong();
        long length = in.readUnsignedInt();
        if (length > MAX_CHUNK_LENGTH) {
            fail(ctx, in, new ProtocolException("chunk of " + length + " bytes for cookie "
                    + Long.toUnsignedString(cookie) + " is over the limit of " + MAX_CHUNK_LENGTH));
            return;
        }
        payloadLength = (int) length;
        state = State.CHUNK_DATA;
    }

    private void fail(ChannelHandlerContext ctx, ByteBuf in, ProtocolException problem) {
        state = State.FAILED;
        in.skipBytes(in.readableBytes());
        ctx.fireExceptionCaught(problem);
        ctx.close();
    }
}
