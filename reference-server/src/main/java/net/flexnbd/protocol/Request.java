package net.flexnbd.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.buffer.Unpooled;

/**
 * One transmission-phase request. {@code payload} holds a WRITE's data when its length is
 * within {@link Nbd#MAX_PAYLOAD}; for every other request, and for an oversized WRITE whose
 * bytes the decoder skipped to stay in step, it is {@link Unpooled#EMPTY_BUFFER}. The
 * receiver owns the payload and must release it: the request is a {@link ByteBufHolder}
 * over it, so {@link #release()} (or Netty, for a request nobody handled) does that.
 *
 * @param flags  command flags, unsigned 16 bits
 * @param type   command type, unsigned 16 bits (may be a type the server does not know)
 * @param cookie the client's opaque handle, echoed in the reply
 * @param offset byte offset, unsigned 64 bits on the wire (a negative value here means >= 2^63)
 * @param length byte length, unsigned 32 bits on the wire
 */
public record Request(int flags, int type, long cookie, long offset, long length, ByteBuf payload)
        implements ByteBufHolder {
    public Request {
        if (payload == null) {
            payload = Unpooled.EMPTY_BUFFER;
        }
    }

    /** A request without payload. */
    public static Request of(int flags, int type, long cookie, long offset, long length) {
        return new Request(flags, type, cookie, offset, length, Unpooled.EMPTY_BUFFER);
    }

    public boolean hasFlag(int flag) {
        return (flags & flag) != 0;
    }

    @Override
    public ByteBuf content() {
        return payload;
    }

    @Override
    public Request copy() {
        return replace(payload.copy());
    }

    @Override
    public Request duplicate() {
        return replace(payload.duplicate());
    }

    @Override
    public Request retainedDuplicate() {
        return replace(payload.retainedDuplicate());
    }

    @Override
    public Request replace(ByteBuf content) {
        return new Request(flags, type, cookie, offset, length, content);
    }

    @Override
    public int refCnt() {
        return payload.refCnt();
    }

    @Override
    public Request retain() {
        payload.retain();
        return this;
    }

    @Override
    public Request retain(int increment) {
        payload.retain(increment);
        return this;
    }

    @Override
    public Request touch() {
        payload.touch();
        return this;
    }

    @Override
    public Request touch(Object hint) {
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
