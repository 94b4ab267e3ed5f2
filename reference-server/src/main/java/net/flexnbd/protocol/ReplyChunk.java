package net.flexnbd.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.util.ReferenceCounted;
import java.util.List;

/**
 * One chunk of a structured reply (NBD_OPT_STRUCTURED_REPLY). A reply is one or more chunks
 * with the same cookie; the last one carries {@link Nbd#REPLY_FLAG_DONE}. Only
 * {@link OffsetData} holds a buffer; the {@link ChunkEncoder} writes every type.
 */
public sealed interface ReplyChunk {

    /** The request this chunk answers. */
    long cookie();

    /** True for the last chunk of its reply. */
    boolean done();

    /** The wire value of this chunk's type. */
    int type();

    /** Bytes of data after the chunk header, the payload of an {@link OffsetData} included. */
    int dataLength();

    /**
     * Read data at {@code offset}. Owns {@code data} (reference-counted through it, like
     * {@link Reply}), so Netty releases it when the chunk is written to a closed channel.
     */
    record OffsetData(long cookie, boolean done, long offset, ByteBuf data) implements ReplyChunk, ReferenceCounted {
        @Override
        public int type() {
            return Nbd.REPLY_TYPE_OFFSET_DATA;
        }

        @Override
        public int dataLength() {
            return 8 + data.readableBytes();
        }

        @Override
        public int refCnt() {
            return data.refCnt();
        }

        @Override
        public OffsetData retain() {
            data.retain();
            return this;
        }

        @Override
        public OffsetData retain(int increment) {
            data.retain(increment);
            return this;
        }

        @Override
        public OffsetData touch() {
            data.touch();
            return this;
        }

        @Override
        public OffsetData touch(Object hint) {
            data.touch(hint);
            return this;
        }

        @Override
        public boolean release() {
            return data.release();
        }

        @Override
        public boolean release(int decrement) {
            return data.release(decrement);
        }
    }

    /** {@code length} bytes at {@code offset} that read as zeroes and are not sent. */
    record OffsetHole(long cookie, boolean done, long offset, int length) implements ReplyChunk {
        public OffsetHole {
            if (length <= 0) {
                throw new IllegalArgumentException("hole length (" + Integer.toUnsignedString(length) + ") must be positive and under 2^31");
            }
        }

        @Override
        public int type() {
            return Nbd.REPLY_TYPE_OFFSET_HOLE;
        }

        @Override
        public int dataLength() {
            return 8 + 4;
        }
    }

    /** The extents of one metadata context, in order from the request's offset. */
    record BlockStatus(long cookie, boolean done, int contextId, List<Extent> extents) implements ReplyChunk {
        public BlockStatus {
            extents = List.copyOf(extents);
            if (extents.isEmpty()) {
                throw new IllegalArgumentException("a block status chunk needs at least one extent");
            }
        }

        @Override
        public int type() {
            return Nbd.REPLY_TYPE_BLOCK_STATUS;
        }

        @Override
        public int dataLength() {
            return 4 + 8 * extents.size();
        }
    }

    /**
     * One block status descriptor.
     *
     * @param length bytes, unsigned 32 bits on the wire (so at most 2^32 - 1)
     * @param flags  for base:allocation, {@link Nbd#STATE_HOLE} and {@link Nbd#STATE_ZERO}
     */
    record Extent(long length, int flags) {
        public Extent {
            if (length <= 0 || length > 0xFFFF_FFFFL) {
                throw new IllegalArgumentException("extent length (" + length + ") must be in 1..2^32-1");
            }
        }
    }

    /**
     * An error for the whole request (NBD_REPLY_TYPE_ERROR), with a message for humans; with
     * {@code offset} present, an error at that offset (NBD_REPLY_TYPE_ERROR_OFFSET).
     */
    record Error(long cookie, boolean done, int errno, String message, java.util.OptionalLong offset)
            implements ReplyChunk {
        /** Longest message sent; the length field is 16 bits and the spec caps strings at 4096. */
        static final int MAX_MESSAGE_BYTES = 4096;

        public Error {
            if (errno == 0) {
                throw new IllegalArgumentException("an error chunk needs a nonzero errno");
            }
            message = Utf8.truncate(message, MAX_MESSAGE_BYTES);
        }

        public static Error of(long cookie, int errno, String message) {
            return new Error(cookie, true, errno, message, java.util.OptionalLong.empty());
        }

        @Override
        public int type() {
            return offset.isPresent() ? Nbd.REPLY_TYPE_ERROR_OFFSET : Nbd.REPLY_TYPE_ERROR;
        }

        @Override
        public int dataLength() {
            return 4 + 2 + Utf8.length(message) + (offset.isPresent() ? 8 : 0);
        }
    }

    /** An empty final chunk, closing a reply whose earlier chunks were not marked done. */
    record None(long cookie) implements ReplyChunk {
        @Override
        public boolean done() {
            return true;
        }

        @Override
        public int type() {
            return Nbd.REPLY_TYPE_NONE;
        }

        @Override
        public int dataLength() {
            return 0;
        }
    }
}
