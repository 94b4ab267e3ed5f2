package net.flexnbd.protocol;

import io.netty.handler.codec.DecoderException;

/**
 * The peer broke the NBD wire protocol (a bad magic number, say) and the stream can no
 * longer be trusted. Codecs fire it down the pipeline just before closing the channel, so
 * the handler behind them can log which connection failed and why.
 */
public final class ProtocolException extends DecoderException {
    public ProtocolException(String message) {
        super(message);
    }

    /** A message of the form "bad request magic: got 0x..., expected 0x...". */
    static ProtocolException badMagic(String what, long got, long expected, int hexDigits) {
        String format = "bad %s: got 0x%0" + hexDigits + "x, expected 0x%0" + hexDigits + "x";
        return new ProtocolException(String.format(format, what, got, expected));
    }
}
