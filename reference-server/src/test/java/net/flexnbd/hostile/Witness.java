package net.flexnbd.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.Random;
import net.flexnbd.protocol.client.BlockingNbdClient;

/**
 * An ordinary client that stays connected while hostile ones come and go, and proves after
 * each burst that it is still served correctly: it writes a fresh block of its own region
 * (the last MiB of the export, which hostile traffic never reaches) and reads it back, and
 * reads the original data just before that region.
 */
final class Witness implements AutoCloseable {
    /** Where the witness writes: the last MiB. Hostile writes stay below {@link #HOSTILE_LIMIT}. */
    static final long REGION = ServerUnderTest.SIZE - (1 << 20);
    /** Hostile requests that could land stay below this offset, so the region between stays original. */
    static final long HOSTILE_LIMIT = 2L << 20;
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    private final BlockingNbdClient client;
    private final Random random = new Random(1);
    private int round;

    Witness(InetSocketAddress server) throws IOException {
        this.client = BlockingNbdClient.connect(server, Optional.empty(), TIMEOUT);
    }

    /** One write and two reads, all checked. */
    void check() throws IOException {
        long offset = REGION + 4096L * random.nextInt(256);
        byte[] data = new byte[4096];
        Arrays.fill(data, (byte) ++round);
        data[0] = (byte) (round >> 8);
        client.write(offset, data, false);
        assertThat(client.read(offset, data.length)).as("the witness reads back what it wrote at %d", offset).isEqualTo(data);
        long untouched = HOSTILE_LIMIT + 4096L * random.nextInt(256);
        assertThat(client.read(untouched, 4096)).as("original data at %d", untouched)
                .isEqualTo(ServerUnderTest.original(untouched, 4096));
    }

    @Override
    public void close() throws IOException {
        client.disconnect();
    }
}
