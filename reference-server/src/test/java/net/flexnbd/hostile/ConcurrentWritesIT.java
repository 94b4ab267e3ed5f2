package net.flexnbd.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.flexnbd.protocol.Nbd;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clients on different connections write the same 4 KiB block at the same time, each
 * payload arriving in two pieces. NBD leaves the order of such writes open, but once they
 * are all answered the block must hold one of them whole, as a disk would: never a mix.
 * (The campaign found such a mix: seed 20261126, run 75.)
 */
class ConcurrentWritesIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final int CLIENTS = 4;
    private static final int ROUNDS = 3000;
    private static final long BLOCK = 512 * 1024;

    @TempDir
    Path directory;
    private ServerUnderTest server;
    private final List<RawClient> clients = new ArrayList<>();

    @BeforeEach
    void start() throws IOException {
        server = ServerUnderTest.serve(directory);
        for (int i = 0; i < CLIENTS; i++) {
            clients.add(RawClient.connect(server.address(), TIMEOUT).handshake());
        }
    }

    @AfterEach
    void stop() throws IOException {
        for (RawClient client : clients) {
            client.close();
        }
        server.close();
    }

    @Test
    void concurrentWritesToOneBlockLeaveOneOfThemWhole() throws Exception {
        int mixed = 0;
        for (int round = 0; round < ROUNDS; round++) {
            List<byte[]> payloads = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                byte[] payload = new byte[4096];
                Arrays.fill(payload, (byte) (1 + i + CLIENTS * (round % 50)));
                payloads.add(payload);
            }
            int split = 512 + 8 * (round % 200);
            int second = split + 1024;
            for (int i = 0; i < CLIENTS; i++) {
                clients.get(i).send(concat(RawClient.request(Nbd.REQUEST_MAGIC, 0, Nbd.CMD_WRITE, round, BLOCK, 4096),
                        Arrays.copyOf(payloads.get(i), split)));
            }
            for (int i = 0; i < CLIENTS; i++) {
                clients.get(i).send(Arrays.copyOfRange(payloads.get(i), split, second));
            }
            for (int i = 0; i < CLIENTS; i++) {
                clients.get(i).send(Arrays.copyOfRange(payloads.get(i), second, 4096));
            }
            for (RawClient client : clients) {
                assertThat(client.input().readInt()).isEqualTo(Nbd.SIMPLE_REPLY_MAGIC);
                assertThat(client.input().readInt()).as("errno").isZero();
                client.input().readLong();
            }
            RawClient reader = clients.get(0);
            reader.send(RawClient.request(Nbd.REQUEST_MAGIC, 0, Nbd.CMD_READ, -1, BLOCK, 4096));
            assertThat(reader.input().readInt()).isEqualTo(Nbd.SIMPLE_REPLY_MAGIC);
            assertThat(reader.input().readInt()).isZero();
            reader.input().readLong();
            byte[] block = reader.readFully(4096);
            if (payloads.stream().noneMatch(p -> Arrays.equals(p, block))) {
                mixed++;
            }
        }
        assertThat(mixed).as("rounds out of %d that left a mix of several writes", ROUNDS).isZero();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
