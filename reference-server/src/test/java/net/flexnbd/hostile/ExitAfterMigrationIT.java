package net.flexnbd.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import net.flexnbd.app.Server;
import net.flexnbd.control.ControlClient;
import net.flexnbd.protocol.HandshakeStyle;
import net.flexnbd.server.ServerSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code listen --exit-after-migration}, as the original flexnbd's listen: once the
 * migration has arrived the destination exits 0 with the data on disk, and serves nobody.
 */
class ExitAfterMigrationIT {
    private static final int SIZE = 4 << 20;
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    Path directory;

    @Test
    void theDestinationExitsZeroWithTheMigratedDataInsteadOfServing() throws Exception {
        byte[] data = new byte[SIZE];
        new Random(5).nextBytes(data);
        Path sourceFile = Files.write(directory.resolve("source.img"), data);
        Path destinationFile = Files.write(directory.resolve("destination.img"), new byte[SIZE]);
        Path sourceSocket = directory.resolve("s.sock");

        try (Server destination = Server.start(settings(ServerSettings.Mode.LISTEN, destinationFile, Optional.empty())
                        .withExitAfterMigration(true));
             Server source = Server.start(settings(ServerSettings.Mode.SERVE, sourceFile, Optional.of(sourceSocket)))) {
            int port = destination.migrationAddress().orElseThrow().getPort();
            CompletableFuture<Integer> destinationExit = CompletableFuture.supplyAsync(() -> {
                try {
                    return destination.awaitExit();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });

            assertThat(ControlClient.send(sourceSocket, "mirror", List.of("127.0.0.1", Integer.toString(port)), TIMEOUT)
                    .toLine()).startsWith("0:");

            assertThat(destinationExit.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isZero();
            assertThat(destination.servingAddress()).as("it never served").isEmpty();
            assertThat(source.awaitExit()).isZero();
        }
        assertThat(Files.readAllBytes(destinationFile)).isEqualTo(data);
    }

    private static ServerSettings settings(ServerSettings.Mode mode, Path file, Optional<Path> socket) {
        return new ServerSettings(mode, new InetSocketAddress("127.0.0.1", 0), file, socket, List.of(), false, false,
                ServerSettings.DEFAULT_REQUEST_TIMEOUT, HandshakeStyle.NEWSTYLE, Optional.empty());
    }
}
