package net.flexnbd.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Data and hole runs from SEEK_DATA/SEEK_HOLE match what was written, on sparse files up to
 * 1 TiB (mapped by a few seeks per run, never a per-block scan). Runs on the build
 * directory's file system; skipped where that cannot hold holes.
 */
class AllocationMapTest {

    private static final long TIB = 1L << 40;
    private static final int BLOCK = 64 * 1024;

    @TempDir(factory = TargetTempDir.class)
    Path dir;
    private FileBlockStore store;

    @AfterEach
    void close() throws IOException {
        if (store != null) {
            store.close();
        }
    }

    @Test
    void aTebibyteSparseFileMapsToItsFewDataRuns() throws IOException {
        open(TIB);
        writeBlocks(List.of(0L, 1L, 2L, TIB / BLOCK / 2, TIB / BLOCK - 1));

        List<AllocationRun> runs = AllocationMap.of(store, 0, TIB, 1000);

        long middle = TIB / 2;
        assertThat(runs).containsExactly(
                new AllocationRun(0, 3 * BLOCK, false),
                new AllocationRun(3 * BLOCK, middle - 3 * BLOCK, true),
                new AllocationRun(middle, BLOCK, false),
                new AllocationRun(middle + BLOCK, TIB - BLOCK - middle - BLOCK, true),
                new AllocationRun(TIB - BLOCK, BLOCK, false));
    }

    @Test
    void runsAreClippedToTheRangeAndCappedInNumber() throws IOException {
        open(64L * BLOCK);
        writeBlocks(List.of(2L, 4L, 6L));

        assertThat(AllocationMap.of(store, 2L * BLOCK + 100, 5L * BLOCK, 1000)).containsExactly(
                new AllocationRun(2L * BLOCK + 100, BLOCK - 100, false),
                new AllocationRun(3L * BLOCK, BLOCK, true),
                new AllocationRun(4L * BLOCK, BLOCK, false));
        assertThat(AllocationMap.of(store, 0, 64L * BLOCK, 2)).containsExactly(
                new AllocationRun(0, 2L * BLOCK, true),
                new AllocationRun(2L * BLOCK, BLOCK, false));
        assertThat(store.allocationAt(7L * BLOCK, 8L * BLOCK)).isEqualTo(new AllocationRun(7L * BLOCK, BLOCK, true));
    }

    @Test
    void oneRunAsksTheStoreForNoMore() throws IOException {
        open(64L * BLOCK);
        writeBlocks(List.of(0L));
        int[] asked = new int[1];
        BlockStore counting = new ForwardingStore(store) {
            @Override
            public AllocationRun allocationAt(long offset, long end) throws IOException {
                asked[0]++;
                return store.allocationAt(offset, end);
            }
        };

        assertThat(AllocationMap.of(counting, 0, 64L * BLOCK, 1)).containsExactly(new AllocationRun(0, BLOCK, false));
        assertThat(asked[0]).as("no look at the run after it").isEqualTo(1);
        assertThat(AllocationMap.cached(counting, 0, 64L * BLOCK, 1)).as("a store that keeps no map").isNull();
    }

    static LongStream seeds() {
        return LongStream.range(1, 21);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void randomBlocksMapExactly(long seed) throws IOException {
        Random random = new Random(seed);
        long blocks = 256;
        open(blocks * BLOCK);
        TreeSet<Long> written = new TreeSet<>();
        for (int i = random.nextInt(40); i > 0; i--) {
            written.add((long) random.nextInt((int) blocks));
        }
        writeBlocks(written);
        long from = random.nextInt(BLOCK * 8);
        long to = blocks * BLOCK - random.nextInt(BLOCK * 8);

        assertThat(AllocationMap.of(store, from, to, Integer.MAX_VALUE)).as("seed %d", seed)
                .isEqualTo(expectedRuns(written, from, to));
    }

    @Test
    void withoutNativeCallsEverythingIsOneDataRun() throws IOException {
        Path file = sparseFile(16L * BLOCK);
        try (FileBlockStore portable = FileBlockStore.open(file, false)) {
            assertThat(AllocationMap.of(portable, 0, 16L * BLOCK, 10))
                    .containsExactly(new AllocationRun(0, 16L * BLOCK, false));
            assertThat(portable.zeroesFast(true)).isFalse();
            portable.cache(0, BLOCK);
        }
    }

    @Test
    void cacheAndFastZeroAnswerOnARealFile() throws IOException {
        open(16L * BLOCK);

        store.cache(0, 16L * BLOCK);

        assertThat(store.zeroesFast(true)).isTrue();
    }

    private static List<AllocationRun> expectedRuns(TreeSet<Long> written, long from, long to) {
        List<AllocationRun> runs = new ArrayList<>();
        long at = from;
        while (at < to) {
            boolean data = written.contains(at / BLOCK);
            long end = (at / BLOCK + 1) * BLOCK;
            while (end < to && written.contains(end / BLOCK) == data) {
                end += BLOCK;
            }
            end = Math.min(end, to);
            runs.add(new AllocationRun(at, end - at, !data));
            at = end;
        }
        return runs;
    }

    private void open(long size) throws IOException {
        assumeTrue(LinuxFiles.isAvailable(), "native file calls unavailable: " + LinuxFiles.unavailableReason());
        store = FileBlockStore.open(sparseFile(size));
        assumeTrue(store.allocationAt(0, size).hole(), "file system " + Allocation.fileSystemType(dir) + " reports no holes");
    }

    private Path sparseFile(long size) throws IOException {
        Path file = dir.resolve("disk-" + size + ".img");
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(size);
        }
        return file;
    }

    private void writeBlocks(Iterable<Long> blocks) throws IOException {
        byte[] data = new byte[BLOCK];
        java.util.Arrays.fill(data, (byte) 0x5a);
        for (long block : blocks) {
            store.write(block * BLOCK, ByteBuffer.wrap(data), false);
        }
    }
}
