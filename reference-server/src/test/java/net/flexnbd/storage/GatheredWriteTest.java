package net.flexnbd.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A write that arrives as several buffers: gathered with one pwritev, or joined first. */
class GatheredWriteTest {

    private static final int MIB = 1 << 20;
    /** 64 KiB in 128 pieces: written one by one, concurrent writers would interleave often. */
    private static final int[] PIECES_OF_512 = new int[128];

    static {
        Arrays.fill(PIECES_OF_512, 512);
    }

    @TempDir(factory = TargetTempDir.class)
    Path dir;

    @ParameterizedTest(name = "native {0}, direct {1}")
    @CsvSource({"true, true", "true, false", "false, true"})
    void piecesLandInOrderAsOneWrite(boolean useNative, boolean direct) throws IOException {
        byte[] data = randomBytes(256 * 1024 + 4096, 7);
        try (FileBlockStore store = FileBlockStore.open(file(4 * MIB), useNative)) {
            ByteBuffer[] pieces = pieces(data, direct, 1, 65536, 4096, 100_000, 3);

            store.write(MIB + 512, pieces, false);

            assertThat(pieces).allSatisfy(piece -> assertThat(piece.hasRemaining()).isFalse());
            assertThat(read(store, MIB + 512, data.length)).isEqualTo(data);
            assertThat(read(store, MIB, 512)).containsOnly(0);
        }
    }

    @Test
    void piecesAreTakenFromTheirPositionToTheirLimit() throws IOException {
        try (FileBlockStore store = FileBlockStore.open(file(MIB))) {
            ByteBuffer a = ByteBuffer.allocateDirect(16);
            ByteBuffer b = ByteBuffer.allocateDirect(16);
            for (int i = 0; i < 16; i++) {
                a.put((byte) (i + 1));
                b.put((byte) (i + 101));
            }
            a.position(4).limit(8);
            b.position(0).limit(2);

            store.write(4096, new ByteBuffer[] {a, b}, true);

            assertThat(read(store, 4096, 7)).containsExactly(5, 6, 7, 8, 101, 102, 0);
            assertThat(a.position()).isEqualTo(8);
            assertThat(b.position()).isEqualTo(2);
        }
    }

    @Test
    void morePiecesThanOneCallTakesAreJoinedAndStillLand() throws IOException {
        byte[] data = randomBytes((LinuxFiles.IOV_MAX + 1) * 512, 9);
        try (FileBlockStore store = FileBlockStore.open(file(2 * MIB))) {
            int[] sizes = new int[LinuxFiles.IOV_MAX + 1];
            Arrays.fill(sizes, 512);

            store.write(0, pieces(data, true, sizes), false);

            assertThat(read(store, 0, data.length)).isEqualTo(data);
        }
    }

    @Test
    void zeroPiecesIntoAHoleLeaveTheHole() throws IOException {
        assumeTrue(LinuxFiles.isAvailable());
        Path file = dir.resolve("sparse.img");
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(64L * MIB);
        }
        assumeTrue(Allocation.allocatedBytes(file) <= 64 * 1024, "no sparse files here");
        try (FileBlockStore store = FileBlockStore.open(file)) {
            ByteBuffer[] zeroes = pieces(new byte[8 * MIB], true, MIB, 3 * MIB, 4 * MIB);

            store.write(16L * MIB, zeroes, true);

            assertThat(zeroes).allSatisfy(piece -> assertThat(piece.hasRemaining()).isFalse());
        }
        assertThat(Allocation.allocatedBytes(file)).isLessThanOrEqualTo(64 * 1024);
    }

    /** The guarantee ConcurrentWritesIT shows through the server, here on the store alone. */
    @Test
    void concurrentGatheredWritesToOneBlockLeaveOneOfThemWhole() throws Exception {
        int writers = 4;
        int rounds = 1000;
        try (FileBlockStore store = FileBlockStore.open(file(MIB))) {
            ExecutorService pool = Executors.newFixedThreadPool(writers);
            CyclicBarrier start = new CyclicBarrier(writers + 1);
            CyclicBarrier done = new CyclicBarrier(writers + 1);
            try {
                List<Future<?>> running = new ArrayList<>();
                for (int w = 0; w < writers; w++) {
                    byte fill = (byte) (w + 1);
                    running.add(pool.submit(() -> {
                        byte[] payload = new byte[64 * 1024];
                        Arrays.fill(payload, fill);
                        for (int round = 0; round < rounds; round++) {
                            ByteBuffer[] pieces = pieces(payload, true, PIECES_OF_512);
                            start.await(10, TimeUnit.SECONDS);
                            store.write(8192, pieces, false);
                            done.await(10, TimeUnit.SECONDS);
                        }
                        return null;
                    }));
                }
                int mixed = 0;
                for (int round = 0; round < rounds; round++) {
                    start.await(10, TimeUnit.SECONDS);
                    done.await(10, TimeUnit.SECONDS);
                    byte[] block = read(store, 8192, 64 * 1024);
                    byte first = block[0];
                    for (byte b : block) {
                        if (b != first) {
                            mixed++;
                            break;
                        }
                    }
                }
                for (Future<?> writer : running) {
                    writer.get(10, TimeUnit.SECONDS);
                }
                assertThat(mixed).as("rounds out of %d that left a mix of several writes", rounds).isZero();
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void aFailedGatherNamesTheCallAndTheErrno() {
        assumeTrue(LinuxFiles.isAvailable());
        ByteBuffer[] pieces = pieces(new byte[] {1, 2, 3, 4}, true, 2, 2);

        assertThatThrownBy(() -> LinuxFiles.pwritevFully(-1, pieces, 4096))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(ErrnoException.EBADF))
                .hasMessageContaining("pwritev")
                .hasMessageContaining("2 buffers")
                .hasMessageContaining("offset 4096");
    }

    /** {@code data} cut into pieces of {@code sizes} (the last one takes the rest). */
    private static ByteBuffer[] pieces(byte[] data, boolean direct, int... sizes) {
        List<ByteBuffer> pieces = new ArrayList<>();
        int at = 0;
        for (int i = 0; i < sizes.length && at < data.length; i++) {
            int size = i == sizes.length - 1 ? data.length - at : Math.min(sizes[i], data.length - at);
            ByteBuffer piece = direct ? ByteBuffer.allocateDirect(size) : ByteBuffer.allocate(size);
            piece.put(data, at, size).flip();
            pieces.add(piece);
            at += size;
        }
        return pieces.toArray(ByteBuffer[]::new);
    }

    private Path file(long length) throws IOException {
        Path file = Files.createTempFile(dir, "disk", ".img");
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(length);
        }
        return file;
    }

    private static byte[] read(FileBlockStore store, long offset, int length) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(length);
        store.read(offset, buf);
        return buf.array();
    }

    private static byte[] randomBytes(int length, long seed) {
        byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        bytes[0] = 1;
        return bytes;
    }
}
