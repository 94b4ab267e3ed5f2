package net.flexnbd.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Coverage-guided fuzzing of the server's option haggling (seed corpus in
 * {@code ServerHandshakeFuzzTestInputs/}; {@code JAZZER_FUZZ=1} fuzzes). Whatever the client
 * sends, the server answers with its hello, framed option replies and at most one
 * NBD_OPT_EXPORT_NAME answer; it fails only with a {@link ProtocolException} that closes the
 * channel; it allocates nothing near an option length the client claims; it releases every
 * buffer it was given.
 */
class ServerHandshakeFuzzTest {
    private static final ExportDescription EXPORT = new ExportDescription("fuzz", 1L << 20, Nbd.TFLAG_HAS_FLAGS);

    @FuzzTest(maxDuration = "3m")
    void negotiatesAnyStreamSafely(byte[] input) {
        List<byte[]> pieces = FuzzInput.pieces(input);
        int total = pieces.stream().mapToInt(p -> p.length).sum();
        TrackingAllocator allocator = new TrackingAllocator();
        AtomicBoolean entered = new AtomicBoolean();
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.config().setAllocator(allocator);
        channel.pipeline().addLast(ServerHandshake.NAME,
                new ServerHandshake(EXPORT, HandshakeStyle.NEWSTYLE, p -> entered.set(true)));
        channel.pipeline().fireChannelActive();
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
        }

        HandshakeOutput.assertWellFormed(Wire.drainOutbound(channel), entered.get());
        for (Object msg; (msg = channel.readInbound()) != null; ) {
            ((Request) msg).payload().release();
        }
        try {
            channel.finishAndReleaseAll();
        } catch (ProtocolException e) {
            assertThat(channel.isOpen()).isFalse();
        }
        assertThat(allocator.largestRequested()).isLessThanOrEqualTo(Math.max(8192, 2 * total));
        assertThat(fed).filteredOn(b -> b.capacity() > 0).allSatisfy(b -> assertThat(b.refCnt()).isZero());
    }

    /** Under {@code --tls require}, no stream reaches transmission without STARTTLS first. */
    @FuzzTest(maxDuration = "3m")
    void neverServesInClearUnderTlsRequire(byte[] input) {
        AtomicBoolean entered = new AtomicBoolean();
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.pipeline().addLast(ServerHandshake.NAME,
                new ServerHandshake(EXPORT, HandshakeStyle.NEWSTYLE, p -> entered.set(true)).withTls(FakeTls.mode(TlsMode.REQUIRE)));
        channel.pipeline().fireChannelActive();
        for (byte[] piece : FuzzInput.pieces(input)) {
            if (!channel.isOpen()) {
                break;
            }
            try {
                channel.writeInbound(Unpooled.wrappedBuffer(piece));
            } catch (ProtocolException e) {
                assertThat(channel.isOpen()).isFalse();
            }
        }
        assertThat(entered).as("transmission in clear").isFalse();
        channel.finishAndReleaseAll();
    }
}
