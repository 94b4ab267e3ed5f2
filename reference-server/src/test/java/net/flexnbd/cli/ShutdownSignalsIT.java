package net.flexnbd.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SIGINT, SIGQUIT and SIGTERM reach the shutdown action in a real JVM, with and without
 * -Xrs. A JVM's children inherit SIGQUIT blocked, so the child is started through perl,
 * which unblocks it first, as a shell-started process has it.
 */
class ShutdownSignalsIT {

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void intQuitAndTermEachReachTheAction(boolean reduceSignalUsage) throws Exception {
        List<String> command = new ArrayList<>(List.of("perl", "-MPOSIX", "-e",
                "sigprocmask(SIG_UNBLOCK, POSIX::SigSet->new(SIGQUIT)) or die; exec @ARGV or die",
                Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        if (reduceSignalUsage) {
            command.add("-Xrs");
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), SignalProbe.class.getName()));
        Process child = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.appendTo(new File("target/signal-probe.err")))
                .start();
        try {
            List<String> lines = Collections.synchronizedList(new ArrayList<>());
            Thread reader = new Thread(() -> {
                try (BufferedReader out = new BufferedReader(
                        new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = out.readLine()) != null; ) {
                        lines.add(line);
                    }
                } catch (IOException ignored) {
                    // The child is gone; the assertions below say what was missing.
                }
            });
            reader.start();
            await().atMost(Duration.ofSeconds(30)).until(() -> lines.contains("ready"));

            for (String signal : List.of("INT", "QUIT", "TERM")) {
                kill(signal, child.pid());
                await().atMost(Duration.ofSeconds(10)).until(() -> lines.contains("got SIG" + signal));
            }

            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(child.exitValue()).isZero();
            reader.join(10_000);
            assertThat(lines).containsExactly("ready", "got SIGINT", "got SIGQUIT", "got SIGTERM");
        } finally {
            child.destroyForcibly();
        }
    }

    private static void kill(String signal, long pid) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(kill.exitValue()).isZero();
    }
}
