package net.flexnbd.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Starting writeback early: the filter that asks for it, and the store that does it. */
class EagerWritebackTest {

    @TempDir(factory = TargetTempDir.class)
    Path dir;

    /** A store that records which calls reached it. */
    private static final class Recording implements BlockStore {
        final List<String> calls = new ArrayList<>();

        @Override
        public long size() {
            return 1 << 20;
        }

        @Override
        public void read(long offset, ByteBuffer dst) {
            calls.add("read " + offset);
        }

        @Override
        public void write(long offset, ByteBuffer src, boolean durable) {
            calls.add("write " + offset + " " + src.remaining() + (durable ? " fua" : ""));
            src.position(src.limit());
        }

        @Override
        public void write(long offset, ByteBuffer[] srcs, boolean durable) {
            calls.add("gather " + offset + " " + Gathered.remaining(srcs) + (durable ? " fua" : ""));
            for (ByteBuffer src : srcs) {
                src.position(src.limit());
            }
        }

        @Override
        public void writeZeroes(long offset, long length, boolean mayPunch, boolean durable) {
            calls.add("zeroes " + offset + " " + length);
        }

        @Override
        public void trim(long offset, long length, boolean durable) {
            calls.add("trim " + offset + " " + length);
        }

        @Override
        public void flush() {
            calls.add("flush");
        }

        @Override
        public void startWriteback(long offset, long length) {
            calls.add("writeback " + offset + " " + length);
        }

        @Override
        public void forEachDataExtent(long from, long to, ExtentVisitor visitor) {
            calls.add("extents");
        }

        @Override
        public void close() {
            calls.add("close");
        }
    }

    @Test
    void writesThatAreNotDurableStartTheWritebackOfTheirSpanOncePerWindow() throws IOException {
        Recording store = new Recording();
        EagerWriteback eager = new EagerWriteback(store);
        int half = (int) (EagerWriteback.WINDOW / 2);

        eager.write(3 * half, ByteBuffer.allocate(half), false);
        eager.write(0, ByteBuffer.allocate(512), true);
        eager.writeZeroes(0, 4096, true, false);
        eager.trim(8192, 4096, false);
        eager.write(half, new ByteBuffer[] {ByteBuffer.allocate(half - 512), ByteBuffer.allocate(512)}, false);
        eager.write(0, ByteBuffer.allocate(4096), false);
        eager.flush();

        assertThat(store.calls).containsExactly(
                "write " + 3 * half + " " + half,
                "write 0 512 fua",
                "zeroes 0 4096", "trim 8192 4096",
                "gather " + half + " " + half, "writeback " + half + " " + 3 * half,
                "write 0 4096",
                "flush");
    }

    @Test
    void scatteredSmallWritesStartOneWritebackOverTheSpanTheyCover() throws IOException {
        Recording store = new Recording();
        EagerWriteback eager = new EagerWriteback(store);
        long blocks = EagerWriteback.WINDOW / 4096;

        for (long i = 0; i < blocks; i++) {
            eager.write(((i * 7919) % blocks) * 8192, ByteBuffer.allocate(4096), false); // every other block, shuffled
        }

        assertThat(store.calls.stream().filter(call -> call.startsWith("writeback")))
                .containsExactly("writeback 0 " + ((blocks - 1) * 8192 + 4096));
    }

    @Test
    void startingWritebackKeepsTheData() throws IOException {
        assumeTrue(LinuxFiles.isAvailable());
        Path file = file(4 << 20);
        byte[] data = new byte[1 << 20];
        new Random(3).nextBytes(data);
        try (FileBlockStore store = FileBlockStore.open(file)) {
            store.write(1 << 20, ByteBuffer.wrap(data), false);

            store.startWriteback(1 << 20, data.length);
            store.startWriteback(0, 0);
            store.flush();

            ByteBuffer back = ByteBuffer.allocate(data.length);
            store.read(1 << 20, back);
            assertThat(back.array()).isEqualTo(data);
        }
    }

    @Test
    void withoutNativeCallsStartingWritebackDoesNothing() throws IOException {
        try (FileBlockStore store = FileBlockStore.open(file(1 << 20), false)) {
            store.startWriteback(0, 4096);
        }
    }

    @Test
    void aClosedStoreRefusesToStartWriteback() throws IOException {
        assumeTrue(LinuxFiles.isAvailable());
        FileBlockStore store = FileBlockStore.open(file(1 << 20));
        store.close();

        assertThatThrownBy(() -> store.startWriteback(0, 4096)).isInstanceOf(ClosedChannelException.class);
    }

    @Test
    void aFailedStartNamesTheCallAndTheErrno() {
        assumeTrue(LinuxFiles.isAvailable());

        assertThatThrownBy(() -> LinuxFiles.startWriteback(-1, 4096, 8192))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(ErrnoException.EBADF))
                .hasMessageContaining("sync_file_range")
                .hasMessageContaining("offset 4096")
                .hasMessageContaining("length 8192");
    }

    private Path file(long length) throws IOException {
        Path file = dir.resolve("disk-" + length + ".img");
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(length);
        }
        return file;
    }
}
