package net.flexnbd.migration;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import net.flexnbd.app.Server;
import net.flexnbd.export.MigrationTuning;
import net.flexnbd.export.RequestGate;
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
 * A final pass that runs past its limit is cut off: client I/O resumes, the rest goes in
 * ordinary passes, and the final pass is tried again; after {@link AutoConverge#MAX_CUT_OFFS}
 * cut-offs one runs to its end. Here the disk stalls on the first read of every final pass
 * (longer than the limit), while a client keeps writing through the gate. Nothing is lost.
 */
class FinalPassCutOffTest {
    private static final int SIZE = 16 << 20;
    private static final int BLOCK = 4096;
    private static final Duration WAIT = Duration.ofSeconds(60);
    /** Longer than the final pass's limit. */
    private static final long STALL_NANOS = AutoConverge.FINAL_PASS_LIMIT.toNanos() + 40_000_000L;

    @TempDir
    Path dir;

    private final StorageExecutor storage = StorageExecutor.withThreads(2);
    private final AtomicBoolean stopWriting = new AtomicBoolean();
    private FileBlockStore fileStore;
    private Server destination;
    private Thread writer;

    @AfterEach
    void close() throws Exception {
        stopWriting.set(true);
        if (writer != null) {
            writer.join(WAIT.toMillis());
        }
        if (destination != null) {
            destination.close();
        }
        storage.close();
        if (fileStore != null) {
            fileStore.close();
        }
    }

    @Test
    void aFinalPassPastItsLimitIsCutOffUpToTheMaximumThenOneRunsToItsEndAndNothingIsLost() throws Exception {
        Path source = dir.resolve("source.img");
        byte[] initial = new byte[SIZE];
        new Random(7).nextBytes(initial);
        Files.write(source, initial);
        Path target = dir.resolve("target.img");
        Files.write(target, new byte[SIZE]);
        fileStore = FileBlockStore.open(source);
        StallingStore stalling = new StallingStore(fileStore);
        ServedFile file = new ServedFile(source, stalling, storage);
        stalling.gate = file.gate();

        CompletableFuture<Void> completed = new CompletableFuture<>();
        MirrorController mirror = new MirrorController(file,
                MigrationTuning.DEFAULTS.withLinkTimeout(WAIT).withRetryDelay(Duration.ofMillis(100)),
                new SourceHandover() {
                    @Override
                    public void releaseAddress() {
                    }

                    @Override
                    public void dropClients() {
                        file.gate().close();
                    }

                    @Override
                    public void completed(MirrorRequest.AfterHandover action) {
                        completed.complete(null);
                    }
                });
        destination = Server.start(new ServerSettings(ServerSettings.Mode.LISTEN,
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), target, Optional.empty(), List.of(),
                false, false, ServerSettings.DEFAULT_REQUEST_TIMEOUT, HandshakeStyle.NEWSTYLE, Optional.empty()));
        GatedWriter client = new GatedWriter(file);
        writer = new Thread(client, "gated-writer");
        writer.start();

        MirrorOutcome started = mirror.start(new MirrorRequest(destination.migrationAddress().orElseThrow(),
                MirrorRequest.AfterHandover.EXIT, Optional.empty(), OptionalLong.empty()));
        assertThat(started).isEqualTo(MirrorOutcome.done("Mirror started"));
        completed.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        writer.join(WAIT.toMillis());

        // Each final pass stalls on its first read, unless it was cut off before it read at all
        // (on a loaded machine pausing the clients can take most of the limit); the one let run
        // to its end always reads, stalls past the limit, and is not cut off.
        assertThat(stalling.finalPassesStalled.get()).as("final passes that read (cut off, then the one let run)")
                .isBetween(1, AutoConverge.MAX_CUT_OFFS + 1);
        assertThat(client.resumedAfterWaiting.get()).as("client writes held in a final pass and run after its cut-off")
                .isGreaterThanOrEqualTo(AutoConverge.MAX_CUT_OFFS);
        assertThat(client.written.get()).isPositive();
        assertThat(Files.mismatch(source, target)).as("first differing byte of source and destination").isEqualTo(-1);
    }

    /** Writes random blocks through the gate, as a client's requests would, until refused. */
    private final class GatedWriter implements Runnable {
        private final ServedFile file;
        private final Random random = new Random(11);
        final AtomicLong written = new AtomicLong();
        final AtomicInteger resumedAfterWaiting = new AtomicInteger();

        GatedWriter(ServedFile file) {
            this.file = file;
        }

        @Override
        public void run() {
            byte[] data = new byte[BLOCK];
            while (!stopWriting.get()) {
                random.nextBytes(data);
                long offset = (long) random.nextInt(SIZE / BLOCK) * BLOCK;
                CompletableFuture<Boolean> done = new CompletableFuture<>();
                AtomicBoolean submitting = new AtomicBoolean(true);
                file.gate().submit(new RequestGate.Ticket() {
                    @Override
                    public void admitted() {
                        if (!submitting.get()) {
                            resumedAfterWaiting.incrementAndGet();
                        }
                        try {
                            file.clientStore().write(offset, ByteBuffer.wrap(data), false);
                            written.incrementAndGet();
                            done.complete(true);
                        } catch (IOException e) {
                            done.completeExceptionally(e);
                        } finally {
                            file.gate().finished();
                        }
                    }

                    @Override
                    public void refused() {
                        done.complete(false);
                    }
                });
                submitting.set(false);
                if (!done.join()) {
                    return; // the gate closed: handed over
                }
                LockSupport.parkNanos(200_000); // a steady trickle of writes, not a flood
            }
        }
    }

    /** Stalls the first read made while the gate is paused, once per pause (a final pass). */
    private static final class StallingStore extends ForwardingStore {
        volatile RequestGate gate;
        final AtomicInteger finalPassesStalled = new AtomicInteger();
        private boolean stalledThisPause;

        StallingStore(BlockStore store) {
            super(store);
        }

        @Override
        public void read(long offset, ByteBuffer dst) throws IOException {
            boolean paused = gate != null && !gate.isOpen();
            if (paused && !stalledThisPause) {
                stalledThisPause = true;
                finalPassesStalled.incrementAndGet();
                LockSupport.parkNanos(STALL_NANOS); // a disk stall, longer than the final pass may take
            } else if (!paused) {
                stalledThisPause = false;
            }
            super.read(offset, dst);
        }
    }
}
