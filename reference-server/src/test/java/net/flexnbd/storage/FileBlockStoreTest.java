package net.flexnbd.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Opening, sizing, reading and writing a file through {@link FileBlockStore}. */
class FileBlockStoreTest {

    @TempDir(factory = TargetTempDir.class)
    Path dir;

    @Test
    void aMissingFileIsNamedInTheError() {
        Path missing = dir.resolve("no-such.img");

        assertThatThrownBy(() -> FileBlockStore.open(missing))
                .isInstanceOf(NoSuchFileException.class)
                .hasMessageContaining(missing.toString())
                .hasMessageContaining("does not exist");
    }

    @Test
    void aDirectoryIsRefused() {
        assertThatThrownBy(() -> FileBlockStore.open(dir))
                .isInstanceOf(FileSystemException.class)
                .hasMessageContaining(dir.toString())
                .hasMessageContaining("not a regular file");
    }

    @Test
    void anUnwritableFileIsRefused() throws Exception {
        Path file = createFile(4096);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("r--r--r--"));
        boolean immutable = false;
        if (Files.isWritable(file)) { // root ignores permissions; an immutable file stops it
            immutable = run("chattr", "+i", file.toString());
            assumeTrue(immutable, "cannot make a file unwritable for root here (chattr +i failed)");
        }
        try {
            assertThatThrownBy(() -> FileBlockStore.open(file))
                    .isInstanceOf(FileSystemException.class)
                    .hasMessageContaining(file.toString())
                    .hasMessageContaining("for reading and writing");
        } finally {
            if (immutable) {
                run("chattr", "-i", file.toString());
            }
        }
    }

    @ParameterizedTest
    @CsvSource({"0, 0", "511, 0", "512, 512", "1000, 512", "1048575, 1048064", "1048576, 1048576"})
    void sizeIsTheFileLengthRoundedDownTo512(long length, long served) throws IOException {
        try (FileBlockStore store = FileBlockStore.open(createFile(length))) {
            assertThat(store.size()).isEqualTo(served);
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void dataWrittenAtOddOffsetsReadsBackIdentical(boolean useNative) throws IOException {
        Path file = createFile(4L << 20);
        long[] offsets = {1, 513, 4095, 65_537, 1_000_003, (4L << 20) - 7};
        int[] lengths = {7, 1000, 8193, 3, 131_071, 7};
        try (FileBlockStore store = FileBlockStore.open(file, useNative)) {
            for (int i = 0; i < offsets.length; i++) {
                ByteBuffer src = i % 2 == 0 ? ByteBuffer.allocateDirect(lengths[i]) : ByteBuffer.allocate(lengths[i]);
                src.put(randomBytes(lengths[i], i)).flip();
                store.write(offsets[i], src, false);
                assertThat(src.hasRemaining()).isFalse();
            }
            for (int i = 0; i < offsets.length; i++) {
                assertThat(read(store, offsets[i], lengths[i], i % 2 != 0)).isEqualTo(randomBytes(lengths[i], i));
            }
        }
        byte[] onDisk = Files.readAllBytes(file);
        for (int i = 0; i < offsets.length; i++) {
            int at = (int) offsets[i];
            assertThat(Arrays.copyOfRange(onDisk, at, at + lengths[i])).isEqualTo(randomBytes(lengths[i], i));
        }
        assertThat(onDisk[0]).isZero();
        assertThat(onDisk[8]).isZero();
    }

    @Test
    void buffersAreUsedFromTheirPositionToTheirLimit() throws IOException {
        try (FileBlockStore store = FileBlockStore.open(createFile(8192))) {
            ByteBuffer src = ByteBuffer.allocate(100);
            src.put(randomBytes(100, 9)).position(10).limit(60);
            store.write(1000, src, false);
            assertThat(src.position()).isEqualTo(60);

            ByteBuffer dst = ByteBuffer.allocateDirect(100).position(20).limit(70);
            store.read(1000, dst);

            assertThat(dst.position()).isEqualTo(70);
            byte[] got = new byte[50];
            dst.get(20, got);
            assertThat(got).isEqualTo(Arrays.copyOfRange(randomBytes(100, 9), 10, 60));
        }
    }

    @Test
    void bytesBeyondAFileTruncatedUnderneathReadAsZeroes() throws IOException {
        Path file = createFile(8192);
        try (FileBlockStore store = FileBlockStore.open(file)) {
            store.write(0, ByteBuffer.wrap(randomBytes(8192, 10)), false);
            try (FileChannel other = FileChannel.open(file, StandardOpenOption.WRITE)) {
                other.truncate(4096);
            }
            ByteBuffer dst = ByteBuffer.allocate(8192);
            Arrays.fill(dst.array(), (byte) 0x55);

            store.read(0, dst);

            assertThat(dst.hasRemaining()).isFalse();
            assertThat(Arrays.copyOf(dst.array(), 4096)).isEqualTo(Arrays.copyOf(randomBytes(8192, 10), 4096));
            assertThat(Zeroes.isAllZero(dst.position(4096))).isTrue();
        }
    }

    @Test
    void durableWritesZeroesAndFlushSucceedAndPersist() throws IOException {
        Path file = createFile(1 << 20);
        try (FileBlockStore store = FileBlockStore.open(file)) {
            store.write(4096, ByteBuffer.wrap(randomBytes(8192, 11)), true);
            store.writeZeroes(8192, 512, false, true);
            store.trim(0, 4096, true);
            store.flush();
        }
        byte[] expected = randomBytes(8192, 11);
        Arrays.fill(expected, 4096, 4608, (byte) 0);
        assertThat(Arrays.copyOfRange(Files.readAllBytes(file), 4096, 4096 + 8192)).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({"true, true", "true, false", "false, true", "false, false"})
    void zeroingAndTrimmingMakeDataReadAsZeroes(boolean useNative, boolean mayPunch) throws IOException {
        Path file = createFile(4L << 20);
        try (FileBlockStore store = FileBlockStore.open(file, useNative)) {
            store.write(0, ByteBuffer.wrap(randomBytes(4 << 20, 12)), false);

            store.writeZeroes(100, 3_000_000, mayPunch, false);
            store.trim(3_500_001, 4096, false);

            byte[] expected = randomBytes(4 << 20, 12);
            Arrays.fill(expected, 100, 3_000_100, (byte) 0);
            Arrays.fill(expected, 3_500_001, 3_504_097, (byte) 0);
            assertThat(read(store, 0, 4 << 20, true)).isEqualTo(expected);
        }
    }

    @Test
    void fallbackZeroesWrittenIntoAHoleStillReadAsZeroes() throws IOException {
        try (FileBlockStore store = FileBlockStore.open(createFile(1 << 20), false)) {
            store.write(512, ByteBuffer.allocate(4096), false);
            store.writeZeroes(0, 1 << 20, true, false);

            assertThat(Zeroes.isAllZero(ByteBuffer.wrap(read(store, 0, 1 << 20, false)))).isTrue();
        }
    }

    @Test
    void aFileOnAnotherFileSystemIsServedWithoutNativeCalls() throws IOException {
        try (FileSystem fs = Jimfs.newFileSystem(Configuration.unix())) {
            Path file = fs.getPath("/disk.img");
            Files.write(file, new byte[10_000]);
            try (FileBlockStore store = FileBlockStore.open(file)) {
                store.write(777, ByteBuffer.wrap(randomBytes(5000, 13)), true);
                store.trim(1000, 512, false);
                List<long[]> extents = new ArrayList<>();
                store.forEachDataExtent(0, store.size(), (o, l) -> extents.add(new long[] {o, l}));

                assertThat(store.size()).isEqualTo(9728);
                byte[] expected = randomBytes(5000, 13);
                Arrays.fill(expected, 1000 - 777, 1512 - 777, (byte) 0);
                assertThat(read(store, 777, 5000, false)).isEqualTo(expected);
                assertThat(extents).containsExactly(new long[] {0, 9728});
            }
        }
    }

    @Test
    void aClosedStoreRefusesWorkAndClosesTwiceQuietly() throws IOException {
        FileBlockStore store = FileBlockStore.open(createFile(1 << 20));
        store.close();
        store.close();

        assertThatThrownBy(() -> store.read(0, ByteBuffer.allocate(512))).isInstanceOf(ClosedChannelException.class);
        assertThatThrownBy(() -> store.write(0, ByteBuffer.allocate(512).put(0, (byte) 1), false))
                .isInstanceOf(ClosedChannelException.class);
        assertThatThrownBy(() -> store.trim(0, 512, false)).isInstanceOf(ClosedChannelException.class);
        assertThatThrownBy(() -> store.forEachDataExtent(0, 512, (o, l) -> { }))
                .isInstanceOf(ClosedChannelException.class);
    }

    @Test
    void manyThreadsWritingTheirOwnRangesAllLand() throws Exception {
        int threads = 4;
        int blocksEach = 256;
        int block = 4096;
        Path file = createFile((long) threads * blocksEach * block);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try (FileBlockStore store = FileBlockStore.open(file)) {
            List<Callable<Void>> jobs = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                jobs.add(() -> {
                    ByteBuffer buf = ByteBuffer.allocateDirect(block);
                    for (int i = 0; i < blocksEach; i++) {
                        long b = (long) i * threads + thread; // interleaved blocks
                        buf.clear();
                        buf.put(randomBytes(block, b)).flip();
                        store.write(b * block, buf, i % 64 == 0);
                    }
                    return null;
                });
            }
            for (Future<Void> f : pool.invokeAll(jobs)) {
                f.get();
            }
            for (long b = 0; b < (long) threads * blocksEach; b++) {
                assertThat(read(store, b * block, block, b % 2 == 0)).isEqualTo(randomBytes(block, b));
            }
        } finally {
            pool.shutdown();
        }
    }

    private Path createFile(long length) throws IOException {
        Path file = Files.createTempFile(dir, "disk", ".img");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(0);
            if (length > 0) {
                ch.write(ByteBuffer.allocate(1), length - 1);
            }
        }
        return file;
    }

    private static byte[] read(FileBlockStore store, long offset, int length, boolean direct) throws IOException {
        ByteBuffer buf = direct ? ByteBuffer.allocateDirect(length) : ByteBuffer.allocate(length);
        store.read(offset, buf);
        assertThat(buf.hasRemaining()).isFalse();
        byte[] bytes = new byte[length];
        buf.flip().get(bytes);
        return bytes;
    }

    private static byte[] randomBytes(int length, long seed) {
        byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        bytes[0] = 1; // never all zero, even by chance
        return bytes;
    }

    private static boolean run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor() == 0;
    }
}
