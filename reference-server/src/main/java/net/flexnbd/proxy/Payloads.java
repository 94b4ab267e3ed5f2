package net.flexnbd.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * The proxy keeps a WRITE's data until the upstream answers it (to send it again after a
 * loss). The client-side request decoder hands out slices of its cumulation buffer; held
 * that long, they keep it shared, and a shared composite cumulation is rebuilt, its
 * component list copied, on every socket read, which made a deep queue slower than a queue
 * of one. One copy into a buffer of its own frees the cumulation at once. (READ data needs
 * no such copy: the upstream's {@link net.flexnbd.protocol.ReplyDecoder} keeps no
 * cumulation; and a BLOCK_STATUS chunk is copied so that its context id can be rewritten.)
 */
final class Payloads {
    private Payloads() {}

    /** {@code data}'s bytes in a buffer of their own; {@code data} is released. */
    static ByteBuf own(ByteBufAllocator alloc, ByteBuf data) {
        if (!data.isReadable()) {
            return data;
        }
        try {
            ByteBuf copy = alloc.ioBuffer(data.readableBytes());
            copy.writeBytes(data, data.readerIndex(), data.readableBytes());
            return copy;
        } finally {
            data.release();
        }
    }
}
