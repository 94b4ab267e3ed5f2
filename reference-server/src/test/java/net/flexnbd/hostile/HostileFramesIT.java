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
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.UnaryOperator;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import net.flexnbd.protocol.Nbd;
import net.flexnbd.testing.Gen;
import net.flexnbd.testing.Seeds;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

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

    @BeforeAll
    static void start() throws IOException {
        directory = Files.createTempDirectory("hostile-frames-");
        server = ServerUnderTest.serve(directory);
        witness = new Witness(server.address());
        witness.check();
        baseline = Memory.buffers();
    }

    @AfterAll
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

    static LongStream seeds() {
        return Seeds.of("HostileFramesIT", 200);
    }

    @ParameterizedTest(name = Seeds.NAME)
    @MethodSource("seeds")
    void optionHagglingNeverHurtsTheServer(long seed) throws IOException {
        byte[] stream = handshakeStream(Gen.of(seed));
        try (RawClient hostile = RawClient.connect(server.address(), TIMEOUT)) {
            sendQuietly(hostile, stream);
            hostile.finish();
        }
        afterBurst();
    }

    @ParameterizedTest(name = Seeds.NAME)
    @MethodSource("seeds")
    void requestFramesNeverHurtTheServer(long seed) throws IOException {
        byte[] stream = requestStream(Gen.of(seed));
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

    private static byte[] handshakeStream(Gen gen) {
        int flags = gen.weighted(6, 1) == 0
                ? gen.pickInt(Nbd.FLAG_C_FIXED_NEWSTYLE | Nbd.FLAG_C_NO_ZEROES, Nbd.FLAG_C_FIXED_NEWSTYLE)
                : gen.anyInt();
        byte[] options = concat(gen.list(0, 6, () -> option(gen)));
        return mutation(gen).apply(concat(List.of(ByteBuffer.allocate(4).putInt(flags).array(), options)));
    }

    private static byte[] option(Gen gen) {
        long magic = gen.weighted(9, 1) == 0 ? Nbd.IHAVEOPT : gen.anyLong();
        int code = gen.weighted(8, 2) == 0
                ? gen.pickInt(Nbd.OPT_EXPORT_NAME, Nbd.OPT_ABORT, Nbd.OPT_LIST, Nbd.OPT_STARTTLS, Nbd.OPT_INFO, Nbd.OPT_GO,
                        Nbd.OPT_STRUCTURED_REPLY, Nbd.OPT_LIST_META_CONTEXT, Nbd.OPT_EXTENDED_HEADERS)
                : gen.anyInt();
        byte[] data = gen.bool() ? gen.bytes(64) : infoRequest(gen);
        int lie = switch (gen.weighted(7, 1, 1, 1)) {
            case 0 -> 0;
            case 1 -> gen.between(-8, 8);
            case 2 -> gen.pickInt(4097, Integer.MAX_VALUE, -1, 1 << 20);
            default -> gen.anyInt();
        };
        long claimed = lie == 0 || Math.abs(lie) <= 8 ? data.length + lie : Integer.toUnsignedLong(lie);
        return ByteBuffer.allocate(16 + data.length).putLong(magic).putInt(code).putInt((int) Math.max(0, claimed)).put(data).array();
    }

    /** NBD_OPT_INFO / NBD_OPT_GO data: name length, name, count of info requests, the requests (counts may lie). */
    private static byte[] infoRequest(Gen gen) {
        byte[] name = gen.string(12).getBytes(StandardCharsets.UTF_8);
        List<Short> requests = gen.list(0, 4, gen::anyShort);
        int nameLie = gen.weighted(8, 2) == 0 ? 0 : gen.anyInt();
        ByteBuffer out = ByteBuffer.allocate(4 + name.length + 2 + 2 * requests.size());
        out.putInt(nameLie == 0 ? name.length : nameLie).put(name).putShort((short) requests.size());
        requests.forEach(out::putShort);
        return out.array();
    }

    // ---- transmission ------------------------------------------------------------------

    private static byte[] requestStream(Gen gen) {
        return mutation(gen).apply(concat(gen.list(1, 8, () -> frame(gen))));
    }

    private static byte[] frame(Gen gen) {
        int magic = gen.weighted(9, 1) == 0 ? Nbd.REQUEST_MAGIC : gen.anyInt();
        int flags = gen.weighted(6, 1) == 0
                ? gen.pickInt(0, Nbd.CMD_FLAG_FUA, Nbd.CMD_FLAG_NO_HOLE, Nbd.CMD_FLAG_FUA | Nbd.CMD_FLAG_NO_HOLE)
                : gen.between(0, 0xffff);
        int type = gen.weighted(8, 2) == 0
                ? gen.pickInt(Nbd.CMD_READ, Nbd.CMD_WRITE, Nbd.CMD_WRITE, Nbd.CMD_FLUSH, Nbd.CMD_TRIM,
                        Nbd.CMD_CACHE, Nbd.CMD_WRITE_ZEROES, Nbd.CMD_BLOCK_STATUS, Nbd.CMD_ENTRUST, Nbd.CMD_DISC)
                : gen.between(0, 0xffff);
        long offset = switch (gen.weighted(6, 3, 1)) {
            // Anything that can change data stays below 1 MiB + 1 MiB: under Witness.HOSTILE_LIMIT.
            case 0 -> gen.between(0, (1 << 20) - 1);
            case 1 -> gen.pickLong(ServerUnderTest.SIZE, ServerUnderTest.SIZE - 1L, ServerUnderTest.SIZE + 4096L,
                    Long.MAX_VALUE, -1L, Long.MIN_VALUE);
            default -> gen.between(1L << 40, Long.MAX_VALUE);
        };
        long length = switch (gen.weighted(6, 3, 1)) {
            case 0 -> gen.pickLong(0L, 1L, 511L, 512L, 4096L, 65536L, 1L << 20);
            case 1 -> gen.pickLong(Nbd.MAX_PAYLOAD, Nbd.MAX_PAYLOAD + 1L, 0xffffffffL, 0x80000000L);
            default -> gen.between(Nbd.MAX_PAYLOAD + 2L, 0xffffffffL);
        };
        int payloadShare = gen.pickInt(0, 1, 50, 100, 100, 100);
        long cookie = gen.anyLong();
        byte[] header = RawClient.request(magic, flags, type, cookie, offset, length);
        if (type != Nbd.CMD_WRITE) {
            return header;
        }
        byte[] payload = new byte[(int) Math.min(64 * 1024, length * payloadShare / 100)];
        new Random(cookie).nextBytes(payload);
        return concat(List.of(header, payload));
    }

    // ---- mutations of a whole stream ---------------------------------------------------

    /** Nothing, a truncation, or junk appended: never a change to an offset or length field. */
    private static UnaryOperator<byte[]> mutation(Gen gen) {
        return switch (gen.weighted(4, 3, 3)) {
            case 0 -> bytes -> bytes;
            case 1 -> {
                double share = gen.fraction();
                yield bytes -> Arrays.copyOf(bytes, (int) (bytes.length * share));
            }
            default -> {
                byte[] tail = gen.bytes(1, 40);
                yield bytes -> concat(List.of(bytes, tail));
            }
        };
    }

    private static byte[] concat(List<byte[]> parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        parts.forEach(out::writeBytes);
        return out.toByteArray();
    }
}
