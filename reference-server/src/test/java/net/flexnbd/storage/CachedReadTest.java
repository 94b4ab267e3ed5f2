package net.flexnbd.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link FileBlockStore#readCached}: preadv2 with RWF_NOWAIT answers from the page cache
 * and refuses, leaving the buffer as it was, what is not in it; without native support it
 * always refuses, so every read goes to a storage thread.
 */
class CachedReadTest {
    private static final int SIZE = 1 << 20;

    @TempDir(factory = TargetTempDir.class)
    Path dir;

    private Path fileWithRandomData(byte[] data) throws IOException {
        new Random(7).nextBytes(data);
        Path file = dir.resolve("disk.img");
        Files.write(file, data);
        return file;
    }

    @Test
    void dataInThePageCacheIsReadWithoutWaiting() throws IOException {
        byte[] data = new byte[SIZE];
        Path file = fileWithRandomData(data);
        try (FileBlockStore store = FileBlockStore.open(file)) {
            assumeTrue(LinuxFiles.canReadCached(), "no preadv2");
            ByteBuffer dst = ByteBuffer.allocateDirect(65536);
            dst.position(100);
            assertThat(store.readCached(4096, dst)).isTrue(); // just written: in the page cache
            assertThat(dst.position()).isEqualTo(65536);
            byte[] got = new byte[65536 - 100];
            dst.position(100);
            dst.get(got);
            assertThat(got).isEqualTo(java.util.Arrays.copyOfRange(data, 4096, 4096 + got.length));
        }
    }

    @Test
    void dataNotInThePageCacheIsRefusedAndTheBufferLeftAsItWas() throws IOException {
        byte[] data = new byte[SIZE];
        Path file = fileWithRandomData(data);
        int fd = LinuxFilesTest.assumeNativeOpen(file);
        try (FileBlockStore store = FileBlockStore.open(file)) {
            assumeTrue(LinuxFiles.canReadCached(), "no preadv2");
            store.flush();
            LinuxFiles.dontNeed(fd, 0, SIZE);
            ByteBuffer dst = ByteBuffer.allocateDirect(8192);
            dst.position(10);

            assertThat(store.readCached(SIZE / 2, dst)).as("evicted: the disk would have to be read").isFalse();
            assertThat(dst.position()).isEqualTo(10);

            ByteBuffer plain = ByteBuffer.allocateDirect(8192);
            store.read(SIZE / 2, plain); // a storage thread's read brings it in
            dst.clear();
            assertThat(store.readCached(SIZE / 2, dst)).isTrue();
            assertThat(dst.flip()).isEqualTo(plain.flip());
        } finally {
            LinuxFiles.close(fd);
        }
    }

    @Test
    void withoutNativeSupportOrADirectBufferEveryCachedReadIsRefused() throws IOException {
        Path file = fileWithRandomData(new byte[SIZE]);
        try (FileBlockStore portable = FileBlockStore.open(file, false);
                FileBlockStore native_ = FileBlockStore.open(file)) {
            assertThat(portable.readCached(0, ByteBuffer.allocateDirect(512))).isFalse();
            assertThat(native_.readCached(0, ByteBuffer.allocate(512))).as("heap buffer").isFalse();
        }
    }
}
