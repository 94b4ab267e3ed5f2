package net.flexnbd.limits;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import net.flexnbd.protocol.Nbd;

/** Request bytes for the limit handlers' tests. */
final class Frames {
    private Frames() {}

    static ByteBuf header(int type, long cookie, long offset, long length) {
        return Unpooled.buffer(Nbd.REQUEST_HEADER_LENGTH).writeInt(Nbd.REQUEST_MAGIC).writeShort(0).writeShort(type)
                .writeLong(cookie).writeLong(offset).writeInt((int) length);
    }

    static ByteBuf write(long cookie, int length) {
        return Unpooled.wrappedBuffer(header(Nbd.CMD_WRITE, cookie, 0, length), Unpooled.wrappedBuffer(new byte[length]));
    }
}
