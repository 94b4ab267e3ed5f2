package net.flexnbd.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import net.flexnbd.protocol.Nbd;
import net.flexnbd.protocol.client.BlockingNbdClient;
import net.flexnbd.protocol.client.NbdErrorException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --killswitch --request-timeout 1}: a client whose request cannot complete within
 * the limit is disconnected, whether it stops reading its replies or stops halfway through
 * sending a WRITE, while another client keeps being served throughout.
 */
class KillswitchIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final long SIZE = 128L * 1024 * 1024;

    @TempDir
    Path dir;

    @Test
    void aClientThatStopsReadingItsRepliesIsDisconnected() throws Exception {
        Path file = TestFiles.sparse(dir.resolve("disk.img"), SIZE);
        try (FlexnbdServer server = FlexnbdServer.serve(dir, file, "--killswitch", "--request-timeout", "1");
             BlockingNbdClient healthy = connect(server);
             BlockingNbdClient stuck = connect(server)) {
            // Two 32 MiB replies are far more than the socket buffers hold while nobody reads them.
            stuck.sendRequest(Nbd.CMD_READ, 0, 0, Nbd.MAX_PAYLOAD);
            stuck.sendRequest(Nbd.CMD_READ, 0, Nbd.MAX_PAYLOAD, Nbd.MAX_PAYLOAD);

            awaitOnlyTheHealthyClientLeft(server, healthy);
            Throwable lost = catchThrowable(() -> {
                stuck.awaitReply().release();
                stuck.awaitReply().release();
            });
            assertThat(lost).as("reading the stuck client's replies").isInstanceOf(IOException.class)
                    .isNotInstanceOf(NbdErrorException.class);
            assertStillServed(healthy);
        }
    }

    @Test
    void aClientThatStopsHalfwayThroughAWriteIsDisconnected() throws Exception {
        Path file = TestFiles.sparse(dir.resolve("disk.img"), SIZE);
        try (FlexnbdServer server = FlexnbdServer.serve(dir, file, "--killswitch", "--request-timeout", "1");
             BlockingNbdClient healthy = connect(server);
             RawNbdConnection stuck = RawNbdConnection.negotiated(server.address())) {
            stuck.sendHeader(Nbd.CMD_WRITE, 1, 0, 4096);
            stuck.sendBytes(new byte[100]);

            awaitOnlyTheHealthyClientLeft(server, healthy);
            assertThat(stuck.bytesUntilClosed()).as("reply bytes for the unfinished write").isZero();
            assertStillServed(healthy);
        }
    }

    /** Waits for the server to count one client, the healthy one, which is served all along. */
    private static void awaitOnlyTheHealthyClientLeft(FlexnbdServer server, BlockingNbdClient healthy) {
        await("the stuck client is disconnected").atMost(TIMEOUT).pollInterval(Duration.ofMillis(200))
                .untilAsserted(() -> {
                    assertStillServed(healthy);
                    assertThat(server.connectedClients()).as("connected clients").isEqualTo(1);
                });
    }

    private static void assertStillServed(BlockingNbdClient client) throws IOException {
        byte[] data = new byte[4096];
        Arrays.fill(data, (byte) 0x42);
        client.write(64L * 1024 * 1024, data, false);
        assertThat(client.read(64L * 1024 * 1024, data.length)).isEqualTo(data);
    }

    private static BlockingNbdClient connect(FlexnbdServer server) throws IOException {
        return BlockingNbdClient.connect(server.address(), Optional.of(InetAddress.getByName("127.0.0.1")), TIMEOUT);
    }
}
