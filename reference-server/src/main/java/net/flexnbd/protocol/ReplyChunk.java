package net.flexnbd.protocol;

import io.netty.buffer.ByteBuf;
import java.util.List;
import java.util.OptionalLong;

/**
 * The content of one chunk of a {@link StructuredReply}: its type and the fields after the
 * chunk header. The reply supplies the cookie and marks its last chunk done, so a chunk
 * cannot carry either wrong.
 */
public sealed interface ReplyChunk {

    /** The wire value of this chunk's type. */
    int type();

    /** Bytes after the chunk header, an {@link OffsetData}'s data included. */
    int dataLength();

    /**
     * Read data at {@code offset}. {@code data} is a view into the reply's buffer (see
     * {@link StructuredReply}); the chunk does not own it.
     */
    record OffsetData(long offset, ByteBuf data) implements ReplyChunk {
        public OffsetData {
            if (!data.isReadable()) {
                throw new IllegalArgumentException("a data chunk needs at least one byte of data");
            }
        }

        @Override
        public int type() {
            return Nbd.REPLY_TYPE_OFFSET_DATA;
        }

        @Override
        public int dataLength() {
            return 8 + data.readableBytes();
        }
    }

    /** {@code length} bytes at {@code offset} that read as zeroes and are not sent. */
    record OffsetHole(long offset, int length) implements ReplyChunk {
        public OffsetHole {
            if (length <= 0) {
                throw new IllegalArgumentException("hole length (" + Integer.toUnsignedString(length)
                        + ") must be positive and under 2^31");
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
    record BlockStatus(int contextId, List<Extent> extents) implements ReplyChunk {
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
    record Error(int errno, String message, OptionalLong offset) implements ReplyChunk {
        /** Longest message sent, in UTF-8 bytes: the NBD spec's limit for strings. */
        static final int MAX_MESSAGE_BYTES = 4096;

        public Error {
            if (errno == 0) {
                throw new IllegalArgumentException("an error chunk needs a nonzero errno");
            }
            message = Utf8.truncate(message, MAX_MESSAGE_BYTES);
        }

        public Error(int errno, String message) {
            this(errno, message, OptionalLong.empty());
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

    /** An empty chunk; as the only chunk, a success without data. */
    record None() implements ReplyChunk {
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
