package net.flexnbd.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * One simple reply. {@code payload} is a successful READ's data, otherwise empty. Whoever
 * holds the reply owns the payload. The reply is reference-counted through its payload, so
 * that Netty releases the data of a reply written to a channel that has already closed.
 */
public record Reply(int error, long cookie, ByteBuf payload) implements ServerReply {
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

    @Override
    public int refCnt() {
        return payload.refCnt();
    }

    @Override
    public Reply retain() {
        payload.retain();
        return this;
    }

    @Override
    public Reply retain(int increment) {
        payload.retain(increment);
        return this;
    }

    @Override
    public Reply touch() {
        payload.touch();
        return this;
    }

    @Override
    public Reply touch(Object hint) {
        payload.touch(hint);
        return this;
    }

    @Override
    public boolean release() {
        return payload.release();
    }

    @Override
    public boolean release(int decrement) {
        return payload.release(decrement);
    }
}
