package net.flexnbd.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RequestDecoderTest {

    private final EmbeddedChannel channel = new EmbeddedChannel(new RequestDecoder());

    @Test
    void decodesPayloadlessRequestsFromWholeFrames() {
        channel.writeInbound(Unpooled.wrappedBuffer(
                Wire.requestHeader(0, Nbd.CMD_READ, 1, 4096, 512),
                Wire.requestHeader(Nbd.CMD_FLAG_FUA, Nbd.CMD_FLUSH, 2, 0, 0),
                Wire.requestHeader(0, Nbd.CMD_TRIM, 3, 8192, 1 << 20),
                Wire.requestHeader(Nbd.CMD_FLAG_NO_HOLE, Nbd.CMD_WRITE_ZEROES, 4, 0, 65536),
                Wire.requestHeader(0, Nbd.CMD_ENTRUST, 5, 0, 0),
                Wire.requestHeader(0, Nbd.CMD_DISC, 6, 0, 0)));

        assertThat(readAll()).containsExactly(
                Request.of(0, Nbd.CMD_READ, 1, 4096, 512),
                Request.of(Nbd.CMD_FLAG_FUA, Nbd.CMD_FLUSH, 2, 0, 0),
                Request.of(0, Nbd.CMD_TRIM, 3, 8192, 1 << 20),
                Request.of(Nbd.CMD_FLAG_NO_HOLE, Nbd.CMD_WRITE_ZEROES, 4, 0, 65536),
                Request.of(0, Nbd.CMD_ENTRUST, 5, 0, 0),
                Request.of(0, Nbd.CMD_DISC, 6, 0, 0));
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void writeCarriesItsPayload() {
        byte[] data = "hello, block device".getBytes(StandardCharsets.US_ASCII);
        channel.writeInbound(Wire.write(7, 1024, data));

        Request request = channel.readInbound();
        assertThat(request.type()).isEqualTo(Nbd.CMD_WRITE);
        assertThat(request.cookie()).isEqualTo(7);
        assertThat(request.offset()).isEqualTo(1024);
        assertThat(request.length()).isEqualTo(data.length);
        assertThat(ByteBufUtil.getBytes(request.payload())).isEqualTo(data);
        request.payload().release();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void sameFramesSplitByteByByteDecodeTheSame() {
        byte[] data = new byte[1000];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) i;
        }
        ByteBuf frames = Unpooled.wrappedBuffer(
                Wire.requestHeader(0, Nbd.CMD_READ, 1, 0, 4096),
                Wire.write(2, 512, data),
                Wire.requestHeader(0, Nbd.CMD_FLUSH, 3, 0, 0));

        List<ByteBuf> fed = Wire.writeByteByByte(channel, frames);

        List<Request> requests = readAll();
        assertThat(requests).hasSize(3);
        assertThat(requests.get(0)).isEqualTo(Request.of(0, Nbd.CMD_READ, 1, 0, 4096));
        assertThat(requests.get(1).cookie()).isEqualTo(2);
        assertThat(ByteBufUtil.getBytes(requests.get(1).payload())).isEqualTo(data);
        assertThat(requests.get(2)).isEqualTo(Request.of(0, Nbd.CMD_FLUSH, 3, 0, 0));
        requests.get(1).payload().release();
        assertThat(channel.finish()).isFalse();
        assertThat(fed).allSatisfy(b -> assertThat(b.refCnt()).isZero());
    }

    @Test
    void writePayloadIsASliceOfTheReceivedBuffersNotACopy() {
        ByteBuf frame = Wire.write(1, 0, new byte[] {1, 2, 3, 4});
        channel.writeInbound(frame.retain());

        Request request = channel.readInbound();
        assertThat(frame.refCnt()).as("payload slice keeps the received buffer").isPositive();
        frame.setByte(Nbd.REQUEST_HEADER_LENGTH, 9);
        assertThat(request.payload().getByte(0)).as("payload shares memory with the input").isEqualTo((byte) 9);
        request.payload().release();
        frame.release();
        assertThat(frame.refCnt()).isZero();
    }

    @Test
    void fieldsAreUnsigned() {
        channel.writeInbound(Wire.requestHeader(0xFFFF, Nbd.CMD_READ, -1L, -1L, 0xFFFF_FFFFL));
        channel.writeInbound(Wire.requestHeader(0, 0xFFFF, 2, Long.MIN_VALUE, 0x8000_0000L));

        assertThat(readAll()).containsExactly(
                Request.of(0xFFFF, Nbd.CMD_READ, -1L, -1L, 0xFFFF_FFFFL),
                Request.of(0, 0xFFFF, 2, Long.MIN_VALUE, 0x8000_0000L));
    }

    @Test
    void unknownCommandsAndZeroLengthWritesCarryNoPayload() {
        channel.writeInbound(Unpooled.wrappedBuffer(
                Wire.requestHeader(0, 99, 1, 0, 4096),
                Wire.requestHeader(0, Nbd.CMD_WRITE, 2, 0, 0),
                Wire.requestHeader(0, Nbd.CMD_READ, 3, 0, 512)));

        assertThat(readAll()).containsExactly(
                Request.of(0, 99, 1, 0, 4096),
                Request.of(0, Nbd.CMD_WRITE, 2, 0, 0),
                Request.of(0, Nbd.CMD_READ, 3, 0, 512));
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void badMagicIsAnsweredWithEinvalBeforeTheClose() {
        assertThatThrownBy(() -> channel.writeInbound(Wire.requestHeader(0x12345678, 0, Nbd.CMD_READ, 77, 0, 512)))
                .isInstanceOf(ProtocolException.class);

        ByteBuf answer = Wire.drainOutbound(channel);
        assertThat(answer.readableBytes()).isEqualTo(Nbd.REPLY_HEADER_LENGTH);
        assertThat(answer.readInt()).isEqualTo(Nbd.SIMPLE_REPLY_MAGIC);
        assertThat(answer.readInt()).isEqualTo(Nbd.EINVAL);
        assertThat(answer.readLong()).as("the cookie field of the bad header").isEqualTo(77);
        answer.release();
        assertThat(channel.isOpen()).isFalse();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void badMagicFailsClosesAndDecodesNothingFurther() {
        ByteBuf input = Unpooled.wrappedBuffer(
                Wire.requestHeader(0, Nbd.CMD_READ, 1, 0, 512),
                Wire.requestHeader(0x12345678, 0, Nbd.CMD_READ, 2, 0, 512),
                Wire.requestHeader(0, Nbd.CMD_READ, 3, 0, 512));

        assertThatThrownBy(() -> channel.writeInbound(input))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("got 0x12345678")
                .hasMessageContaining("expected 0x25609513");

        assertThat(channel.isOpen()).isFalse();
        assertThat(readAll()).containsExactly(Request.of(0, Nbd.CMD_READ, 1, 0, 512));
        assertThat(input.refCnt()).isZero();
        Wire.drainOutbound(channel).release(); // the EINVAL reply
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void afterBadMagicNothingIsDecodedEvenBeforeTheCloseTakesEffect() {
        EmbeddedChannel lingering = new EmbeddedChannel(new IgnoreClose(), new RequestDecoder());
        assertThatThrownBy(() -> lingering.writeInbound(Wire.requestHeader(0, 0, Nbd.CMD_READ, 1, 0, 512)))
                .isInstanceOf(ProtocolException.class);
        ByteBuf more = Wire.requestHeader(0, Nbd.CMD_READ, 2, 0, 512);

        lingering.writeInbound(more);

        assertThat(lingering.<Object>readInbound()).isNull();
        assertThat(more.refCnt()).isZero();
        Wire.drainOutbound(lingering).release(); // the EINVAL reply
        assertThat(lingering.finish()).isFalse();
    }

    /** Swallows close(), as if the close were still on its way. */
    static final class IgnoreClose extends io.netty.channel.ChannelOutboundHandlerAdapter {
        @Override
        public void close(io.netty.channel.ChannelHandlerContext ctx, io.netty.channel.ChannelPromise promise) {
            promise.setSuccess();
        }
    }

    @Test
    void oversizedWriteIsEmittedWithoutPayloadAndItsBytesSkipped() {
        long length = Nbd.MAX_PAYLOAD + 1L;
        channel.writeInbound(Wire.requestHeader(0, Nbd.CMD_WRITE, 1, 0, length));
        assertThat(readAll()).containsExactly(Request.of(0, Nbd.CMD_WRITE, 1, 0, length));

        ByteBuf chunk = Unpooled.wrappedBuffer(new byte[64 * 1024]);
        long remaining = length - 1; // the last byte travels with the next request
        List<ByteBuf> fed = new ArrayList<>();
        while (remaining > 0) {
            int n = (int) Math.min(chunk.capacity(), remaining);
            ByteBuf piece = chunk.retainedSlice(0, n);
            fed.add(piece);
            channel.writeInbound(piece);
            remaining -= n;
        }
        assertThat(channel.<Object>readInbound()).isNull();
        ByteBuf tail = Unpooled.wrappedBuffer(Unpooled.wrappedBuffer(new byte[1]),
                Wire.requestHeader(0, Nbd.CMD_READ, 2, 4096, 512));
        channel.writeInbound(tail);

        assertThat(readAll()).containsExactly(Request.of(0, Nbd.CMD_READ, 2, 4096, 512));
        assertThat(channel.finish()).isFalse();
        chunk.release();
        assertThat(fed).allSatisfy(b -> assertThat(b.refCnt()).isZero());
        assertThat(tail.refCnt()).isZero();
    }

    @Test
    void writeOfExactlyMaxPayloadIsBuffered() {
        byte[] data = new byte[Nbd.MAX_PAYLOAD];
        data[data.length - 1] = 42;
        channel.writeInbound(Wire.write(1, 0, data));

        Request request = channel.readInbound();
        assertThat(request.payload().readableBytes()).isEqualTo(Nbd.MAX_PAYLOAD);
        assertThat(request.payload().getByte(Nbd.MAX_PAYLOAD - 1)).isEqualTo((byte) 42);
        request.payload().release();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void partialFrameAtCloseIsDroppedAndReleased() {
        ByteBuf frame = Wire.write(1, 0, new byte[100]);
        ByteBuf partial = frame.retainedSlice(0, 60);
        frame.release();
        channel.writeInbound(partial);

        assertThat(channel.finish()).isFalse();
        assertThat(partial.refCnt()).isZero();
    }

    private List<Request> readAll() {
        List<Request> requests = new ArrayList<>();
        for (Request r; (r = channel.readInbound()) != null; ) {
            requests.add(r);
        }
        return requests;
    }

    @Test
    void aReadThatEndsHalfwayThroughARequestSignalsIt() {
        List<Object> events = new ArrayList<>();
        EmbeddedChannel watched = new EmbeddedChannel(new RequestDecoder(), new io.netty.channel.ChannelInboundHandlerAdapter() {
            @Override
            public void userEventTriggered(io.netty.channel.ChannelHandlerContext ctx, Object evt) {
                events.add(evt);
            }
        });
        ByteBuf write = Wire.write(7, 0, new byte[100]);

        watched.writeInbound(Wire.requestHeader(0, Nbd.CMD_FLUSH, 1, 0, 0));
        assertThat(events).as("a whole request").isEmpty();
        watched.writeInbound(write.readRetainedSlice(10));
        assertThat(events).as("a header cut short").containsExactly(PartialRequest.INSTANCE);
        watched.writeInbound(write.readRetainedSlice(40));
        assertThat(events).as("the payload still coming").hasSize(2);
        watched.writeInbound(write.readRetainedSlice(write.readableBytes()));
        assertThat(events).as("the write arrived whole").hasSize(2);
        write.release();
        watched.<Request>readInbound().release();
        watched.<Request>readInbound().release();
        assertThat(watched.finish()).isFalse();
    }
}
