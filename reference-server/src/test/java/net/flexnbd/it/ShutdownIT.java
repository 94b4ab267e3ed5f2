package net.flexnbd.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.SplittableRandom;
import net.flexnbd.protocol.client.BlockingNbdClient;
import net.flexnbd.protocol.client.NbdErrorException;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SIGTERM and SIGINT while a client is connected stop the server cleanly: exit status 0,
 * the control socket removed, and every write acknowledged before the signal in the file.
 */
class ShutdownIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @ParameterizedTest(name = "SIG{0}")
    @ValueSource(strings = {"TERM", "INT"})
    void aSignalWithAClientConnectedStopsCleanlyKeepingItsWrites(String signal) throws Exception {
        Path file = TestFiles.sparse(dir.resolve("disk.img"), 16L * 1024 * 1024);
        byte[] data = new byte[1024 * 1024 + 512];
        new SplittableRandom(5).nextBytes(data);
        long offset = 3L * 1024 * 1024 + 512;
        try (FlexnbdServer server = FlexnbdServer.serve(dir, file);
             BlockingNbdClient client = BlockingNbdClient.connect(server.address(),
                     Optional.of(InetAddress.getByName("127.0.0.1")), TIMEOUT)) {
            client.write(offset, data, false); // acknowledged, neither FUA nor FLUSH
            assertThat(Files.exists(server.controlSocket())).isTrue();

            server.signal(signal);

            assertThat(server.awaitExit(TIMEOUT)).as("exit status; log:\n" + server.log()).isZero();
            assertThat(Files.exists(server.controlSocket())).as("control socket left behind").isFalse();
            Throwable lost = catchThrowable(() -> client.read(0, 512));
            assertThat(lost).as("a request after the shutdown").isInstanceOf(IOException.class)
                    .isNotInstanceOf(NbdErrorException.class);
        }
        byte[] inFile = new byte[data.length];
        try (FileChannel channel = FileChannel.open(file)) {
            channel.read(ByteBuffer.wrap(inFile), offset);
        }
        assertThat(inFile).as("the acknowledged write in the file").isEqualTo(data);
    }
}
