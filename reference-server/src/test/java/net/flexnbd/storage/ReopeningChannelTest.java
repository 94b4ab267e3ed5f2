package net.flexnbd.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A channel closed under the store (as a thread interrupt does) is reopened, not fatal. */
class ReopeningChannelTest {

    @TempDir(factory = TargetTempDir.class)
    Path dir;
    private Path file;

    @BeforeEach
    void createFile() throws IOException {
        file = dir.resolve("disk.img");
        Files.write(file, new byte[8192]);
    }

    @Test
    void aChannelClosedUnderneathIsReopenedForEveryOperation() throws IOException {
        FileChannel first = open();
        try (ReopeningChannel io = new ReopeningChannel(first, () -> file)) {
            first.close();
            io.writeFully(ByteBuffer.wrap(new byte[] {1, 2, 3}), 100);
            io.force();

            ByteBuffer dst = ByteBuffer.allocate(3);
            io.readFully(dst, 100);

            assertThat(dst.array()).containsExactly(1, 2, 3);
        }
        assertThat(Files.readAllBytes(file)[101]).isEqualTo((byte) 2);
    }

    @Test
    void interruptsArrivingDuringIoNeitherFailItNorGetLost() throws Exception {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicBoolean interruptedAtEnd = new AtomicBoolean();
        try (ReopeningChannel io = new ReopeningChannel(open(), () -> file)) {
            Thread worker = new Thread(() -> {
                ByteBuffer buf = ByteBuffer.allocate(8192);
                try {
                    for (int i = 0; i < 20_000; i++) {
                        buf.clear();
                        io.readFully(buf, 0);
                        buf.flip();
                        io.writeFully(buf, 0);
                    }
                } catch (Throwable t) {
                    failure.set(t);
                }
                interruptedAtEnd.set(Thread.currentThread().isInterrupted());
            });
            worker.start();
            while (worker.isAlive()) { // as a cancelled task or an executor shutting down would
                worker.interrupt();
                Thread.yield();
            }
            worker.join();

            assertThat(failure.get()).isNull();
            assertThat(interruptedAtEnd.get()).isTrue();
            ByteBuffer dst = ByteBuffer.allocate(10);
            io.readFully(dst, 0);
            assertThat(dst.hasRemaining()).isFalse();
        }
    }

    @Test
    void afterCloseOperationsFail() throws IOException {
        ReopeningChannel io = new ReopeningChannel(open(), () -> file);
        io.close();

        assertThatThrownBy(() -> io.readFully(ByteBuffer.allocate(1), 0)).isInstanceOf(ClosedChannelException.class);
        assertThatThrownBy(() -> io.writeFully(ByteBuffer.allocate(1), 0)).isInstanceOf(ClosedChannelException.class);
        assertThatThrownBy(io::force).isInstanceOf(ClosedChannelException.class);
    }

    @Test
    void procFdPathReachesAnUnlinkedFile() throws IOException {
        int fd = LinuxFilesTest.assumeNativeOpen(file);
        try {
            Path viaFd = ReopeningChannel.procFdPath(fd, file);
            Files.delete(file);
            try (FileChannel again = FileChannel.open(viaFd, StandardOpenOption.READ)) {
                assertThat(again.size()).isEqualTo(8192);
            }
        } finally {
            LinuxFiles.close(fd);
        }
    }

    private FileChannel open() throws IOException {
        return FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
    }
}
