package net.flexnbd.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.statistics.Statistics;

/**
 * Whatever bytes a client sends, the server's decoders fail only with a protocol error or a
 * closed channel, and never allocate anything near the sizes the bytes claim.
 */
class DecoderRobustnessTest {

    private static final ExportDescription EXPORT = new ExportDescription("fuzz", 1L << 20, Nbd.TFLAG_HAS_FLAGS);

    @Property(tries = 500)
    void requestDecoderSurvivesAnyBytes(@ForAll @Size(max = 12) List<@From("requestStreamPieces") byte[]> pieces) {
        TrackingAllocator allocator = new TrackingAllocator();
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.config().setAllocator(allocator);
        channel.pipeline().addLast(new RequestDecoder());

        List<ByteBuf> fed = feed(channel, pieces);

        int total = pieces.stream().mapToInt(p -> p.length).sum();
        Statistics.label("closed").collect(!channel.isOpen());
        Statistics.label("decoded").collect(channel.inboundMessages().size() > 0);
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
        Statistics.label("closed").coverage(c -> c.check(true).percentage(p -> p > 5));
        Statistics.label("decoded").coverage(c -> c.check(true).percentage(p -> p > 20));
        assertThat(fed).filteredOn(b -> b.capacity() > 0).allSatisfy(b -> assertThat(b.refCnt()).isZero());
    }

    @Property(tries = 500)
    void handshakeSurvivesAnyBytes(
            @ForAll("clientFlags") int clientFlags,
            @ForAll @Size(max = 10) List<@From("optionStreamPieces") byte[]> pieces) {
        TrackingAllocator allocator = new TrackingAllocator();
        java.util.concurrent.atomic.AtomicBoolean entered = new java.util.concurrent.atomic.AtomicBoolean();
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.config().setAllocator(allocator);
        channel.pipeline().addLast(ServerHandshake.NAME, new ServerHandshake(EXPORT, HandshakeStyle.NEWSTYLE, p -> entered.set(true)));
        channel.pipeline().fireChannelActive();
        List<byte[]> all = new ArrayList<>();
        all.add(Unpooled.buffer(4).writeInt(clientFlags).array());
        all.addAll(pieces);

        List<ByteBuf> fed = feed(channel, all);

        assertWellFormedServerOutput(Wire.drainOutbound(channel));
        String outcome = entered.get() ? "transmission" : channel.isOpen() ? "negotiating" : "closed";
        Statistics.label("outcome").collect(outcome);
        Statistics.label("outcome").coverage(c -> {
            c.check("closed").percentage(p -> p > 5);
            c.check("transmission").percentage(p -> p > 5);
            c.check("negotiating").percentage(p -> p > 5);
        });
        for (Object msg; (msg = channel.readInbound()) != null; ) {
            ((Request) msg).payload().release();
        }
        finishQuietly(channel);
        int total = all.stream().mapToInt(p -> p.length).sum();
        assertThat(allocator.largestRequested()).isLessThanOrEqualTo(Math.max(8192, 2 * total));
        assertThat(fed).filteredOn(b -> b.capacity() > 0).allSatisfy(b -> assertThat(b.refCnt()).isZero());
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

    /** The hello, then option replies, then at most one NBD_OPT_EXPORT_NAME answer. */
    private static void assertWellFormedServerOutput(ByteBuf out) {
        assertThat(out.readLong()).isEqualTo(Nbd.INIT_PASSWD);
        assertThat(out.readLong()).isEqualTo(Nbd.IHAVEOPT);
        out.skipBytes(2);
        while (out.readableBytes() >= 8 && out.getLong(out.readerIndex()) == Nbd.OPTION_REPLY_MAGIC) {
            out.skipBytes(16);
            int length = out.readInt();
            assertThat(length).isLessThanOrEqualTo(Nbd.MAX_OPTION_LENGTH);
            out.skipBytes(length);
        }
        assertThat(out.readableBytes()).as("export-name answer or nothing").isIn(0, 10, 134);
        out.release();
    }

    @Provide
    Arbitrary<byte[]> requestStreamPieces() {
        Arbitrary<byte[]> noise = Arbitraries.bytes().array(byte[].class).ofMaxSize(64);
        Arbitrary<Long> lengths = Arbitraries.oneOf(
                Arbitraries.longs().between(0, 200),
                Arbitraries.longs().between(0, 0xFFFF_FFFFL),
                Arbitraries.of((long) Nbd.MAX_PAYLOAD, Nbd.MAX_PAYLOAD + 1L, 0xFFFF_FFFFL));
        Arbitrary<byte[]> headers = Combinators.combine(
                        Arbitraries.of(Nbd.REQUEST_MAGIC, Nbd.REQUEST_MAGIC, Nbd.REQUEST_MAGIC, 0),
                        Arbitraries.integers().between(0, 0xFFFF),
                        Arbitraries.oneOf(Arbitraries.of(Nbd.CMD_WRITE, Nbd.CMD_READ), Arbitraries.integers().between(0, 0xFFFF)),
                        Arbitraries.longs(), lengths, noise)
                .as((magic, flags, type, offset, length, tail) ->
                        join(Wire.requestHeader(magic, flags, type, 1, offset, length), tail));
        return Arbitraries.oneOf(noise, headers, headers);
    }

    @Provide
    Arbitrary<Integer> clientFlags() {
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(4, Arbitraries.integers().between(0, 3)),
                net.jqwik.api.Tuple.of(1, Arbitraries.integers()));
    }

    @Provide
    Arbitrary<byte[]> optionStreamPieces() {
        Arbitrary<byte[]> noise = Arbitraries.bytes().array(byte[].class).ofMaxSize(64);
        Arbitrary<Integer> options = Arbitraries.oneOf(
                Arbitraries.integers().between(0, 12), Arbitraries.integers());
        Arbitrary<byte[]> wellFramed = Combinators.combine(options, noise)
                .as((option, data) -> Wire.bytes(Wire.option(option, data)));
        Arbitrary<byte[]> goodGo = Arbitraries.strings().ofMaxLength(20)
                .map(name -> Wire.bytes(Wire.option(Nbd.OPT_GO, Wire.infoData(name, Nbd.INFO_BLOCK_SIZE))));
        Arbitrary<byte[]> lyingLength = Combinators.combine(
                        options, Arbitraries.oneOf(Arbitraries.integers(), Arbitraries.integers().between(0, 5000)), noise)
                .as((option, length, data) -> join(Unpooled.buffer().writeLong(Nbd.IHAVEOPT)
                        .writeInt(option).writeInt(length), data));
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(3, wellFramed), net.jqwik.api.Tuple.of(2, lyingLength),
                net.jqwik.api.Tuple.of(2, goodGo), net.jqwik.api.Tuple.of(1, noise));
    }

    private static byte[] join(ByteBuf head, byte[] tail) {
        return Wire.bytes(Unpooled.wrappedBuffer(head, Unpooled.wrappedBuffer(tail)));
    }
}
