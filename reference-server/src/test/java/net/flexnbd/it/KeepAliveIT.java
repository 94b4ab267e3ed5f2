package net.flexnbd.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.flexnbd.protocol.client.BlockingNbdClient;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keep-alive seen from outside: the kernel's keep-alive timer on the server's client
 * sockets ({@code ss -tnoe}), and a peer that vanishes without a word dropped after idle +
 * interval * count ({@code bench/dead-peer.sh}, in a network namespace of its own).
 */
class KeepAliveIT {
    /** ss prints the time to the next probe as, say, "24sec" or "2min4sec" (or "850ms"). */
    private static final Pattern KEEPALIVE_TIMER = Pattern.compile("timer:\\(keepalive,([0-9a-z.]+),");
    private static final Pattern TIME_PART = Pattern.compile("([0-9.]+)(min|sec|ms)");

    @TempDir
    Path dir;

    @Test
    void theServersClientSocketsRunTheKeepAliveTimerItWasGiven() throws Exception {
        Path file = TestFiles.sparse(dir.resolve("disk.img"), 1 << 20);
        for (Map.Entry<String[], Double> run : Map.of(new String[0], 30.0,
                new String[] {"--keepalive-idle", "7", "--keepalive-interval", "2", "--keepalive-count", "5"}, 7.0).entrySet()) {
            try (FlexnbdServer server = FlexnbdServer.serve(dir, file, run.getKey());
                 BlockingNbdClient client = BlockingNbdClient.connect(server.address(), Optional.empty(), Duration.ofSeconds(30))) {
                // Until the handshake's last bytes are acknowledged, ss shows the retransmission timer.
                String timer = await("a keep-alive timer on the server's side").atMost(Duration.ofSeconds(20))
                        .until(() -> keepAliveTimer(server.port()), Optional::isPresent).orElseThrow();

                assertThat(seconds(timer)).as("seconds to the first probe (%s)", timer)
                        .isGreaterThan(0).isLessThanOrEqualTo(run.getValue());
            }
        }
    }

    private static Optional<String> keepAliveTimer(int port) throws Exception {
        String sockets = Tool.run(Duration.ofSeconds(10), "ss", "-tnoe", "state", "established",
                "( sport = :" + port + " )").requireSuccess().out();
        Matcher timer = KEEPALIVE_TIMER.matcher(sockets);
        return timer.find() ? Optional.of(timer.group(1)) : Optional.empty();
    }

    private static double seconds(String timer) {
        double seconds = 0;
        for (Matcher part = TIME_PART.matcher(timer); part.find(); ) {
            double value = Double.parseDouble(part.group(1));
            seconds += switch (part.group(2)) {
                case "min" -> value * 60;
                case "sec" -> value;
                default -> value / 1000;
            };
        }
        return seconds;
    }

    @Test
    void aPeerThatVanishesIsDroppedAfterIdlePlusIntervalTimesCount() throws Exception {
        Tool.Outcome namespace = Tool.run(Duration.ofSeconds(10), "unshare", "-n", "true");
        Assumptions.assumeTrue(namespace.status() == 0, "needs a network namespace of its own (root or user namespaces)");
        Path script = FlexnbdServer.LAUNCHER.getParent().getParent().resolve("bench/dead-peer.sh");

        Tool.Outcome run = Tool.run(Duration.ofSeconds(120), Map.of("KEEPALIVE", "2 1 2"), java.util.List.of(script.toString()))
                .requireSuccess();

        Matcher dropped = Pattern.compile("dropped after ([0-9.]+) s").matcher(run.out());
        assertThat(dropped.find()).as(run.out()).isTrue();
        double seconds = Double.parseDouble(dropped.group(1));
        // At most idle + interval * count after the last activity (the handshake), so a little less from the link going down.
        assertThat(seconds).as("expected up to 2 + 1 * 2 = 4 s").isBetween(2.0, 15.0);
        System.out.println(run.out().trim());
    }
}
