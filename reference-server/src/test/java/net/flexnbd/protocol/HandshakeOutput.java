package net.flexnbd.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;

/** What a server may have written during a handshake fed arbitrary bytes (released here). */
final class HandshakeOutput {
    private HandshakeOutput() {}

    /**
     * The hello, then whole option replies, then at most one NBD_OPT_EXPORT_NAME answer, then
     * (in transmission) at most the EINVAL reply to a bad request magic.
     */
    static void assertWellFormed(ByteBuf out, boolean enteredTransmission) {
        assertThat(out.readLong()).isEqualTo(Nbd.INIT_PASSWD);
        assertThat(out.readLong()).isEqualTo(Nbd.IHAVEOPT);
        out.skipBytes(2);
        while (out.readableBytes() >= 8 && out.getLong(out.readerIndex()) == Nbd.OPTION_REPLY_MAGIC) {
            assertThat(out.readableBytes()).as("a whole option reply header").isGreaterThanOrEqualTo(20);
            out.skipBytes(16);
            int length = out.readInt();
            assertThat(length).isBetween(0, Nbd.MAX_OPTION_LENGTH);
            assertThat(out.readableBytes()).as("a whole option reply").isGreaterThanOrEqualTo(length);
            out.skipBytes(length);
        }
        if (out.readableBytes() >= 4 && out.getInt(out.readerIndex()) != Nbd.SIMPLE_REPLY_MAGIC) {
            assertThat(out.readableBytes()).as("export-name answer").isGreaterThanOrEqualTo(10);
            out.skipBytes(out.readableBytes() >= 134 ? 134 : 10);
        }
        int rest = out.readableBytes();
        if (rest > 0) {
            assertThat(enteredTransmission).as("anything after the options means transmission").isTrue();
            assertThat(rest).as("the EINVAL reply to a bad request magic").isEqualTo(16);
            assertThat(out.readInt()).isEqualTo(Nbd.SIMPLE_REPLY_MAGIC);
            assertThat(out.readInt()).isEqualTo(Nbd.EINVAL);
        }
        out.release();
    }
}
