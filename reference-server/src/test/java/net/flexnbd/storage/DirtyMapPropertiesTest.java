package net.flexnbd.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.LongStream;
import net.flexnbd.testing.Gen;
import net.flexnbd.testing.Seeds;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Draining yields exactly the blocks marked, as ordered, disjoint, maximal runs, also while
 * other threads keep marking.
 */
class DirtyMapPropertiesTest {

    /** One generated case: a map's geometry, the marks made, and the drain's run limit. */
    record Scenario(long size, int blockSize, long maxRunBytes, List<long[]> marks) {
        @Override
        public String toString() {
            StringBuilder s = new StringBuilder("size=" + size + " block=" + blockSize + " maxRun=" + maxRunBytes + " marks=");
            marks.forEach(m -> s.append('[').append(m[0]).append(',').append(m[1]).append(']'));
            return s.toString();
        }
    }

    static Scenario scenario(Gen gen) {
        long size = gen.weighted(1, 5) == 0 ? gen.pickLong(0, 512, 4096, 64L * 4096) : gen.between(0, 3L << 20);
        int blockSize = gen.pickInt(512, 1024, 4096, 65536);
        int runBlocks = gen.between(1, 300);
        List<long[]> marks = gen.list(0, 30, () -> {
            long offset = gen.between(0, size);
            return new long[] {offset, gen.between(0, Math.min(size - offset, 1L << 20))};
        });
        return new Scenario(size, blockSize, (long) runBlocks * blockSize + runBlocks % 7, marks);
    }

    static LongStream drainSeeds() {
        return Seeds.of("DirtyMapPropertiesTest.drain", 500);
    }

    static LongStream concurrentSeeds() {
        return Seeds.of("DirtyMapPropertiesTest.concurrent", 15);
    }

    @ParameterizedTest(name = Seeds.NAME)
    @MethodSource("drainSeeds")
    void drainingYieldsExactlyTheMarkedBlocks(long seed) throws IOException {
        Scenario s = scenario(Gen.of(seed));
        DirtyMap map = new DirtyMap(s.size(), s.blockSize());
        BitSet expected = new BitSet();
        for (long[] m : s.marks()) {
            map.markDirty(m[0], m[1]);
            if (m[1] > 0) {
                expected.set((int) (m[0] / s.blockSize()), (int) ((m[0] + m[1] - 1) / s.blockSize()) + 1);
            }
        }
        long expectedBytes = bytesOf(expected, s.size(), s.blockSize());
        assertThat(map.dirtyBytes()).isEqualTo(expectedBytes);

        List<long[]> runs = DirtyMapTest.drain(map, s.maxRunBytes());

        long maxRunBlocks = s.maxRunBytes() / s.blockSize();
        BitSet drained = new BitSet();
        long previousEnd = -1;
        long total = 0;
        for (long[] run : runs) {
            long offset = run[0];
            long length = run[1];
            assertThat(length).isPositive().isLessThanOrEqualTo(maxRunBlocks * s.blockSize());
            assertThat(offset % s.blockSize()).isZero();
            assertThat(offset).isGreaterThanOrEqualTo(previousEnd);
            assertThat(offset + length).isLessThanOrEqualTo(s.size());
            if (offset == previousEnd) { // touching runs only where the previous one hit the limit
                assertThat(runs.get(runs.indexOf(run) - 1)[1]).isEqualTo(maxRunBlocks * s.blockSize());
            }
            boolean clippedAtEnd = offset + length == s.size();
            assertThat(length % s.blockSize() == 0 || clippedAtEnd).isTrue();
            drained.set((int) (offset / s.blockSize()), (int) ((offset + length - 1) / s.blockSize()) + 1);
            previousEnd = offset + length;
            total += length;
        }
        assertThat(drained).isEqualTo(expected);
        assertThat(total).isEqualTo(expectedBytes);
        assertThat(map.dirtyBytes()).isZero();
        assertThat(DirtyMapTest.drain(map, s.maxRunBytes())).isEmpty();
    }

    @ParameterizedTest(name = Seeds.NAME)
    @MethodSource("concurrentSeeds")
    void marksMadeWhileDrainingAreNeverLost(long seed) throws Exception {
        Gen gen = Gen.of(seed);
        int threads = gen.between(2, 4);
        int maxRunBlocks = gen.between(1, 64);
        int blockSize = 512;
        int blocks = 5000;
        long size = (long) blocks * blockSize;
        DirtyMap map = new DirtyMap(size, blockSize);
        BitSet[] marked = new BitSet[threads];
        CountDownLatch start = new CountDownLatch(1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> markers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            BitSet mine = new BitSet();
            marked[t] = mine;
            Random random = new Random(seed + t);
            Thread marker = new Thread(() -> {
                try {
                    start.await();
                    for (int i = 0; i < 20_000; i++) {
                        int first = random.nextInt(blocks);
                        int count = 1 + random.nextInt(Math.min(blocks - first, 100));
                        map.markDirty((long) first * blockSize + random.nextInt(blockSize / 2),
                                (long) (count - 1) * blockSize + 1);
                        mine.set(first, first + count);
                    }
                } catch (Throwable e) {
                    failure.set(e);
                }
            });
            marker.start();
            markers.add(marker);
        }

        BitSet drained = new BitSet();
        DirtyMap.RunVisitor collect = (offset, length) ->
                drained.set((int) (offset / blockSize), (int) ((offset + length - 1) / blockSize) + 1);
        start.countDown();
        while (markers.stream().anyMatch(Thread::isAlive)) {
            map.drainRuns((long) maxRunBlocks * blockSize, collect);
        }
        for (Thread marker : markers) {
            marker.join();
        }
        map.drainRuns((long) maxRunBlocks * blockSize, collect);

        assertThat(failure.get()).isNull();
        BitSet all = new BitSet();
        for (BitSet mine : marked) {
            all.or(mine);
        }
        assertThat(drained).isEqualTo(all);
        assertThat(map.dirtyBytes()).isZero();
    }

    private static long bytesOf(BitSet blocks, long size, int blockSize) {
        long bytes = 0;
        for (int b = blocks.nextSetBit(0); b >= 0; b = blocks.nextSetBit(b + 1)) {
            bytes += Math.min(blockSize, size - (long) b * blockSize);
        }
        return bytes;
    }
}
