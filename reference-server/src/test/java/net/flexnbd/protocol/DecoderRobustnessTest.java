package net.flexnbd.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.LongFunction;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import net.flexnbd.testing.Gen;
import net.flexnbd.testing.Seeds;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Whatever bytes a client sends, the server's decoders fail only with a protocol error or a
 * closed channel, and never allocate anything near the sizes the bytes claim.
 */
class DecoderRobustnessTest {

    private static final ExportDescription EXPORT = new ExportDescription("fuzz", 1L << 20, Nbd.TFLAG_HAS_FLAGS);

    static LongStream seeds() {
        return Seeds.of("DecoderRobustnessTest", 500);
    }

    @ParameterizedTest(name = Seeds.NAME)
    @MethodSource("seeds")
    void requestDecoderSurvivesAnyBytes(long seed) {
        requestDecoderOutcome(seed);
    }

    @ParameterizedTest(name = Seeds.NAME)
    @MethodSource("seeds")
    void handshakeSurvivesAnyBytes(long seed) {
        handshakeOutcome(seed);
    }

    /** The generators are only worth something if they reach every outcome often enough. */
    @Test
    void theGeneratedStreamsReachEveryOutcome() {
        Map<String, Long> requests = outcomes(DecoderRobustnessTest::requestDecoderOutcome);
        assertThat(share(requests, "closed") + share(requests, "closed+decoded")).isGreaterThan(5);
        assertThat(share(requests, "decoded") + share(requests, "closed+decoded")).isGreaterThan(20);

        Map<String, Long> handshakes = outcomes(DecoderRobustnessTest::handshakeOutcome);
        assertThat(share(handshakes, "closed")).isGreaterThan(5);
        assertThat(share(handshakes, "transmission")).isGreaterThan(5);
        assertThat(share(handshakes, "negotiating")).isGreaterThan(5);
    }

    private static Map<String, Long> outcomes(LongFunction<String> check) {
        return seeds().mapToObj(check).collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
    }

    private static double share(Map<String, Long> outcomes, String outcome) {
        long total = outcomes.values().stream().mapToLong(Long::longValue).sum();
        return 100.0 * outcomes.getOrDefault(outcome, 0L) / total;
    }

    /** Feeds one generated request stream and checks it; returns what became of the channel. */
    private static String requestDecoderOutcome(long seed) {
        Gen gen = Gen.of(seed);
        List<byte[]> pieces = gen.list(0, 12, () -> requestStreamPiece(gen));
        TrackingAllocator allocator = new TrackingAllocator();
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.config().setAllocator(allocator);
        channel.pipeline().addLast(new RequestDecoder());

        List<ByteBuf> fed = feed(channel, pieces);

        int total = pieces.stream().mapToInt(p -> p.length).sum();
        boolean closed = !channel.isOpen();
        boolean decoded = channel.inboundMessages().size() > 0;
        for (Object msg; (msg = channel.readInbound()) != null; ) {
            Request request = (Request) msg;
            int payload = request.payload().readableBytes();
            assertThat(payload).isLessThanOrEqualTo(Nbd.MAX_PAYLOAD).isLessThanOrEqualTo(total);
            boolean carriesData = request.type() == Nbd.CMD_WRITE && request.length() <= Nbd.MAX_PAYLOAD;
            assertThat((long) payload).isEqualTo(carriesData ? request.length() : 0);
            request.payload().release();
        }
        finishQuietly(channel);
        assertThat(allocator.largestRequested()).isLessThanOrEqualTo(Math.max(1024, 2 * total));
        assertThat(fed).filteredOn(b -> b.capacity() > 0).allSatisfy(b -> assertThat(b.refCnt()).isZero());
        return closed && decoded ? "closed+decoded" : closed ? "closed" : decoded ? "decoded" : "waiting";
    }

