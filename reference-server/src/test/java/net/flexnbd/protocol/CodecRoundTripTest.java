package net.flexnbd.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import net.flexnbd.testing.Gen;
import net.flexnbd.testing.Seeds;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every request and reply survives encoder then decoder unchanged, however the bytes are split. */
class CodecRoundTripTest {

    /** A request's fields; the payload is built fresh for each try so buffers are never shared. */
    record RequestSpec(int flags, int type, long cookie, long offset, long length, byte[] data) {
        Request toRequest() {
            return new Request(flags, type, cookie, offset, length,
                    data.length == 0 ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(data.clone()));
        }
    }

    record ReplySpec(int error, long cookie, byte[] data) {}

    static LongStream seeds() {
        return Seeds.of("CodecRoundTripTest", 1000);
    }

    @ParameterizedTest(name = Seeds.NAME)
    @MethodSource("seeds")
    void requestsRoundTripThroughClientEncoderAndServerDecoder(long seed) {
        Gen gen = Gen.of(seed);
        List<RequestSpec> specs = gen.list(0, 8, () -> request(gen));
        int chunkSize = gen.between(1, 97);
        EmbeddedChannel client = new EmbeddedChannel(new RequestEncoder());
        EmbeddedChannel server = new EmbeddedChannel(new RequestDecoder());
        for (RequestSpec spec : specs) {
            assertThat(client.writeAndFlush(spec.toRequest()).isSuccess()).isTrue();
        }

        feedInChunks(Wire.drainOutbound(client), server, chunkSize);

        for (RequestSpec spec : specs) {
            Request decoded = server.readInbound();
            assertThat(decoded).isNotNull();
            assertThat(decoded.flags()).isEqualTo(spec.flags());
            assertThat(decoded.type()).isEqualTo(spec.type());
            assertThat(decoded.cookie()).isEqualTo(spec.cookie());
            assertThat(decoded.offset()).isEqualTo(spec.offset());
            assertThat(decoded.length()).isEqualTo(spec.length());
            assertThat(ByteBufUtil.getBytes(decoded.payload())).isEqualTo(spec.data());
            decoded.payload().release();
        }
        assertThat(server.finish()).isFalse();
        assertThat(client.finish()).isFalse();
    }

    @ParameterizedTest(name = Seeds.NAME)
    @MethodSource("seeds")
    void repliesRoundTripThroughServerEncoderAndClientDecoder(long seed) {
        Gen gen = Gen.of(seed);
        List<ReplySpec> specs = gen.list(0, 8, () -> reply(gen));
        int chunkSize = gen.between(1, 97);
        // cookies are unique per connection, as the client would make them
        Map<Long, Integer> readLengths = new HashMap<>();
        List<ReplySpec> unique = new ArrayList<>();
        for (ReplySpec spec : specs) {
            if (readLengths.putIfAbsent(spec.cookie(), spec.data().length) == null) {
                unique.add(spec);
            }
        }
        EmbeddedChannel server = new EmbeddedChannel(new ReplyEncoder());
        EmbeddedChannel client = new EmbeddedChannel(new ReplyDecoder(cookie -> readLengths.getOrDefault(cookie, 0)));
        for (ReplySpec spec : unique) {
            ByteBuf payload = spec.data().length == 0 ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(spec.data().clone());
            assertThat(server.writeAndFlush(new Reply(spec.error(), spec.cookie(), payload)).isSuccess()).isTrue();
        }

        feedInChunks(Wire.drainOutbound(server), client, chunkSize);

        for (ReplySpec spec : unique) {
            Reply decoded = client.readInbound();
            assertThat(decoded).isNotNull();
            assertThat(decoded.error()).isEqualTo(spec.error());
            assertThat(decoded.cookie()).isEqualTo(spec.cookie());
            assertThat(ByteBufUtil.getBytes(decoded.payload())).isEqualTo(spec.data());
            decoded.release();
        }
        assertThat(client.finish()).isFalse();
        assertThat(server.finish()).isFalse();
    }

    private static RequestSpec request(Gen gen) {
        int flags = gen.between(0, 0xFFFF);
        if (gen.bool()) {
            byte[] data = gen.bytes(3000);
            return new RequestSpec(flags, Nbd.CMD_WRITE, gen.anyLong(), gen.anyLong(), data.length, data);
        }
        int type = gen.between(0, 0xFFFF);
        if (type == Nbd.CMD_WRITE) {
            type = Nbd.CMD_READ;
        }
        return new RequestSpec(flags, type, gen.anyLong(), gen.anyLong(), gen.between(0, 0xFFFF_FFFFL), new byte[0]);
    }

    private static ReplySpec reply(Gen gen) {
        if (gen.bool()) {
            int error = gen.anyInt();
            return new ReplySpec(error == 0 ? 1 : error, gen.anyLong(), new byte[0]);
        }
        return new ReplySpec(0, gen.anyLong(), gen.bytes(3000));
    }

    private static void feedInChunks(ByteBuf bytes, EmbeddedChannel channel, int chunkSize) {
        while (bytes.isReadable()) {
            channel.writeInbound(bytes.readRetainedSlice(Math.min(chunkSize, bytes.readableBytes())));
        }
        bytes.release();
    }
}
