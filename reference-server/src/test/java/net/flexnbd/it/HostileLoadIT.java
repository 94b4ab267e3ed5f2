package net.flexnbd.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import net.flexnbd.protocol.Nbd;
import net.flexnbd.protocol.client.BlockingNbdClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11's attacks on a real server process: payload memory, half-sent requests, and a
 * second server on the same file.
 */
class HostileLoadIT {
    private static final long SIZE = 64L << 20;
    private static final long BUDGET = 256L << 20;
    /**
     * The bound: the budget plus 256 MB for everything else the attack costs. It is
     * counted over the resident memory of the idle server before the attack (the JVM, its code
     * and pools: about 100 MB), which the attack does not make grow.
     */
    private static final long RSS_LIMIT_BYTES = BUDGET + 256_000_000L;
    private static final int ATTACKERS = 1000;
    /** Honest clients write above the attackers' 32 MiB, so their data stays theirs to check. */
    private static final long HONEST_AREA = 32L << 20;
    private static final int HONEST_BLOCK = 256 << 10;
    private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @Test
    void aThousandStalledWritesCostNoMoreThanTheBudgetAndHonestClientsKeepBeingServed() throws Exception {
        Path file = TestFiles.sparse(dir.resolve("disk.img"), SIZE);
        try (FlexnbdServer server = FlexnbdServer.serve(dir, file);
             BlockingNbdClient honest = BlockingNbdClient.connect(server.address(), Optional.empty(), CLIENT_TIMEOUT)) {
            Map<Long, byte[]> written = new ConcurrentHashMap<>();
            AtomicBoolean attackOver = new AtomicBoolean();
            AtomicLong honestRounds = new AtomicLong();
            CompletableFuture<Void> honestWork = CompletableFuture.runAsync(() -> {
                SplittableRandom random = new SplittableRandom(11);
                try {
                    while (!attackOver.get()) {
                        long offset = HONEST_AREA + (long) random.nextInt((int) ((SIZE - HONEST_AREA) / HONEST_BLOCK)) * HONEST_BLOCK;
                        byte[] data = new byte[HONEST_BLOCK];
                        random.nextBytes(data);
                        honest.write(offset, data, false);
                        written.put(offset, data);
                        assertThat(Arrays.equals(honest.read(offset, HONEST_BLOCK), data)).as("read back at %d", offset).isTrue();
                        honestRounds.incrementAndGet();
                    }
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });

            long residentBefore = residentBytes(server.pid());
            long residentPeak;
            try (StalledWrites attack = StalledWrites.open(server.address(), ATTACKERS, 0)) {
                long roundsBefore = honestRounds.get();
                long sent = attack.pushUntilStalled(Duration.ofSeconds(3));
                residentPeak = residentBytes(server.pid());

                // A client that arrives in the middle of it is served too.
                try (BlockingNbdClient fresh = BlockingNbdClient.connect(server.address(), Optional.empty(), CLIENT_TIMEOUT)) {
                    byte[] data = new byte[1 << 20];
                    Arrays.fill(data, (byte) 0x5a);
                    long below = HONEST_AREA - data.length; // where attackers write, but never finish
                    fresh.write(below, data, true);
                    assertThat(Arrays.equals(fresh.read(below, data.length), data)).as("fresh client reads its write").isTrue();
                }
                await("honest client keeps going during the attack").atMost(CLIENT_TIMEOUT)
                        .until(() -> honestRounds.get() > roundsBefore + 20);
                residentPeak = Math.max(residentPeak, residentBytes(server.pid()));

                assertThat(attack.fullySent()).as("attackers whose payload the server read")
                        .isLessThanOrEqualTo((int) (BUDGET / Nbd.MAX_PAYLOAD));
                assertThat(attack.closedByServer()).as("attackers are held, not dropped").isZero();
                assertThat(server.connectedClients()).isGreaterThanOrEqualTo(ATTACKERS);
                System.out.printf("attack: %d connections, %d MiB sent; server resident %d MiB before, %d MiB under"
                        + " attack (limit on the growth %d MiB); honest rounds during it: %d%n", ATTACKERS, sent >> 20,
                        residentBefore >> 20, residentPeak >> 20, RSS_LIMIT_BYTES >> 20, honestRounds.get() - roundsBefore);
            }
            attackOver.set(true);
            honestWork.get();

            assertThat(residentPeak - residentBefore).as("server resident memory the attack added")
                    .isLessThan(RSS_LIMIT_BYTES);
            for (Map.Entry<Long, byte[]> block : written.entrySet()) {
                assertThat(Arrays.equals(honest.read(block.getKey(), HONEST_BLOCK), block.getValue()))
                        .as("honest block at %d", block.getKey()).isTrue();
            }
            assertThat(server.isAlive()).isTrue();
        }
    }

    @Test
    void halfSentRequestsAreClosedAtTheReceiveDeadlineAndIdleClientsAreNot() throws Exception {
        Path file = TestFiles.sparse(dir.resolve("disk.img"), SIZE);
        Duration deadline = Duration.ofSeconds(2);
        try (FlexnbdServer server = FlexnbdServer.serve(dir, file, "--receive-timeout", "2");
             Socket halfHeader = RawNbd.transmission(server);
             Socket halfPayload = RawNbd.transmission(server);
             BlockingNbdClient idleAfterRequest = BlockingNbdClient.connect(server.address(), Optional.empty(), CLIENT_TIMEOUT);
             BlockingNbdClient idleFromTheStart = BlockingNbdClient.connect(server.address(), Optional.empty(), CLIENT_TIMEOUT)) {
            idleAfterRequest.write(0, new byte[] {1, 2, 3}, false);
            ByteBuffer header = RawNbd.header(Nbd.CMD_WRITE, 1, 4096, 4096);
            long start = System.nanoTime();
            halfHeader.getOutputStream().write(header.array(), 0, 10);
            halfPayload.getOutputStream().write(header.array());
            halfPayload.getOutputStream().write(new byte[2000]);

            awaitClosed(halfHeader);
            awaitClosed(halfPayload);
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            assertThat(took).as("time to close half-sent requests").isBetween(deadline, deadline.multipliedBy(6));
            await("idle clients stay connected").during(deadline.multipliedBy(2)).atMost(deadline.multipliedBy(4))
                    .until(() -> server.connectedClients() == 2);
            assertThat(idleAfterRequest.read(0, 3)).containsExactly(1, 2, 3);
            assertThat(idleFromTheStart.read(0, 3)).containsExactly(1, 2, 3);
            assertThat(server.log().lines().filter(l -> l.contains("did not arrive whole within 2000 ms")))
                    .as("one log line per closed connection").hasSize(2);
            System.out.printf("receive deadline %d ms: half-sent requests closed after %d ms%n",
                    deadline.toMillis(), took.toMillis());
        }
    }

    @Test
    void aSecondServerOnTheSameFileFailsAtStartAndTheFirstIsUnharmed() throws Exception {
        Path file = TestFiles.sparse(dir.resolve("disk.img"), SIZE);
        try (FlexnbdServer first = FlexnbdServer.serve(dir, file);
             BlockingNbdClient client = BlockingNbdClient.connect(first.address(), Optional.empty(), CLIENT_TIMEOUT)) {
            client.write(512, new byte[] {9, 8, 7}, true);

            Tool.Outcome second = Tool.run(Duration.ofSeconds(60), FlexnbdServer.LAUNCHER.toString(), "serve",
                    "--addr", "127.0.0.1", "--port", "0", "--file", file.toString());

            assertThat(second.status()).as(second.describe("exit status")).isEqualTo(1);
            assertThat(second.err()).contains(file + " is locked by another server serving it");
            assertThat(second.err().lines().filter(l -> !l.isBlank())).as(second.err()).hasSize(1);
            assertThat(client.read(512, 3)).containsExactly(9, 8, 7);
            assertThat(first.isAlive()).isTrue();
        }
        // Once the first has gone, the file can be served again.
        try (FlexnbdServer again = FlexnbdServer.serve(dir, file)) {
            assertThat(again.isAlive()).isTrue();
        }
    }

    private static void awaitClosed(Socket socket) {
        await("server closes " + socket).atMost(Duration.ofSeconds(30)).until(() -> {
            try {
                return socket.getInputStream().read() < 0;
            } catch (IOException e) {
                return true; // reset
            }
        });
    }

    private static long residentBytes(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
            }
        }
        throw new IllegalStateException("no VmRSS for " + pid);
    }

    /** Blocking raw sockets through the handshake, for requests cut short on purpose. */
    static final class RawNbd {
        private RawNbd() {}

        static Socket transmission(FlexnbdServer server) throws IOException {
            Socket socket = new Socket("127.0.0.1", server.port());
            socket.setSoTimeout(1000);
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            in.readNBytes(18);
            out.write(ByteBuffer.allocate(20).putInt(Nbd.FLAG_C_FIXED_NEWSTYLE | Nbd.FLAG_C_NO_ZEROES)
                    .putLong(Nbd.IHAVEOPT).putInt(Nbd.OPT_EXPORT_NAME).putInt(0).array());
            if (in.readNBytes(10).length != 10) {
                throw new IOException("no export-name answer");
            }
            return socket;
        }

        static ByteBuffer header(int type, long cookie, long offset, int length) {
            return ByteBuffer.allocate(Nbd.REQUEST_HEADER_LENGTH).putInt(Nbd.REQUEST_MAGIC).putShort((short) 0)
                    .putShort((short) type).putLong(cookie).putLong(offset).putInt(length);
        }
    }
}
