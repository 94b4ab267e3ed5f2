package net.flexnbd.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import net.flexnbd.protocol.Nbd;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Random and mutated frames sent to a real server over TCP, one connection per try: option
 * haggling with bad magics, unknown options, lying lengths and truncations; transmission
 * requests with bad magics, unknown commands and flags, ranges past the end, lengths over the
 * cap, partial payloads and junk between frames. After every try the server is still up, a
 * client connected all along is still served correctly, and the server's buffers have not
 * grown by anything near the request cap. Hostile requests that could change data stay
 * below {@link Witness#HOSTILE_LIMIT}, so the witness's checks stay meaningful.
 */
class HostileFramesIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final long MEMORY_SLACK = Nbd.MAX_PAYLOAD;

    private static Path directory;
    private static ServerUnderTest server;
    private static Witness witness;
    private static long baseline;

    @BeforeContainer
    static void start() throws IOException {
        directory = Files.createTempDirectory("hostile-frames-");
        server = ServerUnderTest.serve(directory);
        witness = new Witness(server.address());
        witness.check();
        baseline = Memory.buffers();
    }

    @AfterContainer
    static void stop() throws IOException {
        if (witness != null) {
            witness.close();
        }
        if (server != null) {
            server.close();
        }
        try (Stream<Path> files = Files.walk(directory)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }

    @Property(tries = 200, seed = "20261126")
    void optionHagglingNeverHurtsTheServer(@ForAll("handshakeStreams") byte[] stream) throws IOException {
        try (RawClient hostile = RawClient.connect(server.address(), TIMEOUT)) {
            sendQuietly(hostile, stream);
            hostile.finish();
        }
        afterBurst();
    }

    @Property(tries = 200, seed = "20261126")
    void requestFramesNeverHurtTheServer(@ForAll("requestStreams") byte[] stream) throws IOException {
        try (RawClient hostile = RawClient.connect(server.address(), TIMEOUT).handshake()) {
            sendQuietly(hostile, stream);
            hostile.finish();
        }
        afterBurst();
    }

    private static void afterBurst() throws IOException {
        witness.check();
        assertThat(server.status()).containsEntry("has_control", "true");
        assertThat(Memory.buffers() - baseline).as("buffer memory grown since the start").isLessThan(MEMORY_SLACK);
    }

    /** The server may close before it has read everything; that is its right. */
    private static void sendQuietly(RawClient client, byte[] bytes) {
        try {
            client.send(bytes);
        } catch (IOException e) {
            // closed or reset by the server mid-send
        }
    }

    // ---- option haggling ----------------------------------------------------------------

    @Provide
    Arbitrary<byte[]> handshakeStreams() {
        Arbitrary<Integer> flags = Arbitraries.frequencyOf(
                Tuple.of(6, Arbitraries.of(Nbd.FLAG_C_FIXED_NEWSTYLE | Nbd.FLAG_C_NO_ZEROES, Nbd.FLAG_C_FIXED_NEWSTYLE)),
                Tuple.of(1, Arbitraries.integers()));
        Arbitrary<byte[]> options = option().list().ofMaxSize(6).map(HostileFramesIT::concat);
        return Combinators.combine(flags, options, mutation())
                .as((f, o, m) -> m.apply(concat(List.of(ByteBuffer.allocate(4).putInt(f).array(), o))));
    }

    private Arbitrary<byte[]> option() {
        Arbitrary<Long> magic = Arbitraries.frequencyOf(
                Tuple.of(9, Arbitraries.just(Nbd.IHAVEOPT)),
                Tuple.of(1, Arbitraries.longs()));
        Arbitrary<Integer> code = Arbitraries.frequencyOf(
                Tuple.of(8, Arbitraries.of(Nbd.OPT_EXPORT_NAME, Nbd.OPT_ABORT, Nbd.OPT_LIST, Nbd.OPT_STARTTLS,
                        Nbd.OPT_INFO, Nbd.OPT_GO, Nbd.OPT_STRUCTURED_REPLY, Nbd.OPT_LIST_META_CONTEXT, Nbd.OPT_EXTENDED_HEADERS)),
                Tuple.of(2, Arbitraries.integers()));
        Arbitrary<byte[]> data = Arbitraries.oneOf(
                Arbitraries.bytes().array(byte[].class).ofMaxSize(64),
                infoRequest());
        Arbitrary<Integer> lie = Arbitraries.frequencyOf(
                Tuple.of(7, Arbitraries.just(0)),
                Tuple.of(1, Arbitraries.integers().between(-8, 8)),
                Tuple.of(1, Arbitraries.of(4097, Integer.MAX_VALUE, -1, 1 << 20)),
                Tuple.of(1, Arbitraries.integers()));
        return Combinators.combine(magic, code, data, lie).as((m, c, d, l) -> {
            long claimed = l == 0 || Math.abs(l) <= 8 ? d.length + l : Integer.toUnsignedLong(l);
            return ByteBuffer.allocate(16 + d.length).putLong(m).putInt(c).putInt((int) Math.max(0, claimed)).put(d).array();
        });
    }

    /** NBD_OPT_INFO / NBD_OPT_GO data: name length, name, count of info requests, the requests (counts may lie). */
    private Arbitrary<byte[]> infoRequest() {
        Arbitrary<String> name = Arbitraries.strings().ofMaxLength(12);
        Arbitrary<List<Short>> requests = Arbitraries.shorts().list().ofMaxSize(4);
        Arbitrary<Integer> nameLie = Arbitraries.frequencyOf(
                Tuple.of(8, Arbitraries.just(0)), Tuple.of(2, Arbitraries.integers()));
        return Combinators.combine(name, requests, nameLie).as((n, r, lie) -> {
            byte[] bytes = n.getBytes(StandardCharsets.UTF_8);
            ByteBuffer out = ByteBuffer.allocate(4 + bytes.length + 2 + 2 * r.size());
            out.putInt(lie == 0 ? bytes.length : lie).put(bytes).putShort((short) r.size());
            r.forEach(out::putShort);
            return out.array();
        });
    }

    // ---- transmission ------------------------------------------------------------------

    @Provide
    Arbitrary<byte[]> requestStreams() {
        return Combinators.combine(frame().list().ofMinSize(1).ofMaxSize(8).map(HostileFramesIT::concat), mutation())
                .as((frames, m) -> m.apply(frames));
    }

    private Arbitrary<byte[]> frame() {
        Arbitrary<Integer> magic = Arbitraries.frequencyOf(
                Tuple.of(9, Arbitraries.just(Nbd.REQUEST_MAGIC)),
                Tuple.of(1, Arbitraries.integers()));
        Arbitrary<Integer> flags = Arbitraries.frequencyOf(
                Tuple.of(6, Arbitraries.of(0, Nbd.CMD_FLAG_FUA, Nbd.CMD_FLAG_NO_HOLE, Nbd.CMD_FLAG_FUA | Nbd.CMD_FLAG_NO_HOLE)),
                Tuple.of(1, Arbitraries.integers().between(0, 0xffff)));
        Arbitrary<Integer> type = Arbitraries.frequencyOf(
                Tuple.of(8, Arbitraries.of(Nbd.CMD_READ, Nbd.CMD_WRITE, Nbd.CMD_WRITE, Nbd.CMD_FLUSH, Nbd.CMD_TRIM,
                        Nbd.CMD_CACHE, Nbd.CMD_WRITE_ZEROES, Nbd.CMD_BLOCK_STATUS, Nbd.CMD_ENTRUST, Nbd.CMD_DISC)),
                Tuple.of(2, Arbitraries.integers().between(0, 0xffff)));
        Arbitrary<Long> offset = Arbitraries.frequencyOf(
                // Anything that can change data stays below 1 MiB + 1 MiB: under Witness.HOSTILE_LIMIT.
                Tuple.of(6, Arbitraries.longs().between(0, (1 << 20) - 1)),
                Tuple.of(3, Arbitraries.of((long) ServerUnderTest.SIZE, ServerUnderTest.SIZE - 1L,
                        ServerUnderTest.SIZE + 4096L, Long.MAX_VALUE, -1L, Long.MIN_VALUE)),
                Tuple.of(1, Arbitraries.longs().between(1L << 40, Long.MAX_VALUE)));
        Arbitrary<Long> length = Arbitraries.frequencyOf(
                Tuple.of(6, Arbitraries.of(0L, 1L, 511L, 512L, 4096L, 65536L, 1L << 20)),
                Tuple.of(3, Arbitraries.of((long) Nbd.MAX_PAYLOAD, Nbd.MAX_PAYLOAD + 1L, 0xffffffffL, 0x80000000L)),
                Tuple.of(1, Arbitraries.longs().between(Nbd.MAX_PAYLOAD + 2L, 0xffffffffL)));
        Arbitrary<Integer> payloadShare = Arbitraries.of(0, 1, 50, 100, 100, 100);
        return Combinators.combine(magic, flags, type, offset, length, payloadShare, Arbitraries.longs())
                .as((m, f, t, o, l, share, cookie) -> {
                    byte[] header = RawClient.request(m, f, t, cookie, o, l);
                    if (t != Nbd.CMD_WRITE) {
                        return header;
                    }
                    int sent = (int) Math.min(64 * 1024, l * share / 100);
                    byte[] payload = new byte[sent];
                    new java.util.Random(cookie).nextBytes(payload);
                    return concat(List.of(header, payload));
                });
    }

    // ---- mutations of a whole stream ---------------------------------------------------

    /** Nothing, a truncation, junk appended, or a byte repeated: never a change to an offset or length field. */
    private Arbitrary<java.util.function.UnaryOperator<byte[]>> mutation() {
        Arbitrary<java.util.function.UnaryOperator<byte[]>> none = Arbitraries.just(bytes -> bytes);
        Arbitrary<java.util.function.UnaryOperator<byte[]>> truncate = Arbitraries.doubles().between(0, 1)
                .map(share -> bytes -> java.util.Arrays.copyOf(bytes, (int) (bytes.length * share)));
        Arbitrary<java.util.function.UnaryOperator<byte[]>> junk = Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(40)
                .map(tail -> bytes -> concat(List.of(bytes, tail)));
        return Arbitraries.frequencyOf(Tuple.of(4, none), Tuple.of(3, truncate),
                Tuple.of(3, junk));
    }

    private static byte[] concat(List<byte[]> parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        parts.forEach(out::writeBytes);
        return out.toByteArray();
    }
}
