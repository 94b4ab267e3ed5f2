package net.flexnbd.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.util.Objects;
import java.util.function.LongToIntFunction;

/**
 * Turns the server's simple replies into {@link Reply}s on the client side, and, for a client
 * that negotiated structured replies, each chunk into a {@link ChunkFrame}. Only the client
 * knows how many bytes a successful simple READ reply carries, so it is asked, by cookie,
 * through {@code readLengthOf} (0 for anything but a READ); error replies never carry data.
 * A bad reply magic (a chunk's magic too, when structured replies were not negotiated) or an
 * overlong chunk fires a {@link ProtocolException} and closes the channel; nothing after it
 * is decoded.
 *
 * <p>A state machine over the received buffers themselves, with no cumulation: headers are
 * gathered into a small buffer of its own, and payloads are retained slices of the received
 * buffers (a {@link CompositeByteBuf} when a payload spans several), never copies. So a
 * payload held for long (the proxy holds a reply until its client takes it, and a chunk
 * until its reply's last one) pins only the buffers it lies in; a shared cumulation would
 * have to be rebuilt, all its components listed again, on every socket read while it is held.
 */
public final class ReplyDecoder extends ChannelInboundHandlerAdapter {
    /** The name a client gives this handler in the pipeline. */
    public static final String NAME = "nbd-reply-decoder";

    /**
     * The longest chunk accepted: a data chunk of the largest READ with room to spare; a
     * BLOCK_STATUS chunk this long would hold over 4 million extents.
     */
    public static final int MAX_CHUNK_LENGTH = 2 * Nbd.MAX_PAYLOAD;

    /** Bytes of a header needed to tell a simple reply from a chunk: the magic. */
    private static final int MAGIC_LENGTH = 4;

    /** What the next bytes are: a reply or chunk header, a READ reply's data, or a chunk's data. */
    enum State { HEADER, PAYLOAD, CHUNK_DATA, FAILED }

    private final LongToIntFunction readLengthOf;
    private final boolean structuredReplies;
    /** The header being gathered, which may arrive a byte at a time. */
    private final ByteBuf header = Unpooled.buffer(Nbd.CHUNK_HEADER_LENGTH, Nbd.CHUNK_HEADER_LENGTH);
    private int headerLength = MAGIC_LENGTH;
    private State state = State.HEADER;
    private long cookie;
    private int payloadLength;
    private int chunkFlags;
    private int chunkType;
    /** The payload gathered so far: null, one slice, or a composite of slices. */
    private ByteBuf payload;

    /** Simple replies only. */
    public ReplyDecoder(LongToIntFunction readLengthOf) {
        this(readLengthOf, false);
    }

    /** Simple replies, and chunks when {@code structuredReplies} (the client negotiated them). */
    public ReplyDecoder(LongToIntFunction readLengthOf, boolean structuredReplies) {
        this.readLengthOf = Objects.requireNonNull(readLengthOf, "readLengthOf");
        this.structuredReplies = structuredReplies;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf in)) {
            ctx.fireChannelRead(msg);
            return;
        }
        try {
            while (in.isReadable() && state != State.FAILED) {
                if (state == State.HEADER) {
                    gatherHeader(ctx, in);
                } else {
                    gatherPayload(ctx, in);
                }
            }
        } finally {
            in.release();
        }
    }

    private void gatherHeader(ChannelHandlerContext ctx, ByteBuf in) {
        int wanted = Math.min(headerLength - header.readableBytes(), in.readableBytes());
        header.writeBytes(in, wanted);
        if (header.readableBytes() < headerLength) {
            return;
        }
        if (headerLength == MAGIC_LENGTH) {
            int magic = header.getInt(0);
            if (structuredReplies && magic == Nbd.STRUCTURED_REPLY_MAGIC) {
                headerLength = Nbd.CHUNK_HEADER_LENGTH;
            } else if (magic == Nbd.SIMPLE_REPLY_MAGIC) {
                headerLength = Nbd.REPLY_HEADER_LENGTH;
            } else {
                fail(ctx, ProtocolException.badMagic(
                        "reply magic", Integer.toUnsignedLong(magic), Nbd.SIMPLE_REPLY_MAGIC, 8));
            }
            return;
        }
        if (headerLength == Nbd.CHUNK_HEADER_LENGTH) {
            chunkHeader(ctx);
        } else {
            simpleHeader(ctx);
        }
        header.clear();
        headerLength = MAGIC_LENGTH;
    }

    private void simpleHeader(ChannelHandlerContext ctx) {
        int error = header.getInt(4);
        long replyCookie = header.getLong(8);
        int length = error == 0 ? readLengthOf.applyAsInt(replyCookie) : 0;
        if (length < 0 || length > Nbd.MAX_PAYLOAD) {
            fail(ctx, new ProtocolException("expected READ reply length for cookie " + replyCookie
                    + " (" + length + ") must be within 0.." + Nbd.MAX_PAYLOAD));
            return;
        }
        if (length == 0) {
            ctx.fireChannelRead(new Reply(error, replyCookie, Unpooled.EMPTY_BUFFER));
            return;
        }
        cookie = replyCookie;
        payloadLength = length;
        state = State.PAYLOAD;
    }

    private void chunkHeader(ChannelHandlerContext ctx) {
        chunkFlags = header.getUnsignedShort(4);
        chunkType = header.getUnsignedShort(6);
        cookie = header.getLong(8);
        long length = header.getUnsignedInt(16);
        if (length > MAX_CHUNK_LENGTH) {
            fail(ctx, new ProtocolException("chunk of " + length + " bytes for cookie "
                    + Long.toUnsignedString(cookie) + " is over the limit of " + MAX_CHUNK_LENGTH));
            return;
        }
        payloadLength = (int) length;
        if (payloadLength == 0) {
            ctx.fireChannelRead(new ChunkFrame(chunkFlags, chunkType, cookie, Unpooled.EMPTY_BUFFER));
            return;
        }
        state = State.CHUNK_DATA;
    }

    /** Takes what {@code in} has of the payload as a slice; passes the message on once it is whole. */
    private void gatherPayload(ChannelHandlerContext ctx, ByteBuf in) {
        int gathered = payload == null ? 0 : payload.readableBytes();
        ByteBuf piece = in.readRetainedSlice(Math.min(payloadLength - gathered, in.readableBytes()));
        if (payload == null) {
            payload = piece;
        } else {
            if (!(payload instanceof CompositeByteBuf)) {
                payload = ctx.alloc().compositeBuffer().addComponent(true, payload);
            }
            ((CompositeByteBuf) payload).addComponent(true, piece);
        }
        if (payload.readableBytes() < payloadLength) {
            return;
        }
        ByteBuf whole = payload;
        payload = null;
        Object message = state == State.PAYLOAD ? new Reply(0, cookie, whole)
                : new ChunkFrame(chunkFlags, chunkType, cookie, whole);
        state = State.HEADER;
        ctx.fireChannelRead(message);
    }

    private void fail(ChannelHandlerContext ctx, ProtocolException problem) {
        state = State.FAILED;
        releasePayload();
        ctx.fireExceptionCaught(problem);
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        releasePayload();
        super.channelInactive(ctx);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        releasePayload();
    }

    private void releasePayload() {
        ReferenceCountUtil.safeRelease(payload);
        payload = null;
    }
}
