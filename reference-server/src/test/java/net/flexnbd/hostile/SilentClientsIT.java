package net.flexnbd.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import net.flexnbd.app.Server;
import net.flexnbd.control.ControlClient;
import net.flexnbd.control.ControlResponse;
import net.flexnbd.protocol.HandshakeStyle;
import net.flexnbd.protocol.Nbd;
import net.flexnbd.server.ServerSettings;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clients that connect and then say nothing, or stop halfway through the handshake or a
 * request header: nobody else waits for them, the handshake ones are closed once the
 * handshake deadline passes, and a client stalled inside a request header neither holds up a
 * migration nor outlives the handover.
 */
class SilentClientsIT {
    /** Short, so that the test sees it pass; the server's default is 30 s. */
    private static final long HANDSHAKE_MILLIS = 1000;
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    Path directory;
    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
    }

    private ServerUnderTest serveWithHandshakeDeadline() {
        String previous = System.setProperty("flexnbd.handshakeTimeoutMillis", Long.toString(HANDSHAKE_MILLIS));
        try {
            ServerUnderTest server = ServerUnderTest.serve(directory);
            resources.add(server);
            return server;
        } finally {
            if (previous == null) {
                System.clearProperty("flexnbd.handshakeTimeoutMillis");
            } else {
                System.setProperty("flexnbd.handshakeTimeoutMillis", previous);
            }
        }
    }

    @Test
    void clientsSilentDuringTheHandshakeAreClosedAtTheDeadlineWhileOthersAreServed() throws Exception {
        ServerUnderTest server = serveWithHandshakeDeadline();
        Witness witness = new Witness(server.address());
        resources.add(witness);
        List<RawClient> silent = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            RawClient client = RawClient.connect(server.address(), TIMEOUT);
            resources.add(client);
            silent.add(client);
            switch (i % 3) {
                case 0 -> { } // nothing at all
                case 1 -> client.send(new byte[] {0, 0}); // half the client flags
                default -> client.send(ByteBuffer.allocate(4 + 10).putInt(Nbd.FLAG_C_FIXED_NEWSTYLE)
                        .putLong(Nbd.IHAVEOPT).putShort((short) 0).array()); // half an option header
            }
        }

        for (int round = 0; round < 5; round++) {
            witness.check();
        }
        assertThat(Integer.parseInt(server.status().get("num_clients"))).isGreaterThanOrEqualTo(1);

        for (RawClient client : silent) {
            assertThat(client.closedByServerWithin(TIMEOUT)).as("a silent client is closed by the server").isTrue();
        }
        Awaitility.await("only the witness left").atMost(TIMEOUT)
                .until(() -> server.status().get("num_clients").equals("1"));
        witness.check();
    }

    @Test
    void aClientSilentAfterItsHandshakeStaysConnected() throws Exception {
        ServerUnderTest server = serveWithHandshakeDeadline();
        RawClient idle = RawClient.connect(server.address(), TIMEOUT).handshake();
        resources.add(idle);

        assertThat(idle.closedByServerWithin(Duration.ofMillis(3 * HANDSHAKE_MILLIS)))
                .as("an idle client in transmission is an ordinary client").isFalse();
        idle.send(RawClient.request(Nbd.REQUEST_MAGIC, 0, Nbd.CMD_READ, 9, 0, 4096));
        assertThat(idle.input().readInt()).isEqualTo(Nbd.SIMPLE_REPLY_MAGIC);
    }

    @Test
    void aClientStalledInsideARequestHeaderHoldsUpNeitherOthersNorAMigration() throws Exception {
        ServerUnderTest source = serveWithHandshakeDeadline();
        Witness witness = new Witness(source.address());
        resources.add(witness);
        RawClient stalled = RawClient.connect(source.address(), TIMEOUT).handshake();
        resources.add(stalled);
        stalled.send(java.util.Arrays.copyOf(RawClient.request(Nbd.REQUEST_MAGIC, 0, Nbd.CMD_WRITE, 1, 0, 4096), 14));
        witness.check();

        Path copy = Files.createTempFile(directory, "copy-", ".img");
        Files.write(copy, new byte[ServerUnderTest.SIZE]);
        Path socket = directory.resolve("dest.sock");
        Server destination = Server.start(new ServerSettings(ServerSettings.Mode.LISTEN, new InetSocketAddress("127.0.0.1", 0),
                copy, Optional.of(socket), List.of(), false, false, ServerSettings.DEFAULT_REQUEST_TIMEOUT,
                HandshakeStyle.NEWSTYLE, Optional.empty()));
        resources.add(destination);
        InetSocketAddress migration = destination.migrationAddress().orElseThrow();

        ControlResponse started = source.control("mirror", "127.0.0.1", Integer.toString(migration.getPort()));

        assertThat(started.toLine()).startsWith("0:");
        Awaitility.await("the destination in control").atMost(Duration.ofSeconds(60)).until(destination::hasControl);
        assertThat(stalled.closedByServerWithin(TIMEOUT)).as("the handover closes the stalled client").isTrue();
        assertThat(Files.mismatch(source.file(), copy)).as("the copy matches the source").isEqualTo(-1L);
        ControlResponse status = ControlClient.send(socket, "status", List.of(), TIMEOUT);
        assertThat(status.message()).contains("has_control=true");
    }
}
