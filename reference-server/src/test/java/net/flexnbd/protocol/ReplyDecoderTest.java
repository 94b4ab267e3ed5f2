package net.flexnbd.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReplyDecoderTest {

    /** Cookies 10 and 11 are READs of 4 and 8 bytes; everything else carries no data. */
    private final Map<Long, Integer> readLengths = Map.of(10L, 4, 11L, 8);
    private final EmbeddedChannel channel =
            new EmbeddedChannel(new ReplyDecoder(cookie -> readLengths.getOrDefault(cookie, 0)));

    @Test
    void readReplyCarriesTheExpectedNumberOfBytes() {
        channel.writeInbound(Unpooled.wrappedBuffer(
                Wire.replyHeader(Nbd.SIMPLE_REPLY_MAGIC, 0, 10), Unpooled.wrappedBuffer(new byte[] {1, 2, 3, 4}),
                Wire.replyHeader(Nbd.SIMPLE_REPLY_MAGIC, 0, 5)));

        List<Reply> replies = readAll();
        assertThat(replies).hasSize(2);
        assertThat(ByteBufUtil.getBytes(replies.get(0).payload())).containsExactly(1, 2, 3, 4);
        assertThat(replies.get(1)).isEqualTo(Reply.ok(5));
        replies.get(0).payload().release();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void errorReplyToAReadCarriesNoData() {
        channel.writeInbound(Unpooled.wrappedBuffer(
                Wire.replyHeader(Nbd.SIMPLE_REPLY_MAGIC, Nbd.EINVAL, 11),
                Wire.replyHeader(Nbd.SIMPLE_REPLY_MAGIC, 0, 6)));

        assertThat(readAll()).containsExactly(Reply.error(11, Nbd.EINVAL), Reply.ok(6));
    }

    @Test
    void byteByByteDecodesTheSame() {
        ByteBuf frames = Unpooled.wrappedBuffer(
                Wire.replyHeader(Nbd.SIMPLE_REPLY_MAGIC, 0, 11), Unpooled.wrappedBuffer(new byte[] {8, 7, 6, 5, 4, 3, 2, 1}),
                Wire.replyHeader(Nbd.SIMPLE_REPLY_MAGIC, Nbd.ENOSPC, 12));

        List<ByteBuf> fed = Wire.writeByteByByte(channel, frames);

        List<Reply> replies = readAll();
        assertThat(ByteBufUtil.getBytes(replies.get(0).payload())).containsExactly(8, 7, 6, 5, 4, 3, 2, 1);
        assertThat(replies.get(1)).isEqualTo(Reply.error(12, Nbd.ENOSPC));
        replies.get(0).payload().release();
        assertThat(channel.finish()).isFalse();
        assertThat(fed).allSatisfy(b -> assertThat(b.refCnt()).isZero());
    }

    @Test
    void badMagicFailsAndCloses() {
        ByteBuf input = Unpooled.wrappedBuffer(
                Wire.replyHeader(0x67446699, 0, 1), Wire.replyHeader(Nbd.SIMPLE_REPLY_MAGIC, 0, 2));

        assertThatThrownBy(() -> channel.writeInbound(input))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("got 0x67446699, expected 0x67446698");
        assertThat(channel.isOpen()).isFalse();
        assertThat(channel.<Object>readInbound()).isNull();
        assertThat(input.refCnt()).isZero();
    }

    @Test
    void anImpossibleExpectedLengthFails() {
        EmbeddedChannel confused = new EmbeddedChannel(new ReplyDecoder(cookie -> -1));

        assertThatThrownBy(() -> confused.writeInbound(Wire.replyHeader(Nbd.SIMPLE_REPLY_MAGIC, 0, 1)))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("(-1)");
        assertThat(confused.isOpen()).isFalse();
    }

    private List<Reply> readAll() {
        List<Reply> replies = new ArrayList<>();
        for (Reply r; (r = channel.readInbound()) != null; ) {
            replies.add(r);
        }
        return replies;
    }
}
