package net.flexnbd.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * One simple reply. {@code payload} is a successful READ's data, otherwise empty. Whoever
 * holds the reply owns the payload.
 */
public record Reply(int error, long cookie, ByteBuf payload) {
    public Reply {
        if (payload == null) {
            payload = Unpooled.EMPTY_BUFFER;
        }
    }

    public static Reply ok(long cookie) {
        return new Reply(0, cookie, Unpooled.EMPTY_BUFFER);
    }

    public static Reply error(long cookie, int errno) {
        return new Reply(errno, cookie, Unpooled.EMPTY_BUFFER);
    }
}
