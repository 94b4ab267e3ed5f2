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
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

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

    @Property
    void requestsRoundTripThroughClientEncoderAndServerDecoder(
            @ForAll @Size(max = 8) List<@From("requests") RequestSpec> specs,
            @ForAll @IntRange(min = 1, max = 97) int chunkSize) {
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

    @Property
    void repliesRoundTripThroughServerEncoderAndClientDecoder(
            @ForAll @Size(max = 8) List<@From("replies") ReplySpec> specs,
            @ForAll @IntRange(min = 1, max = 97) int chunkSize) {
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

    @Provide
    Arbitrary<RequestSpec> requests() {
        Arbitrary<Integer> u16 = Arbitraries.integers().between(0, 0xFFFF);
        Arbitrary<Long> anyLong = Arbitraries.longs();
        Arbitrary<RequestSpec> payloadless = Combinators.combine(
                        u16, u16.filter(t -> t != Nbd.CMD_WRITE), anyLong, anyLong,
                        Arbitraries.longs().between(0, 0xFFFF_FFFFL))
                .as((flags, type, cookie, offset, length) -> new RequestSpec(flags, type, cookie, offset, length, new byte[0]));
        Arbitrary<RequestSpec> writes = Combinators.combine(
                        u16, anyLong, anyLong, Arbitraries.bytes().array(byte[].class).ofMaxSize(3000))
                .as((flags, cookie, offset, data) ->
                        new RequestSpec(flags, Nbd.CMD_WRITE, cookie, offset, data.length, data));
        return Arbitraries.oneOf(payloadless, writes);
    }

    @Provide
    Arbitrary<ReplySpec> replies() {
        Arbitrary<ReplySpec> errors = Combinators.combine(
                        Arbitraries.integers().filter(e -> e != 0), Arbitraries.longs())
                .as((error, cookie) -> new ReplySpec(error, cookie, new byte[0]));
        Arbitrary<ReplySpec> successes = Combinators.combine(
                        Arbitraries.longs(), Arbitraries.bytes().array(byte[].class).ofMaxSize(3000))
                .as((cookie, data) -> new ReplySpec(0, cookie, data));
        return Arbitraries.oneOf(errors, successes);
    }

    private static void feedInChunks(ByteBuf bytes, EmbeddedChannel channel, int chunkSize) {
        while (bytes.isReadable()) {
            channel.writeInbound(bytes.readRetainedSlice(Math.min(chunkSize, bytes.readableBytes())));
        }
        bytes.release();
    }
}
