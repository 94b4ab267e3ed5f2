package net.flexnbd.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import net.flexnbd.protocol.Nbd;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Requests over the 32 MiB cap: the server answers EINVAL at once and reads past a write's
 * payload without keeping it, so a client claiming gigabytes costs it no more than a few
 * socket buffers, and the connection stays in step for the next request.
 */
class OversizedRequestIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final int CHUNK = 1 << 20;

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
    void aWriteClaimingTwoGigabytesIsRefusedAndItsPayloadIsNotBuffered() throws IOException {
        witness.check();
        long baseline = Memory.buffers();
        long peak = baseline;
        try (RawClient hostile = RawClient.connect(server.address(), TIMEOUT).handshake()) {
            hostile.send(RawClient.request(Nbd.REQUEST_MAGIC, 0, Nbd.CMD_WRITE, 7, 0, 0x7fffffffL));
            byte[] chunk = new byte[CHUNK];
            for (int sent = 0; sent < 48; sent++) {
                java.util.Arrays.fill(chunk, (byte) sent);
                hostile.send(chunk);
                if (sent >= 8) {
                    peak = Math.max(peak, Memory.buffers());
                }
            }
            assertReply(hostile.input(), 7, Nbd.EINVAL);
        }
        assertThat(peak - baseline).as("buffer memory while 48 MiB of an oversized write streamed in")
                .isLessThan(Nbd.MAX_PAYLOAD);
        witness.check();
    }

    @Test
    void theStreamStaysInStepAfterAnOversizedWrite() throws IOException {
        try (RawClient client = RawClient.connect(server.address(), TIMEOUT).handshake()) {
            long length = Nbd.MAX_PAYLOAD + 1L;
            client.send(RawClient.request(Nbd.REQUEST_MAGIC, 0, Nbd.CMD_WRITE, 1, 0, length));
            byte[] chunk = new byte[CHUNK];
            java.util.Arrays.fill(chunk, (byte) 0x55);
            for (long sent = 0; sent < length; sent += CHUNK) {
                client.send(sent + CHUNK <= length ? chunk : java.util.Arrays.copyOf(chunk, (int) (length - sent)));
            }
            client.send(RawClient.request(Nbd.REQUEST_MAGIC, 0, Nbd.CMD_READ, 2, 4096, 4096));

            assertReply(client.input(), 1, Nbd.EINVAL);
            assertReply(client.input(), 2, 0);
            assertThat(client.readFully(4096)).as("the read after the skipped payload").isEqualTo(ServerUnderTest.original(4096, 4096));
        }
        witness.check();
    }

    @Test
    void readsOverTheCapOrPastTheEndAreRefusedWithoutAllocatingThem() throws IOException {
        long baseline = Memory.buffers();
        try (RawClient client = RawClient.connect(server.address(), TIMEOUT).handshake()) {
            client.send(RawClient.request(Nbd.REQUEST_MAGIC, 0, Nbd.CMD_READ, 1, 0, Nbd.MAX_PAYLOAD + 1L));
            client.send(RawClient.request(Nbd.REQUEST_MAGIC, 0, Nbd.CMD_READ, 2, 0, 0xffffffffL));
            client.send(RawClient.request(Nbd.REQUEST_MAGIC, 0, Nbd.CMD_READ, 3, ServerUnderTest.SIZE - 4096L, Nbd.MAX_PAYLOAD));
            client.send(RawClient.request(Nbd.REQUEST_MAGIC, 0, Nbd.CMD_READ, 4, -4096L, 4096));

            for (long cookie = 1; cookie <= 4; cookie++) {
                assertReply(client.input(), cookie, Nbd.EINVAL);
            }
        }
        assertThat(Memory.buffers() - baseline).isLessThan(Nbd.MAX_PAYLOAD);
        witness.check();
    }

    /** Reads one simple reply header (replies to these come back in the order asked). */
    private static void assertReply(DataInputStream in, long cookie, int errno) throws IOException {
        assertThat(in.readInt()).as("reply magic").isEqualTo(Nbd.SIMPLE_REPLY_MAGIC);
        int error = in.readInt();
        long got = in.readLong();
        assertThat(got).as("cookie").isEqualTo(cookie);
        assertThat(error).as("errno of request %d", cookie).isEqualTo(errno);
    }
}
