package net.flexnbd.protocol;

import io.netty.buffer.ByteBuf;
import java.util.List;

/**
 * The payload half of an encoded message: the message's own buffer, retained because the
 * encoder releases the message once encoded, and left out when empty.
 */
final class EncodedPayload {
    private EncodedPayload() {}

    static void addPayload(ByteBuf payload, List<Object> out) {
        if (payload.isReadable()) {
            out.add(payload.retain());
        }
    }
}
