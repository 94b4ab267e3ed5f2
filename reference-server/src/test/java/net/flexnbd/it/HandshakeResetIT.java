package net.flexnbd.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import net.flexnbd.protocol.client.BlockingNbdClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client that resets its connection in the middle of the handshake costs one log line and
 * nothing else: no unhandled-exception warning, and the server goes on serving.
 */
class HandshakeResetIT {
    @TempDir
    Path dir;

    @Test
    void aResetDuringTheHandshakeIsOneLineAndHarmsNobody() throws Exception {
        Path file = TestFiles.sparse(dir.resolve("disk.img"), 1 << 20);
        try (FlexnbdServer server = FlexnbdServer.serve(dir, file)) {
            try (Socket socket = new Socket(server.address().getAddress(), server.port())) {
                socket.getInputStream().readNBytes(8); // the start of the hello: the handshake is under way
                socket.setSoLinger(true, 0); // close with a reset
            }
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(server.log()).contains("ended during the handshake"));
            assertThat(server.log()).doesNotContain("reached at the tail of the pipeline");
            try (BlockingNbdClient client = BlockingNbdClient.connect(server.address(), Optional.empty(),
                    Duration.ofSeconds(30))) {
                client.write(0, new byte[] {7}, false);
                assertThat(client.read(0, 1)).containsExactly(7);
            }
        }
    }
}
