package net.flexnbd.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * What the cache learns and forgets: known runs answer, changes make the runs near them
 * unknown, and an answer that the store gave before a change is never remembered after it,
 * also when learners and writers race (against a model file of blocks).
 */
class AllocationCacheTest {
    private static final long MIB = 1 << 20;

    private final AllocationCache cache = new AllocationCache();

    @Test
    void aLearnedRunAnswersFromAnyOffsetInItClippedToTheEnd() {
        cache.learn(new AllocationRun(10 * MIB, 5 * MIB, true), cache.generation());

        assertThat(cache.lookup(10 * MIB, 100 * MIB)).isEqualTo(new AllocationRun(10 * MIB, 5 * MIB, true));
        assertThat(cache.lookup(12 * MIB, 13 * MIB)).isEqualTo(new AllocationRun(12 * MIB, MIB, true));
        assertThat(cache.lookup(15 * MIB, 20 * MIB)).as("just past it").isNull();
        assertThat(cache.lookup(9 * MIB, 20 * MIB)).as("just before it").isNull();
    }

    @Test
    void adjacentRunsOfOneKindMergeAndOfTwoKindsStayApart() {
        long now = cache.generation();
        cache.learn(new AllocationRun(0, MIB, false), now);
        cache.learn(new AllocationRun(2 * MIB, MIB, false), now);
        cache.learn(new AllocationRun(MIB, MIB, false), now);
        cache.learn(new AllocationRun(3 * MIB, 4 * MIB, true), now);

        assertThat(cache.lookup(0, 100 * MIB)).isEqualTo(new AllocationRun(0, 3 * MIB, false));
        assertThat(cache.lookup(3 * MIB, 100 * MIB)).isEqualTo(new AllocationRun(3 * MIB, 4 * MIB, true));
        assertThat(cache.size()).isEqualTo(2);
    }

    @Test
    void aChangeForgetsEveryRunNearItAndNothingFarAway() {
        long now = cache.generation();
        cache.learn(new AllocationRun(0, 64 * MIB, true), now);
        cache.learn(new AllocationRun(64 * MIB, MIB, false), now);
        cache.learn(new AllocationRun(65 * MIB, 63 * MIB, true), now);
        cache.learn(new AllocationRun(200 * MIB, MIB, false), now);

        cache.changed(64 * MIB + 4096, 512);

        assertThat(cache.lookup(0, MIB)).as("the hole that ends next to the change").isNull();
        assertThat(cache.lookup(64 * MIB, 65 * MIB)).isNull();
        assertThat(cache.lookup(100 * MIB, 101 * MIB)).as("the hole that starts next to it").isNull();
        assertThat(cache.lookup(200 * MIB, 300 * MIB)).isEqualTo(new AllocationRun(200 * MIB, MIB, false));
    }

    @Test
    void aChangeWithinTheMarginOfARunForgetsIt() {
        cache.learn(new AllocationRun(10 * MIB, MIB, false), cache.generation());

        cache.changed(11 * MIB + AllocationCache.CHANGE_MARGIN - 1, 1);

        assertThat(cache.lookup(10 * MIB, 11 * MIB)).isNull();
    }

    @Test
    void anAnswerFromBeforeAChangeIsNotLearned() {
        long before = cache.generation();
        cache.changed(500 * MIB, 4096); // far from the run: only the generation tells

        cache.learn(new AllocationRun(0, MIB, true), before);

        assertThat(cache.lookup(0, MIB)).isNull();
        cache.learn(new AllocationRun(0, MIB, true), cache.generation());
        assertThat(cache.lookup(0, MIB)).isNotNull();
    }

    @Test
    void tooManyRunsAreAllForgottenAndLearningGoesOn() {
        long now = cache.generation();
        for (int i = 0; i < AllocationCache.MAX_RUNS; i++) {
            cache.learn(new AllocationRun(2L * i * 4096, 4096, i % 2 == 0), now);
        }
        assertThat(cache.size()).isEqualTo(AllocationCache.MAX_RUNS);

        cache.learn(new AllocationRun(1L << 40, 4096, false), now);

        assertThat(cache.size()).isEqualTo(1);
        assertThat(cache.lookup(0, 4096)).isNull();
        assertThat(cache.lookup(1L << 40, (1L << 40) + 4096)).isNotNull();
    }

    /**
     * Writers change a model file's blocks and report each change once it is made, as the
     * store does; learners read the generation, look at the model (slowly, as lseek may
     * wait for the inode) and offer the run. Whenever nothing is changing, every run the
     * cache knows is what the model holds.
     */
    @Test
    void racingLearnersAndWritersNeverLeaveAStaleRun() throws Exception {
        ModelFile file = new ModelFile(1024);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 3; t++) {
            long seed = t;
            threads.add(new Thread(() -> learn(file, new Random(seed), stop, failure)));
        }
        CountDownLatch writersDone = new CountDownLatch(2);
        for (int t = 0; t < 2; t++) {
            long seed = 100 + t;
            threads.add(new Thread(() -> {
                try {
                    Random random = new Random(seed);
                    for (int i = 0; i < 20_000; i++) {
                        int block = random.nextInt(file.blocks());
                        int count = 1 + random.nextInt(4);
                        file.set(block, count, random.nextBoolean());
                        cache.changed(block * ModelFile.BLOCK, count * ModelFile.BLOCK);
                    }
                } finally {
                    writersDone.countDown();
                }
            }));
        }
        threads.forEach(Thread::start);
        assertThat(writersDone.await(60, TimeUnit.SECONDS)).isTrue();
        stop.set(true);
        for (Thread thread : threads) {
            thread.join(TimeUnit.SECONDS.toMillis(60));
        }
        assertThat(failure.get()).isNull();

        for (int block = 0; block < file.blocks(); block++) {
            long offset = block * ModelFile.BLOCK;
            AllocationRun known = cache.lookup(offset, offset + ModelFile.BLOCK);
            if (known != null) {
                assertThat(known.hole()).as("block %d", block).isEqualTo(!file.isData(block));
            }
        }
    }

    private void learn(ModelFile file, Random random, AtomicBoolean stop, AtomicReference<Throwable> failure) {
        try {
            while (!stop.get()) {
                long since = cache.generation();
                AllocationRun answer = file.runAt(random.nextInt(file.blocks()));
                if (random.nextBoolean()) {
                    Thread.yield(); // slow to offer the answer: the window in which a change may come
                }
                cache.learn(answer, since);
            }
        } catch (Throwable e) {
            failure.set(e);
        }
    }

    /** Blocks of data or hole; {@link #runAt} answers like lseek, with the run's true end. */
    private static final class ModelFile {
        static final long BLOCK = 64 * 1024;
        private final boolean[] data;

        ModelFile(int blocks) {
            data = new boolean[blocks];
        }

        int blocks() {
            return data.length;
        }

        synchronized boolean isData(int block) {
            return data[block];
        }

        synchronized void set(int block, int count, boolean isData) {
            for (int i = block; i < Math.min(data.length, block + count); i++) {
                data[i] = isData;
            }
        }

        synchronized AllocationRun runAt(int block) {
            int end = block + 1;
            while (end < data.length && data[end] == data[block]) {
                end++;
            }
            return new AllocationRun(block * BLOCK, (end - block) * BLOCK, !data[block]);
        }
    }
}
