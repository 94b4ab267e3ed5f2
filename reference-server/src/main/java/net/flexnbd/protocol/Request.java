package net.flexnbd.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * One transmission-phase request. {@code payload} holds a WRITE's data when its length is
 * within {@link Nbd#MAX_PAYLOAD}; for every other request, and for an oversized WRITE whose
 * bytes the decoder skipped to stay in step, it is {@link Unpooled#EMPTY_BUFFER}. The
 * receiver owns the payload and must release it.
 *
 * @param flags  command flags, unsigned 16 bits
 * @param type   command type, unsigned 16 bits (may be a type the server does not know)
 * @param cookie the client's opaque handle, echoed in the reply
 * @param offset byte offset, unsigned 64 bits on the wire (a negative value here means >= 2^63)
 * @param length byte length, unsigned 32 bits on the wire
 */
public record Request(int flags, int type, long cookie, long offset, long length, ByteBuf payload) {
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
}
