package net.flexnbd.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** User errors through bin/flexnbd end to end: a non-zero exit and exactly one line on stderr. */
class CommandLineErrorsIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    void serveAMissingFile() throws Exception {
        Path missing = dir.resolve("no-such.img");
        Tool.Outcome run = flexnbd("serve", "--addr", "127.0.0.1", "--port", "0", "--file", missing.toString());

        assertOneLineError(run);
        assertThat(run.err()).contains(missing.toString());
    }

    @Test
    void serveOnAPortInUse() throws Exception {
        Path file = TestFiles.sparse(dir.resolve("disk.img"), 1024 * 1024);
        Path socket = dir.resolve("ctl");
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
            String port = Integer.toString(taken.getLocalPort());
            Tool.Outcome run = flexnbd("serve", "-l", "127.0.0.1", "-p", port, "-f", file.toString(),
                    "-s", socket.toString());

            assertOneLineError(run);
            assertThat(run.err()).contains("127.0.0.1:" + port);
        }
        assertThat(Files.exists(socket)).as("control socket left behind").isFalse();
    }

    @Test
    void statusOnAMissingSocket() throws Exception {
        Path missing = dir.resolve("no-such.sock");
        Tool.Outcome run = flexnbd("status", "--sock", missing.toString());

        assertOneLineError(run);
        assertThat(run.err()).contains(missing.toString());
    }

    private static Tool.Outcome flexnbd(String... arguments) throws Exception {
        String[] command = new String[arguments.length + 1];
        command[0] = FlexnbdServer.LAUNCHER.toString();
        System.arraycopy(arguments, 0, command, 1, arguments.length);
        return Tool.run(TIMEOUT, command);
    }

    private static void assertOneLineError(Tool.Outcome run) {
        assertThat(run.status()).as(run.describe("status")).isNotZero();
        assertThat(run.out()).as("stdout").isEmpty();
        assertThat(run.err()).as("stderr").endsWith("\n");
        assertThat(run.err().lines()).as("stderr lines").hasSize(1);
    }
}
