package net.flexnbd.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import net.flexnbd.protocol.Nbd;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A thousand connections opened and dropped in every way a client can drop (before the
 * hello, mid-handshake with a reset, after the handshake without DISC, mid-read with a
 * reset, mid-write payload) leave the server with what it had: threads, open file
 * descriptors and buffer memory back to where they were, within a small tolerance, and only
 * the one client that stayed connected counted.
 */
class ConnectionChurnIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final int CONNECTIONS = 1000;
    private static final long FD_TOLERANCE = 16;
    private static final int THREAD_TOLERANCE = 4;

    @TempDir
    Path directory;
    private ServerUnderTest server;
    private Witness witness;

    @BeforeEach
    void start() throws IOException {
        server = ServerUnderTest.serve(directory);
        witness = new Witness(server.address());
    }

    @AfterEach
    void stop() throws IOException {
        witness.close();
        server.close();
    }

    @Test
    void aThousandConnectionsOpenedAndDroppedLeaveNoLeak() throws Exception {
        for (int i = 0; i < 50; i++) {
            churn(i); // warm up: every event loop and pool thread that will ever start, starts
        }
        awaitOnlyTheWitness();
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        int threadsBefore = threads.getThreadCount();
        long fdsBefore = openFileDescriptors();
        long memoryBefore = Memory.buffers();

        for (int i = 0; i < CONNECTIONS; i++) {
            churn(i);
            if (i % 100 == 99) {
                witness.check();
            }
        }

        awaitOnlyTheWitness();
        Awaitility.await("file descriptors back to " + fdsBefore).atMost(TIMEOUT)
                .until(() -> openFileDescriptors() <= fdsBefore + FD_TOLERANCE);
        System.out.printf("after %d connections: threads %d -> %d, file descriptors %d -> %d, buffer memory %d -> %d bytes%n",
                CONNECTIONS, threadsBefore, threads.getThreadCount(), fdsBefore, openFileDescriptors(), memoryBefore, Memory.buffers());
        assertThat(threads.getThreadCount()).as("threads").isLessThanOrEqualTo(threadsBefore + THREAD_TOLERANCE);
        assertThat(Memory.buffers() - memoryBefore).as("buffer memory").isLessThan(Nbd.MAX_PAYLOAD);
        witness.check();
    }

    /** One connection, dropped in the way {@code i} picks. */
    private void churn(int i) throws IOException {
        RawClient client = RawClient.connect(server.address(), TIMEOUT);
        switch (i % 5) {
            case 0 -> client.close();
            case 1 -> {
                client.readFully(8);
                client.reset();
            }
            case 2 -> {
                client.handshake();
                client.close();
            }
            case 3 -> {
                client.handshake();
                client.send(RawClient.request(Nbd.REQUEST_MAGIC, 0, Nbd.CMD_READ, i, 0, 1 << 20));
                client.reset();
            }
            default -> {
                client.handshake();
                client.send(RawClient.request(Nbd.REQUEST_MAGIC, 0, Nbd.CMD_WRITE, i, 0, 65536));
                client.send(new byte[1000]);
                client.close();
            }
        }
    }

    private void awaitOnlyTheWitness() {
        Awaitility.await("only the witness connected").atMost(TIMEOUT).pollInterval(Duration.ofMillis(50))
                .until(() -> server.status().get("num_clients").equals("1"));
    }

    private static long openFileDescriptors() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }
}
