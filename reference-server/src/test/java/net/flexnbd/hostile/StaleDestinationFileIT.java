package net.flexnbd.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.RandomAccessFile;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import net.flexnbd.app.Server;
import net.flexnbd.control.ControlClient;
import net.flexnbd.control.ControlResponse;
import net.flexnbd.protocol.HandshakeStyle;
import net.flexnbd.server.ServerSettings;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A destination started on a file that already holds data (a listener restarted after it
 * crashed mid-migration, as the campaign found): the source never sends its holes, so the
 * copy is right only if the listener zeroes its file before the first attempt too.
 */
class StaleDestinationFileIT {
    private static final int SIZE = 1 << 20;
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    Path directory;

    @Test
    void theSourcesHolesReplaceWhateverTheDestinationFileHeld() throws Exception {
        Path sourceFile = directory.resolve("source.img");
        byte[] data = new byte[SIZE / 2];
        Arrays.fill(data, (byte) 'S');
        Files.write(sourceFile, data);
        try (RandomAccessFile sparse = new RandomAccessFile(sourceFile.toFile(), "rw")) {
            sparse.setLength(SIZE); // the second half is a hole
        }
        Path destinationFile = directory.resolve("destination.img");
        byte[] stale = new byte[SIZE];
        Arrays.fill(stale, (byte) 'D');
        Files.write(destinationFile, stale);

        Path destinationSocket = directory.resolve("d.sock");
        Path sourceSocket = directory.resolve("s.sock");
        try (Server destination = Server.start(settings(ServerSettings.Mode.LISTEN, destinationFile, destinationSocket));
             Server source = Server.start(settings(ServerSettings.Mode.SERVE, sourceFile, sourceSocket))) {
            int port = destination.migrationAddress().orElseThrow().getPort();
            ControlResponse started = ControlClient.send(sourceSocket, "mirror", List.of("127.0.0.1", Integer.toString(port)), TIMEOUT);
            assertThat(started.toLine()).startsWith("0:");
            Awaitility.await("the destination in control").atMost(TIMEOUT).until(destination::hasControl);
            assertThat(source.awaitExit()).isZero();
        }

        byte[] copy = Files.readAllBytes(destinationFile);
        assertThat(Arrays.copyOfRange(copy, 0, SIZE / 2)).as("the source's data").containsOnly((byte) 'S');
        assertThat(Arrays.copyOfRange(copy, SIZE / 2, SIZE)).as("where the source has a hole").containsOnly((byte) 0);
    }

    private static ServerSettings settings(ServerSettings.Mode mode, Path file, Path socket) {
        return new ServerSettings(mode, new InetSocketAddress("127.0.0.1", 0), file, Optional.of(socket), List.of(), false, false,
                ServerSettings.DEFAULT_REQUEST_TIMEOUT, HandshakeStyle.NEWSTYLE, Optional.empty());
    }
}
