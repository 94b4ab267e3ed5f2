package net.flexnbd.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.EncoderException;
import org.junit.jupiter.api.Test;

class RequestEncoderTest {

    private final EmbeddedChannel channel = new EmbeddedChannel(new RequestEncoder());

    @Test
    void headerLaysOutEveryField() {
        channel.writeAndFlush(Request.of(Nbd.CMD_FLAG_FUA, Nbd.CMD_TRIM, 0x1122334455667788L, -1L, 0xFFFF_FFFFL));

        ByteBuf header = channel.readOutbound();
        ByteBuf expected = Wire.requestHeader(Nbd.CMD_FLAG_FUA, Nbd.CMD_TRIM, 0x1122334455667788L, -1L, 0xFFFF_FFFFL);
        assertThat(header).isEqualTo(expected);
        header.release();
        expected.release();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void writePayloadFollowsAsTheSameBuffer() {
        ByteBuf payload = Unpooled.wrappedBuffer(new byte[512]);

        ChannelFuture written = channel.writeAndFlush(new Request(0, Nbd.CMD_WRITE, 1, 0, 512, payload));

        assertThat(written.isSuccess()).isTrue();
        ByteBuf header = channel.readOutbound();
        assertThat(header.getInt(24)).isEqualTo(512);
        assertThat(channel.<Object>readOutbound()).isSameAs(payload);
        header.release();
        payload.release();
    }

    @Test
    void payloadThatDoesNotMatchTheLengthIsRefused() {
        ByteBuf payload = Unpooled.wrappedBuffer(new byte[100]);

        ChannelFuture written = channel.writeAndFlush(new Request(0, Nbd.CMD_WRITE, 1, 0, 512, payload));

        assertThat(written.cause()).isInstanceOf(EncoderException.class)
                .hasMessageContaining("carries 100 payload bytes, expected 512");
        assertThat(payload.refCnt()).isZero();
        assertThat(channel.<Object>readOutbound()).isNull();
    }

    @Test
    void outOfRangeFieldsAreRefused() {
        ChannelFuture badType = channel.writeAndFlush(Request.of(0, 0x10000, 1, 0, 0));
        ChannelFuture badLength = channel.writeAndFlush(Request.of(0, Nbd.CMD_READ, 1, 0, 1L << 32));

        assertThat(badType.cause()).hasMessageContaining("type (65536) must be within 0..65535");
        assertThat(badLength.cause()).hasMessageContaining("length (4294967296)");
        assertThat(channel.<Object>readOutbound()).isNull();
    }
}
