package net.flexnbd.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * A buffer's bytes in one of its own: for the few bytes the proxy rewrites (a BLOCK_STATUS
 * chunk's context id). Payloads it only passes on are never copied: WRITE data is held as
 * the request decoder's retained slice until the upstream answers, READ data as the reply
 * decoder's (which keeps no cumulation) until the client takes it.
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