    /** Feeds one generated option stream and checks it; returns how far the handshake got. */
    private static String handshakeOutcome(long seed) {
        Gen gen = Gen.of(seed);
        int clientFlags = gen.weighted(4, 1) == 0 ? gen.between(0, 3) : gen.anyInt();
        List<byte[]> pieces = gen.list(0, 10, () -> optionStreamPiece(gen));
        TrackingAllocator allocator = new TrackingAllocator();
        AtomicBoolean entered = new AtomicBoolean();
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.config().setAllocator(allocator);
        channel.pipeline().addLast(ServerHandshake.NAME, new ServerHandshake(EXPORT, HandshakeStyle.NEWSTYLE, p -> entered.set(true)));
        channel.pipeline().fireChannelActive();
        List<byte[]> all = new ArrayList<>();
        all.add(Unpooled.buffer(4).writeInt(clientFlags).array());
        all.addAll(pieces);

        List<ByteBuf> fed = feed(channel, all);

        HandshakeOutput.assertWellFormed(Wire.drainOutbound(channel), entered.get());
        String outcome = entered.get() ? "transmission" : channel.isOpen() ? "negotiating" : "closed";
        for (Object msg; (msg = channel.readInbound()) != null; ) {
            ((Request) msg).payload().release();
        }
        finishQuietly(channel);
        int total = all.stream().mapToInt(p -> p.length).sum();
        assertThat(allocator.largestRequested()).isLessThanOrEqualTo(Math.max(8192, 2 * total));
        assertThat(fed).filteredOn(b -> b.capacity() > 0).allSatisfy(b -> assertThat(b.refCnt()).isZero());
        return outcome;
    }

    /** Feeds each piece as one read; a protocol error must leave the channel closed. */
    private static List<ByteBuf> feed(EmbeddedChannel channel, List<byte[]> pieces) {
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
                assertThat(channel.isOpen()).isFalse();
            }
        }
        return fed;
    }

    private static void finishQuietly(EmbeddedChannel channel) {
        try {
            channel.finishAndReleaseAll();
        } catch (ProtocolException expected) {
            assertThat(channel.isOpen()).isFalse();
        }
    }

    /** Noise, or (twice as often) a request header, mostly with the right magic, then noise. */
    private static byte[] requestStreamPiece(Gen gen) {
        if (gen.weighted(1, 2) == 0) {
            return gen.bytes(64);
        }
        int magic = gen.pickInt(Nbd.REQUEST_MAGIC, Nbd.REQUEST_MAGIC, Nbd.REQUEST_MAGIC, 0);
        int flags = gen.between(0, 0xFFFF);
        int type = gen.bool() ? gen.pickInt(Nbd.CMD_WRITE, Nbd.CMD_READ) : gen.between(0, 0xFFFF);
        long offset = gen.anyLong();
        long length = switch (gen.between(0, 2)) {
            case 0 -> gen.between(0, 200);
            case 1 -> gen.between(0, 0xFFFF_FFFFL);
            default -> gen.pickLong(Nbd.MAX_PAYLOAD, Nbd.MAX_PAYLOAD + 1L, 0xFFFF_FFFFL);
        };
        return join(Wire.requestHeader(magic, flags, type, 1, offset, length), gen.bytes(64));
    }

    /** A well-framed option, one whose length lies, a good NBD_OPT_GO, or noise (3:2:2:1). */
    private static byte[] optionStreamPiece(Gen gen) {
        return switch (gen.weighted(3, 2, 2, 1)) {
            case 0 -> Wire.bytes(Wire.option(option(gen), gen.bytes(64)));
            case 1 -> {
                int option = option(gen);
                int length = gen.bool() ? gen.anyInt() : gen.between(0, 5000);
                yield join(Unpooled.buffer().writeLong(Nbd.IHAVEOPT).writeInt(option).writeInt(length), gen.bytes(64));
            }
            case 2 -> Wire.bytes(Wire.option(Nbd.OPT_GO, Wire.infoData(gen.string(20), Nbd.INFO_BLOCK_SIZE)));
            default -> gen.bytes(64);
        };
    }

    private static int option(Gen gen) {
        return gen.bool() ? gen.between(0, 12) : gen.anyInt();
    }

    private static byte[] join(ByteBuf head, byte[] tail) {
        return Wire.bytes(Unpooled.wrappedBuffer(head, Unpooled.wrappedBuffer(tail)));
    }
}
