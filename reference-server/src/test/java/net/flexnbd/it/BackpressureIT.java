package net.flexnbd.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import net.flexnbd.protocol.Nbd;
import net.flexnbd.protocol.client.BlockingNbdClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client that asks for far more data than it reads must not make the server buffer it
 * all: once its unsent replies pile up, the server stops reading its requests. Without
 * the killswitch this is the only thing between such a client and the server's memory.
 */
class BackpressureIT {
    private static final long SIZE = 256L * 1024 * 1024;
    /** 2 GiB of replies asked for; the server may hold a few 32 MiB ones, not all. */
    private static final int READS = 64;
    private static final long RSS_LIMIT_KIB = 700 * 1024;

    @TempDir
    Path dir;

    @Test
    void aClientThatDoesNotReadItsRepliesCannotExhaustTheServersMemory() throws Exception {
        Path file = TestFiles.sparse(dir.resolve("disk.img"), SIZE);
        try (FlexnbdServer server = FlexnbdServer.serve(dir, file);
             BlockingNbdClient greedy = BlockingNbdClient.connect(server.address(), Optional.empty(), Duration.ofSeconds(30));
             BlockingNbdClient healthy = BlockingNbdClient.connect(server.address(), Optional.empty(), Duration.ofSeconds(30))) {
            for (int i = 0; i < READS; i++) {
                greedy.sendRequest(Nbd.CMD_READ, 0, (long) (i % 8) * Nbd.MAX_PAYLOAD, Nbd.MAX_PAYLOAD);
            }
            // The other client is still answered promptly while the greedy one is held back.
            healthy.write(4096, new byte[] {1, 2, 3, 4}, false);
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(healthy.read(4096, 4)).containsExactly(1, 2, 3, 4));
            assertThat(residentKib(server.pid())).as("server resident memory (KiB)").isLessThan(RSS_LIMIT_KIB);

            // Reading the replies lets the server go on: every one of them arrives whole.
            for (int i = 0; i < READS; i++) {
                var reply = greedy.awaitReply();
                try {
                    assertThat(reply.error()).isZero();
                    assertThat(reply.payload().readableBytes()).isEqualTo(Nbd.MAX_PAYLOAD);
                } finally {
                    reply.release();
                }
            }
            assertThat(residentKib(server.pid())).as("server resident memory after draining (KiB)")
                    .isLessThan(RSS_LIMIT_KIB);
        }
    }

    private static long residentKib(long pid) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        throw new AssertionError("no VmHWM in /proc/" + pid + "/status");
    }
}
