package net.flexnbd.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.buffer.Unpooled;
import java.util.List;
import java.util.Objects;

/**
 * One whole structured reply: its chunks in order, the last marked done on the wire. The
 * data of every {@link ReplyChunk.OffsetData} is a slice of {@code content}, one buffer the
 * reply owns, so the reply is reference-counted like a simple {@link Reply}.
 *
 * @param cookie  the request answered
 * @param chunks  at least one chunk
 * @param content the buffer holding the data chunks' bytes, or empty
 */
public record StructuredReply(long cookie, List<ReplyChunk> chunks, ByteBuf content) implements ByteBufHolder, ServerReply {
    public StructuredReply {
        chunks = List.copyOf(chunks);
        Objects.requireNonNull(content, "content");
        if (chunks.isEmpty()) {
            throw new IllegalArgumentException("a structured reply needs at least one chunk");
        }
    }

    /** A reply of one chunk without data: a block status, an error, or none. */
    public static StructuredReply of(long cookie, ReplyChunk chunk) {
        if (chunk instanceof ReplyChunk.OffsetData) {
            throw new IllegalArgumentException("a data chunk needs the buffer it slices");
        }
        return new StructuredReply(cookie, List.of(chunk), Unpooled.EMPTY_BUFFER);
    }

    /** An error for the whole request, as the reply's only chunk. */
    public static StructuredReply error(long cookie, int errno, String message) {
        return of(cookie, new ReplyChunk.Error(errno, message));
    }

    @Override
    public StructuredReply copy() {
        throw new UnsupportedOperationException("the data chunks slice this reply's own buffer");
    }

    @Override
    public StructuredReply duplicate() {
        throw new UnsupportedOperationException("the data chunks slice this reply's own buffer");
    }

    @Override
    public StructuredReply retainedDuplicate() {
        throw new UnsupportedOperationException("the data chunks slice this reply's own buffer");
    }

    @Override
    public StructuredReply replace(ByteBuf replacement) {
        throw new UnsupportedOperationException("the data chunks slice this reply's own buffer");
    }

    @Override
    public int refCnt() {
        return content.refCnt();
    }

    @Override
    public StructuredReply retain() {
        content.retain();
        return this;
    }

    @Override
    public StructuredReply retain(int increment) {
        content.retain(increment);
        return this;
    }

    @Override
    public StructuredReply touch() {
        content.touch();
        return this;
    }

    @Override
    public StructuredReply touch(Object hint) {
        content.touch(hint);
        return this;
    }

    @Override
    public boolean release() {
        return content.release();
    }

    @Override
    public boolean release(int decrement) {
        return content.release(decrement);
    }
}
