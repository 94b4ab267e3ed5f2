package net.flexnbd.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * Coverage-guided fuzzing of the transmission decoder. {@code bin/test} replays the seed
 * corpus ({@code src/test/resources/.../RequestDecoderFuzzTestInputs/}); {@code JAZZER_FUZZ=1}
 * fuzzes for real. Whatever arrives, the decoder emits well-formed requests whose payloads
 * are no longer than the bytes received and the cap, allocates nothing near what a header
 * claims, fails only with a {@link ProtocolException} that closes the channel, and releases
 * every buffer it was given.
 */
class RequestDecoderFuzzTest {

    @FuzzTest(maxDuration = "3m")
    void decodesAnyStreamSafely(byte[] input) {
        List<byte[]> pieces = FuzzInput.pieces(input);
        int total = pieces.stream().mapToInt(p -> p.length).sum();
        TrackingAllocator allocator = new TrackingAllocator();
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.config().setAllocator(allocator);
        channel.pipeline().addLast(new RequestDecoder());
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
                Request request = (Request) msg;
                int payload = request.payload().readableBytes();
                assertThat(payload).isLessThanOrEqualTo(Nbd.MAX_PAYLOAD).isLessThanOrEqualTo(total);
                boolean carriesData = request.type() == Nbd.CMD_WRITE && request.length() <= Nbd.MAX_PAYLOAD;
                assertThat((long) payload).isEqualTo(carriesData ? request.length() : 0);
                request.payload().release();
            }
        }
        assertOnlyABadMagicIsAnswered(Wire.drainOutbound(channel), channel.isOpen());
        try {
            channel.finishAndReleaseAll();
        } catch (ProtocolException e) {
            assertThat(channel.isOpen()).isFalse();
        }
        assertThat(allocator.largestRequested()).isLessThanOrEqualTo(Math.max(1024, 2 * total));
        assertThat(fed).filteredOn(b -> b.capacity() > 0).allSatisfy(b -> assertThat(b.refCnt()).isZero());
    }

    /** The decoder writes nothing itself, except one EINVAL reply before closing on a bad magic. */
    private static void assertOnlyABadMagicIsAnswered(ByteBuf out, boolean open) {
        try {
            if (open) {
                assertThat(out.readableBytes()).isZero();
                return;
            }
            assertThat(out.readableBytes()).isIn(0, 16);
            if (out.isReadable()) {
                assertThat(out.readInt()).isEqualTo(Nbd.SIMPLE_REPLY_MAGIC);
                assertThat(out.readInt()).isEqualTo(Nbd.EINVAL);
            }
        } finally {
            out.release();
        }
    }
}
