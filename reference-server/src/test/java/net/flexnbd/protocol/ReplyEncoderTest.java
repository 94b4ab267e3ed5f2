package net.flexnbd.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

class ReplyEncoderTest {

    private final EmbeddedChannel channel = new EmbeddedChannel(new ReplyEncoder());

    @Test
    void successWithoutPayloadIsOneHeader() {
        ChannelFuture written = channel.writeAndFlush(Reply.ok(0x0102030405060708L));

        assertThat(written.isSuccess()).isTrue();
        ByteBuf header = channel.readOutbound();
        assertThat(header.readableBytes()).isEqualTo(Nbd.REPLY_HEADER_LENGTH);
        assertThat(header.readInt()).isEqualTo(Nbd.SIMPLE_REPLY_MAGIC);
        assertThat(header.readInt()).isZero();
        assertThat(header.readLong()).isEqualTo(0x0102030405060708L);
        header.release();
        assertThat(channel.<Object>readOutbound()).isNull();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void errorCarriesTheErrno() {
        channel.writeAndFlush(Reply.error(9, Nbd.ESHUTDOWN));

        ByteBuf header = channel.readOutbound();
        assertThat(header.getInt(4)).isEqualTo(Nbd.ESHUTDOWN);
        assertThat(header.getLong(8)).isEqualTo(9);
        header.release();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void readPayloadFollowsTheHeaderAsTheSameBufferUncopied() {
        ByteBuf payload = Unpooled.wrappedBuffer(new byte[] {1, 2, 3, 4, 5});

        ChannelFuture written = channel.writeAndFlush(new Reply(0, 3, payload));

        assertThat(written.isSuccess()).isTrue();
        ByteBuf header = channel.readOutbound();
        assertThat(header.readableBytes()).isEqualTo(Nbd.REPLY_HEADER_LENGTH);
        assertThat(header.getLong(8)).isEqualTo(3);
        assertThat(channel.<Object>readOutbound()).isSameAs(payload);
        header.release();
        payload.release();
        assertThat(payload.refCnt()).isZero();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void emptyNonSharedPayloadIsReleased() {
        ByteBuf payload = Unpooled.buffer(16);

        channel.writeAndFlush(new Reply(0, 1, payload));

        assertThat(payload.refCnt()).isZero();
        ByteBuf header = channel.readOutbound();
        header.release();
        assertThat(channel.<Object>readOutbound()).isNull();
    }

    @Test
    void writingAfterCloseFailsThePromiseAndReleasesThePayload() {
        channel.close();
        ByteBuf payload = Unpooled.wrappedBuffer(new byte[8]);

        ChannelFuture written = channel.writeAndFlush(new Reply(0, 1, payload));

        assertThat(written.isSuccess()).isFalse();
        assertThat(payload.refCnt()).isZero();
    }

    @Test
    void otherMessagesPassThrough() {
        ByteBuf raw = Unpooled.wrappedBuffer(new byte[] {7});
        channel.writeAndFlush(raw);
        assertThat(channel.<Object>readOutbound()).isSameAs(raw);
        raw.release();
    }
}
