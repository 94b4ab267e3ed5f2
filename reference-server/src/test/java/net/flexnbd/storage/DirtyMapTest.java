package net.flexnbd.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The dirty map's edges: validation, partial last block, run limits, failing visitors. */
class DirtyMapTest {

    @ParameterizedTest
    @ValueSource(ints = {0, 256, 511, 513, 1000, 4095, -4096})
    void blockSizeMustBeAPowerOfTwoOfAtLeast512(int blockSize) {
        assertThatThrownBy(() -> new DirtyMap(1 << 20, blockSize))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("blockSize (" + blockSize + ")")
                .hasMessageContaining("power of two");
    }

    @Test
    void sizeMustNotBeNegativeNorNeedAHugeMap() {
        assertThatThrownBy(() -> new DirtyMap(-1)).hasMessageContaining("size (-1)");
        assertThatThrownBy(() -> new DirtyMap(Long.MAX_VALUE, 512)).hasMessageContaining("size (" + Long.MAX_VALUE + ")");
    }

    @Test
    void marksMustLieWithinTheSize() {
        DirtyMap map = new DirtyMap(8192);

        assertThatThrownBy(() -> map.markDirty(8000, 193)).hasMessageContaining("offset 8000, length 193")
                .hasMessageContaining("(8192)");
        assertThatThrownBy(() -> map.markDirty(-1, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> map.markDirty(0, -1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> map.markDirty(1, Long.MAX_VALUE)).isInstanceOf(IllegalArgumentException.class);
        map.markDirty(8192, 0);
        assertThat(map.dirtyBytes()).isZero();
    }

    @Test
    void theDefaultBlockIs4KiBAndA64GiBMapFits() {
        DirtyMap map = new DirtyMap(64L << 30);

        map.markDirty((64L << 30) - 1, 1);

        assertThat(map.blockSize()).isEqualTo(4096);
        assertThat(map.dirtyBytes()).isEqualTo(4096);
    }

    @Test
    void thePartialLastBlockCountsOnlyUpToTheSize() throws IOException {
        DirtyMap map = new DirtyMap(10_000, 4096);

        map.markDirty(9000, 1000);
        map.markDirty(0, 1);

        assertThat(map.dirtyBytes()).isEqualTo(4096 + (10_000 - 8192));
        assertThat(drain(map, 1 << 20)).containsExactly(new long[] {0, 4096}, new long[] {8192, 10_000 - 8192});
        assertThat(map.dirtyBytes()).isZero();
    }

    @Test
    void aMarkTouchesEveryBlockOfItsRange() throws IOException {
        DirtyMap map = new DirtyMap(1 << 20, 4096);

        map.markDirty(4095, 2); // straddles blocks 0 and 1
        map.markDirty(64 * 4096 - 1, 4096 + 1); // straddles words: blocks 63, 64

        assertThat(drain(map, 1 << 20)).containsExactly(new long[] {0, 8192}, new long[] {63 * 4096, 8192});
    }

    @Test
    void runsAreSplitAtTheMaximumLength() throws IOException {
        DirtyMap map = new DirtyMap(1 << 20, 4096);
        map.markDirty(0, 10 * 4096);

        assertThat(drain(map, 4 * 4096 + 100)).containsExactly(
                new long[] {0, 4 * 4096}, new long[] {4 * 4096, 4 * 4096}, new long[] {8 * 4096, 2 * 4096});
        assertThatThrownBy(() -> map.drainRuns(4095, (o, l) -> { }))
                .hasMessageContaining("maxRunBytes (4095)")
                .hasMessageContaining("(4096)");
    }

    @Test
    void aBlockMarkedWhileItIsVisitedStaysDirty() throws IOException {
        DirtyMap map = new DirtyMap(1 << 20, 4096);
        map.markDirty(8192, 4096);

        map.drainRuns(1 << 20, (offset, length) -> map.markDirty(offset, 1));

        assertThat(map.dirtyBytes()).isEqualTo(4096);
        assertThat(drain(map, 1 << 20)).containsExactly(new long[] {8192, 4096});
    }

    @Test
    void whenTheVisitorFailsItsRunAndAllUnvisitedBlocksStayDirty() {
        DirtyMap map = new DirtyMap(1 << 24, 4096);
        map.markDirty(0, 4096);
        map.markDirty(10 * 4096, 4096);
        map.markDirty(20 * 4096, 2 * 4096);
        map.markDirty(200 * 4096, 4096);
        List<Long> visited = new ArrayList<>();

        assertThatThrownBy(() -> map.drainRuns(1 << 20, (offset, length) -> {
            visited.add(offset);
            if (offset == 10 * 4096) {
                throw new IOException("link lost");
            }
        })).hasMessage("link lost");

        assertThat(visited).containsExactly(0L, 10L * 4096);
        assertThat(map.dirtyBytes()).isEqualTo(4 * 4096);
    }

    @Test
    void whenTheLastRunFailsItStaysDirty() throws IOException {
        DirtyMap map = new DirtyMap(1 << 24, 4096);
        map.markDirty(63 * 4096, 3 * 4096); // a run spanning two words

        assertThatThrownBy(() -> map.drainRuns(1 << 20, (offset, length) -> {
            throw new IllegalStateException("boom");
        })).hasMessage("boom");

        assertThat(drain(map, 1 << 20)).containsExactly(new long[] {63 * 4096, 3 * 4096});
    }

    @Test
    void clearForgetsEverything() throws IOException {
        DirtyMap map = new DirtyMap(1 << 20, 512);
        map.markDirty(0, 1 << 20);

        map.clear();

        assertThat(map.dirtyBytes()).isZero();
        assertThat(drain(map, 1 << 20)).isEmpty();
    }

    static List<long[]> drain(DirtyMap map, long maxRunBytes) throws IOException {
        List<long[]> runs = new ArrayList<>();
        map.drainRuns(maxRunBytes, (offset, length) -> runs.add(new long[] {offset, length}));
        return runs;
    }
}
