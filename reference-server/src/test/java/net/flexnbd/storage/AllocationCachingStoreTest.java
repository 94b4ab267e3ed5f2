package net.flexnbd.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The caching store over a real sparse file: a learned map answers from memory without a
 * seek, and after every write, trim and zeroing (by a client, or by a migration's writes
 * through {@link EagerWriteback}, also while others map the file) its map is the file's own,
 * as lseek tells it to a store without a cache. Skipped where the file system has no holes.
 */
class AllocationCachingStoreTest {
    private static final int BLOCK = 64 * 1024;
    private static final long BLOCKS = 512;
    private static final long SIZE = BLOCKS * BLOCK;

    @TempDir(factory = TargetTempDir.class)
    Path dir;
    private FileBlockStore file;
    private final AtomicInteger seeks = new AtomicInteger();
    private AllocationCachingStore store;

    @AfterEach
    void close() throws IOException {
        if (file != null) {
            file.close();
        }
    }

    @Test
    void aMappedFileIsAnsweredFromMemoryUntilItChanges() throws IOException {
        open();
        writeData(store, 10L * BLOCK, BLOCK);
        assertThat(store.allocationCached(0, SIZE)).as("nothing learned yet").isNull();

        List<AllocationRun> map = AllocationMap.of(store, 0, SIZE, 1000);
        int seeksToMap = seeks.get();

        assertThat(AllocationMap.cached(store, 0, SIZE, 1000)).isEqualTo(map);
        assertThat(AllocationMap.of(store, 0, SIZE, 1000)).isEqualTo(map);
        assertThat(seeks.get()).as("no seek once learned").isEqualTo(seeksToMap);
        assertThat(store.allocationCached(10L * BLOCK + 5, 10L * BLOCK + 10))
                .isEqualTo(new AllocationRun(10L * BLOCK + 5, 5, false));

        store.trim(10L * BLOCK, BLOCK, false);

        assertThat(AllocationMap.cached(store, 0, SIZE, 1000)).as("the change made it unknown").isNull();
        assertThat(AllocationMap.of(store, 0, SIZE, 1000)).containsExactly(new AllocationRun(0, SIZE, true));
    }

    @Test
    void aMissLearnsTheRunsAheadThatTheRequestCoversSoAWalkOneExtentAtATimeFindsThemKnown() throws IOException {
        open();
        for (long block = 0; block < BLOCKS; block += 4) {
            writeData(store, block * BLOCK, BLOCK); // runs of one block of data, three of hole
        }

        assertThat(AllocationMap.of(store, 0, SIZE, 1)).containsExactly(new AllocationRun(0, BLOCK, false));

        int known = AllocationCachingStore.AHEAD_RUNS;
        assertThat(seeks.get()).isEqualTo(known);
        long at = 0;
        for (int run = 0; run < known; run++) {
            AllocationRun next = store.allocationCached(at, SIZE);
            assertThat(next).as("run %d", run).isEqualTo(new AllocationRun(at, (run % 2 == 0 ? 1 : 3) * (long) BLOCK, run % 2 == 1));
            at = next.end();
        }
        assertThat(store.allocationCached(at, SIZE)).as("no further than %d runs", known).isNull();
        assertThat(store.allocationAt(0, BLOCK)).as("within what the request asked only").isNotNull();
        assertThat(seeks.get()).isEqualTo(known);
    }

    static LongStream seeds() {
        return LongStream.range(1, 11);
    }

    /** Random writes, zero writes, trims and zeroings, each followed by a map from the cache and one from lseek. */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void afterEveryChangeTheMapIsTheFilesOwn(long seed) throws IOException {
        open();
        Random random = new Random(seed);
        BlockStore migration = new EagerWriteback(store);
        for (int step = 0; step < 60; step++) {
            BlockStore by = random.nextBoolean() ? store : migration;
            long offset = random.nextInt((int) BLOCKS - 8) * (long) BLOCK + (random.nextBoolean() ? 0 : random.nextInt(BLOCK));
            int length = 1 + random.nextInt(3 * BLOCK);
            switch (random.nextInt(5)) {
                case 0, 1 -> writeData(by, offset, length);
                case 2 -> by.write(offset, ByteBuffer.allocate(length), false); // zeroes: a hole stays one
                case 3 -> by.trim(offset, length, false);
                default -> by.writeZeroes(offset, length, random.nextBoolean(), false);
            }
            long from = random.nextInt((int) SIZE / 2);
            assertThat(AllocationMap.of(store, from, SIZE, Integer.MAX_VALUE)).as("seed %d step %d", seed, step)
                    .isEqualTo(AllocationMap.of(file, from, SIZE, Integer.MAX_VALUE));
        }
    }

    /** A migration's writes land while clients map the file; once they stop, the map is true. */
    @Test
    void concurrentMigrationWritesLeaveNoStaleRun() throws Exception {
        open();
        BlockStore migration = new EagerWriteback(store);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> mappers = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            Random random = new Random(t);
            mappers.add(new Thread(() -> {
                try {
                    while (!stop.get()) {
                        long from = random.nextInt((int) BLOCKS) * (long) BLOCK;
                        AllocationMap.of(store, from, Math.min(SIZE, from + 16L * BLOCK), 1 + random.nextInt(4));
                    }
                } catch (Throwable e) {
                    failure.set(e);
                }
            }));
        }
        mappers.forEach(Thread::start);
        Random random = new Random(42);
        try {
            for (int i = 0; i < 400; i++) {
                long offset = random.nextInt((int) BLOCKS) * (long) BLOCK;
                if (random.nextInt(3) == 0) {
                    migration.trim(offset, BLOCK, false);
                } else {
                    writeData(migration, offset, BLOCK);
                }
            }
        } finally {
            stop.set(true);
            for (Thread mapper : mappers) {
                mapper.join(TimeUnit.SECONDS.toMillis(60));
            }
        }
        assertThat(failure.get()).isNull();

        assertThat(AllocationMap.of(store, 0, SIZE, Integer.MAX_VALUE)).isEqualTo(AllocationMap.of(file, 0, SIZE, Integer.MAX_VALUE));
    }

    private void open() throws IOException {
        assumeTrue(LinuxFiles.isAvailable(), "native file calls unavailable: " + LinuxFiles.unavailableReason());
        Path path = dir.resolve("disk.img");
        try (RandomAccessFile raf = new RandomAccessFile(path.toFile(), "rw")) {
            raf.setLength(SIZE);
        }
        file = FileBlockStore.open(path);
        assumeTrue(file.allocationAt(0, SIZE).hole(), "file system " + Allocation.fileSystemType(dir) + " reports no holes");
        store = new AllocationCachingStore(new ForwardingStore(file) {
            @Override
            public AllocationRun allocationAt(long offset, long end) throws IOException {
                seeks.incrementAndGet();
                return file.allocationAt(offset, end);
            }
        });
    }

    private static void writeData(BlockStore to, long offset, int length) throws IOException {
        byte[] data = new byte[length];
        Arrays.fill(data, (byte) 0x5a);
        to.write(offset, ByteBuffer.wrap(data), false);
    }
}
