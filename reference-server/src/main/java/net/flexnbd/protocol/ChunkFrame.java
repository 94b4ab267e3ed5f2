package net.flexnbd.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import java.util.Objects;

/**
 * One chunk of a structured reply as a client receives it: the header's fields and the bytes
 * after the header, not parsed. A proxy forwards it under its own client's cookie without
 * looking inside, except for an error chunk's error number, which it acts on.
 *
 * @param flags  the chunk's flags ({@link Nbd#REPLY_FLAG_DONE} on the last chunk of a reply)
 * @param type   the chunk type, as sent
 * @param cookie the request the chunk answers
 * @param data   the bytes after the header; the frame owns this buffer
 */
public record ChunkFrame(int flags, int type, long cookie, ByteBuf data) {
    public ChunkFrame {
        Objects.requireNonNull(data, "data");
    }

    /** The last chunk of its reply. */
    public boolean done() {
        return (flags & Nbd.REPLY_FLAG_DONE) != 0;
    }

    /** An error chunk: the high bit of the type is set, known type or not. */
    public boolean isError() {
        return (type & (1 << 15)) != 0;
    }

    /** An error chunk's error number; 0 for any other chunk, and for an error chunk too short to hold one. */
    public int errno() {
        return isError() && data.readableBytes() >= 4 ? data.getInt(data.readerIndex()) : 0;
    }

    /**
     * The chunk as it goes on the wire, carrying {@code newCookie}: a header of its own,
     * then the data as a retained slice, not copied. The frame keeps its own reference.
     */
    public ByteBuf encodedWith(ByteBufAllocator alloc, long newCookie) {
        ByteBuf header = headerWith(alloc, newCookie);
        if (!data.isReadable()) {
            return header;
        }
        CompositeByteBuf chunk = alloc.compositeBuffer(2);
        return chunk.addComponents(true, header, data.retainedSlice());
    }

    /**
     * The chunk's header alone, carrying {@code newCookie}: written before {@link #data()}, it
     * makes the chunk, with no composite buffer to allocate.
     */
    public ByteBuf headerWith(ByteBufAllocator alloc, long newCookie) {
        return alloc.ioBuffer(Nbd.CHUNK_HEADER_LENGTH)
                .writeInt(Nbd.STRUCTURED_REPLY_MAGIC)
                .writeShort(flags)
                .writeShort(type)
                .writeLong(newCookie)
                .writeInt(data.readableBytes());
    }

    public boolean release() {
        return data.release();
    }
}
