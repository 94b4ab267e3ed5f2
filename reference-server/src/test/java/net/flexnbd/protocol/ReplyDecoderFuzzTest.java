package net.flexnbd.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * Coverage-guided fuzzing of the client side's reply decoder, which parses what an upstream
 * sends the proxy (and the migration sender's link). Seed corpus in
 * {@code ReplyDecoderFuzzTestInputs/}; {@code JAZZER_FUZZ=1} fuzzes. Whatever the upstream
 * sends, successful replies carry exactly the length the client expects for their cookie and
 * errors carry nothing; a bad magic fails with a {@link ProtocolException} and closes; every
 * buffer is released.
 */
class ReplyDecoderFuzzTest {
    /** The READ length the client would expect for a cookie: small, so the fuzzer can complete one. */
    private static int readLengthOf(long cookie) {
        return (cookie & 1) == 0 ? 0 : (int) (cookie >>> 1 & 0x3ff);
    }

    @FuzzTest(maxDuration = "3m")
    void decodesAnyUpstreamStreamSafely(byte[] input) {
        List<byte[]> pieces = FuzzInput.pieces(input);
        int total = pieces.stream().mapToInt(p -> p.length).sum();
        TrackingAllocator allocator = new TrackingAllocator();
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.config().setAllocator(allocator);
        channel.pipeline().addLast(new ReplyDecoder(ReplyDecoderFuzzTest::readLengthOf));
        List<ByteBuf> fed = new ArrayList<>();
        for (byte[] piece : pieces) {
            if (!channel.isOpen()) {
                break;
            }
            ByteBuf buf = Unpooled.wrappedBuffer(piece);
            fed.add(buf);
            try {
                channel.writeInbound(buf);
            } catch (ProtocolException e) {
                assertThat(channel.isOpen()).as("open after %s", e.getMessage()).isFalse();
            }
            for (Object msg; (msg = channel.readInbound()) != null; ) {
                Reply reply = (Reply) msg;
                int expected = reply.error() == 0 ? readLengthOf(reply.cookie()) : 0;
                assertThat(reply.payload().readableBytes()).isEqualTo(expected).isLessThanOrEqualTo(total);
                reply.release();
            }
        }
        try {
            channel.finishAndReleaseAll();
        } catch (ProtocolException e) {
            assertThat(channel.isOpen()).isFalse();
        }
        assertThat(allocator.largestRequested()).isLessThanOrEqualTo(Math.max(1024, 2 * total));
        assertThat(fed).filteredOn(b -> b.capacity() > 0).allSatisfy(b -> assertThat(b.refCnt()).isZero());
    }
}
