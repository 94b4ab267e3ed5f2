package net.flexnbd.protocol;

import io.netty.buffer.ByteBuf;

/** flexnbd's handover option: the sender's token in, what this server holds for it out. */
final class HandoverAnswer {
    private final HandoverTokens handoverTokens;

    HandoverAnswer(HandoverTokens handoverTokens) {
        this.handoverTokens = handoverTokens;
    }

    /** The data is one token of 8 bytes, not zero. */
    OptionResponder.Next answer(int option, ByteBuf data, ByteBuf out) {
        if (data.readableBytes() != Long.BYTES || data.getLong(data.readerIndex()) == 0) {
            return OptionResponder.invalid(out, option, "the handover option carries one token of 8 bytes, not zero; got "
                    + data.readableBytes() + " bytes");
        }
        var held = handoverTokens.offered(data.readLong());
        if (held.isEmpty()) {
            // As a server that does not know the option answers it.
            OptionReplies.writeError(out, option, Nbd.REP_ERR_UNSUP, "option " + option + " is not supported");
            return OptionResponder.Next.HAGGLE;
        }
        OptionReplies.writeHandover(out, option, held.get());
        return OptionResponder.Next.HAGGLE;
    }
}
