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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 1 GiB sparse file served through the store stays sparse: reads, zero writes into holes,
 * TRIM and WRITE_ZEROES leave or punch holes, measured as blocks allocated on disk. Runs on
 * the build directory's file system; skipped where that cannot hold holes.
 */
class FileBlockStoreSparsenessTest {

    private static final long GIB = 1L << 30;
    private static final int MIB = 1 << 20;
    /** Allocation a hole-only file may still show (extent-tree blocks and the like). */
    private static final long SLACK = 64 * 1024;

    @TempDir(factory = TargetTempDir.class)
    Path dir;
    private Path file;
    private FileBlockStore store;

    @BeforeEach
    void createSparseFile() throws IOException {
        assumeTrue(LinuxFiles.isAvailable(), "native file calls unavailable: " + LinuxFiles.unavailableReason());
        file = dir.resolve("disk.img");
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(GIB);
        }
        assumeTrue(Allocation.allocatedBytes(file) <= SLACK,
                "file system " + Allocation.fileSystemType(dir) + " does not create sparse files");
        store = FileBlockStore.open(file);
    }

    @AfterEach
    void close() throws IOException {
        if (store != null) {
            store.close();
        }
    }

    @Test
    void readingHolesAllocatesNothingAndReadsZeroes() throws IOException {
        ByteBuffer buf = ByteBuffer.allocateDirect(4 * MIB);
        for (long offset : new long[] {0, 300L * MIB + 7, GIB - 4 * MIB}) {
            buf.clear();
            store.read(offset, buf);
            assertThat(buf.hasRemaining()).isFalse();
            assertThat(Zeroes.isAllZero(buf.flip())).isTrue();
        }

        assertThat(Allocation.allocatedBytes(file)).isLessThanOrEqualTo(SLACK);
    }

    @Test
    void zeroesWrittenIntoHolesLeaveTheHoles() throws IOException {
        ByteBuffer direct = ByteBuffer.allocateDirect(4 * MIB);
        ByteBuffer heap = ByteBuffer.allocate(MIB + 333);

        store.write(0, direct.duplicate(), false);
        store.write(100L * MIB + 1, heap.duplicate(), false);
        store.write(GIB - 4 * MIB, direct.duplicate(), true);

        assertThat(Allocation.allocatedBytes(file)).isLessThanOrEqualTo(SLACK);
    }

    @Test
    void writeConsumesThePayloadEvenWhenItIsSkipped() throws IOException {
        ByteBuffer zeroes = ByteBuffer.allocate(4096);

        store.write(8192, zeroes, false);

        assertThat(zeroes.hasRemaining()).isFalse();
    }

    @Test
    void zeroesWrittenOverDataAreWritten() throws IOException {
        store.write(10L * MIB, ByteBuffer.wrap(randomBytes(MIB, 1)), false);

        store.write(10L * MIB + 4096, ByteBuffer.allocate(8192), false);

        byte[] expected = randomBytes(MIB, 1);
        Arrays.fill(expected, 4096, 4096 + 8192, (byte) 0);
        assertThat(read(10L * MIB, MIB)).isEqualTo(expected);
    }

    @Test
    void zeroesPartlyOverDataAndPartlyOverAHoleAreWritten() throws IOException {
        store.write(20L * MIB + 8192, ByteBuffer.wrap(randomBytes(4096, 2)), false);

        store.write(20L * MIB, ByteBuffer.allocate(3 * 4096), false);

        assertThat(Zeroes.isAllZero(ByteBuffer.wrap(read(20L * MIB, 3 * 4096)))).isTrue();
    }

    @Test
    void trimPunchesTheDataOut() throws IOException {
        writeData(512L * MIB, 8 * MIB);
        assertThat(Allocation.allocatedBytes(file)).isGreaterThanOrEqualTo(8L * MIB);

        store.trim(512L * MIB, 8 * MIB, false);

        assertThat(Allocation.allocatedBytes(file)).isLessThanOrEqualTo(SLACK);
        assertThat(Zeroes.isAllZero(ByteBuffer.wrap(read(512L * MIB, 8 * MIB)))).isTrue();
    }

    @Test
    void writeZeroesThatMayPunchPunches() throws IOException {
        writeData(GIB - 8 * MIB, 8 * MIB);

        store.writeZeroes(GIB - 8 * MIB, 8 * MIB, true, true);

        assertThat(Allocation.allocatedBytes(file)).isLessThanOrEqualTo(SLACK);
        assertThat(Zeroes.isAllZero(ByteBuffer.wrap(read(GIB - 8 * MIB, 8 * MIB)))).isTrue();
    }

    @Test
    void writeZeroesWithNoHoleKeepsTheRangeAllocated() throws IOException {
        writeData(64L * MIB, 8 * MIB);

        store.writeZeroes(64L * MIB, 8 * MIB, false, false);

        assertThat(Allocation.allocatedBytes(file)).isGreaterThanOrEqualTo(8L * MIB);
        assertThat(Zeroes.isAllZero(ByteBuffer.wrap(read(64L * MIB, 8 * MIB)))).isTrue();
    }

    @Test
    void punchingAtOddOffsetsZeroesExactlyTheRange() throws IOException {
        long base = 200L * MIB;
        byte[] data = randomBytes(MIB, 3);
        store.write(base, ByteBuffer.wrap(data), false);

        store.writeZeroes(base + 1000, MIB - 3000, true, false);
        store.trim(base + MIB - 1500, 700, false);

        byte[] expected = data.clone();
        Arrays.fill(expected, 1000, MIB - 2000, (byte) 0);
        Arrays.fill(expected, MIB - 1500, MIB - 800, (byte) 0);
        assertThat(read(base, MIB)).isEqualTo(expected);
        assertThat(Allocation.allocatedBytes(file)).isLessThan(MIB);
    }

    @Test
    void extentsReportWhereTheDataIs() throws IOException {
        long fsBlock = Allocation.fileSystemBlockSize(dir);
        store.write(MIB, ByteBuffer.wrap(randomBytes(4096, 4)), false);
        store.write(5L * MIB + 100, ByteBuffer.wrap(randomBytes(10, 5)), false);
        store.write(GIB - 512, ByteBuffer.wrap(randomBytes(512, 6)), false);

        List<long[]> extents = extents(0, GIB);

        assertThat(extents).containsExactly(
                new long[] {MIB, roundUp(MIB + 4096, fsBlock) - MIB},
                new long[] {roundDown(5L * MIB + 100, fsBlock),
                        roundUp(5L * MIB + 110, fsBlock) - roundDown(5L * MIB + 100, fsBlock)},
                new long[] {roundDown(GIB - 512, fsBlock), GIB - roundDown(GIB - 512, fsBlock)});
    }

    @Test
    void extentsAreClippedToTheAskedRange() throws IOException {
        store.write(MIB, ByteBuffer.wrap(randomBytes(64 * 1024, 7)), false);
        store.write(3L * MIB, ByteBuffer.wrap(randomBytes(64 * 1024, 8)), false);

        assertThat(extents(MIB + 100, 3L * MIB + 50)).containsExactly(
                new long[] {MIB + 100, 64 * 1024 - 100},
                new long[] {3L * MIB, 50});
        assertThat(extents(2L * MIB, 3L * MIB)).isEmpty();
        assertThat(extents(4L * MIB, GIB)).isEmpty();
    }

    @Test
    void aWholeHoleFileHasNoExtents() throws IOException {
        assertThat(extents(0, GIB)).isEmpty();
    }

    @Test
    void fallbackWithoutNativeCallsReportsEverythingAsData() throws IOException {
        try (FileBlockStore plain = FileBlockStore.open(file, false)) {
            List<long[]> seen = new ArrayList<>();
            plain.forEachDataExtent(4096, GIB - 4096, (o, l) -> seen.add(new long[] {o, l}));

            assertThat(seen).containsExactly(new long[] {4096, GIB - 8192});
        }
    }

    private void writeData(long offset, int length) throws IOException {
        store.write(offset, ByteBuffer.wrap(randomBytes(length, offset)), false);
    }

    private byte[] read(long offset, int length) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(length);
        store.read(offset, buf);
        return buf.array();
    }

    private List<long[]> extents(long from, long to) throws IOException {
        List<long[]> seen = new ArrayList<>();
        store.forEachDataExtent(from, to, (o, l) -> seen.add(new long[] {o, l}));
        return seen;
    }

    private static byte[] randomBytes(int length, long seed) {
        byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        bytes[0] = 1; // never all zero, even by chance
        return bytes;
    }

    private static long roundDown(long value, long unit) {
        return value / unit * unit;
    }

    private static long roundUp(long value, long unit) {
        return (value + unit - 1) / unit * unit;
    }
}
