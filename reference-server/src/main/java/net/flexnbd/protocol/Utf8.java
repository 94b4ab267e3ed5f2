package net.flexnbd.protocol;

import io.netty.buffer.ByteBufUtil;

/** UTF-8 lengths of strings that go on the wire with a length prefix. */
final class Utf8 {
    private Utf8() {}

    static int length(String text) {
        return ByteBufUtil.utf8Bytes(text);
    }

    /** {@code text}, shortened at a character boundary so its UTF-8 form fits {@code maxBytes}. */
    static String truncate(String text, int maxBytes) {
        if (length(text) <= maxBytes) {
            return text;
        }
        int end = text.length();
        while (end > 0 && ByteBufUtil.utf8Bytes(text, 0, end) > maxBytes) {
            end--;
            if (end > 0 && Character.isLowSurrogate(text.charAt(end))) {
                end--;
            }
        }
        return text.substring(0, end);
    }
}
