package net.flexnbd.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import net.flexnbd.app.Server;
import net.flexnbd.export.MigrationTuning;
import net.flexnbd.export.ServedFile;
import net.flexnbd.export.StorageExecutor;
import net.flexnbd.protocol.HandshakeStyle;
import net.flexnbd.server.ServerSettings;
import net.flexnbd.storage.BlockStore;
import net.flexnbd.storage.ForwardingStore;
import net.flexnbd.storage.FileBlockStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code break} while the mirror thread is inside a file read: the thread is not interrupted
 * (an interrupt inside a FileChannel call closes the file for every user), the mirror stops
 * once the read returns, and the store serves on.
 */
class MirrorCancelTest {
    private static final int SIZE = 1 << 20;
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private final CountDownLatch readEntered = new CountDownLatch(1);
    private final CountDownLatch releaseRead = new CountDownLatch(1);
    private final AtomicBoolean interruptedInRead = new AtomicBoolean();
    private final StorageExecutor storage = StorageExecutor.withThreads(1);
    private FileBlockStore fileStore;
    private Server destination;

    @AfterEach
    void close() throws IOException {
        releaseRead.countDown();
        if (destination != null) {
            destination.close();
        }
        storage.close();
        if (fileStore != null) {
            fileStore.close();
        }
    }

    @Test
    void breakDuringAFileReadStopsTheMirrorWithoutInterruptingItAndTheStoreServesOn() throws Exception {
        Path source = dir.resolve("source.img");
        Files.write(source, new byte[SIZE]);
        Files.write(source, new byte[] {1, 2, 3}, java.nio.file.StandardOpenOption.WRITE);
        Path target = dir.resolve("target.img");
        Files.write(target, new byte[SIZE]);
        fileStore = FileBlockStore.open(source);
        ServedFile file = new ServedFile(source, new ReadHeldStore(fileStore), storage);
        MigrationTuning tuning = MigrationTuning.DEFAULTS.withLinkTimeout(WAIT).withRetryDelay(Duration.ofMillis(100));
        AtomicBoolean handedOver = new AtomicBoolean();
        MirrorController mirror = new MirrorController(file, tuning, new SourceHandover() {
            @Override
            public void releaseAddress() {
                handedOver.set(true);
            }

            @Override
            public void dropClients() {
                handedOver.set(true);
            }

            @Override
            public void completed(MirrorRequest.AfterHandover action) {
                handedOver.set(true);
            }
        });
        destination = Server.start(new ServerSettings(ServerSettings.Mode.LISTEN,
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), target, Optional.empty(), List.of(),
                false, false, ServerSettings.DEFAULT_REQUEST_TIMEOUT, HandshakeStyle.NEWSTYLE, Optional.empty()));

        MirrorOutcome started = mirror.start(new MirrorRequest(destination.migrationAddress().orElseThrow(),
                MirrorRequest.AfterHandover.EXIT, Optional.empty(), OptionalLong.empty()));
        assertThat(started).isEqualTo(MirrorOutcome.done("Mirror started"));
        assertThat(readEntered.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("the mirror reads the file").isTrue();

        CompletableFuture<MirrorOutcome> stopped = new CompletableFuture<>();
        Thread breaker = new Thread(() -> stopped.complete(mirror.breakMirror()), "break");
        breaker.start();
        await("break waits for the mirror thread").atMost(WAIT)
                .until(() -> breaker.getState() == Thread.State.TIMED_WAITING);
        releaseRead.countDown();

        assertThat(stopped.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(MirrorOutcome.done("Mirror stopped"));
        assertThat(interruptedInRead).as("the mirror thread was interrupted inside a file read").isFalse();
        assertThat(mirror.isMirroring()).isFalse();
        assertThat(handedOver).isFalse();
        assertThat(file.gate().isOpen()).as("client I/O carries on").isTrue();

        ByteBuffer back = ByteBuffer.allocate(3);
        fileStore.write(4096, ByteBuffer.wrap(new byte[] {7, 8, 9}), true);
        fileStore.read(0, back);
        assertThat(back.array()).containsExactly(1, 2, 3);
    }

    /** Holds the first read until the test lets it go, and notes whether it was interrupted. */
    private final class ReadHeldStore extends ForwardingStore {
        private final AtomicBoolean first = new AtomicBoolean(true);

        ReadHeldStore(BlockStore store) {
            super(store);
        }

        @Override
        public void read(long offset, ByteBuffer dst) throws IOException {
            if (first.getAndSet(false)) {
                readEntered.countDown();
                try {
                    releaseRead.await();
                } catch (InterruptedException e) {
                    interruptedInRead.set(true);
                    Thread.currentThread().interrupt();
                }
                interruptedInRead.compareAndSet(false, Thread.currentThread().isInterrupted());
            }
            super.read(offset, dst);
        }
    }
}
