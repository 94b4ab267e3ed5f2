package net.flexnbd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import net.flexnbd.control.ControlCommands;
import net.flexnbd.control.ControlResponse;
import net.flexnbd.control.ControlSocketServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** bin/flexnbd, the committed launcher, run as a real process against the packaged jar. */
class LauncherIT {

    private static final Path LAUNCHER = Path.of("..", "bin", "flexnbd").toAbsolutePath().normalize();

    @TempDir
    Path dir;

    /** Exit status, stdout and stderr of one run. */
    record Run(int status, String out, String err) {}

    private static Run flexnbd(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(LAUNCHER.toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).start();
        process.getOutputStream().close();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(process.exitValue(),
                new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
                new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    @Test
    void statusThroughTheLauncherPrintsTheServersLine() throws Exception {
        assertThat(Files.isExecutable(LAUNCHER)).isTrue();
        Path socket = dir.resolve("ctl");
        try (ControlSocketServer server = ControlSocketServer.open(socket, ControlCommands.of(Map.of(
                "status", (command, arguments) -> ControlResponse.ok("pid=7 size=4096 is_mirroring=false"))))) {
            Run status = flexnbd("status", "--sock", server.socketPath().toString());
            assertThat(status).isEqualTo(new Run(0, "pid=7 size=4096 is_mirroring=false\n", ""));

            Run unknown = flexnbd("break", "-s", socket.toString());
            assertThat(unknown.status()).isEqualTo(2);
            assertThat(unknown.err()).isEqualTo("unknown command 'break'; expected one of status\n");
        }
    }

    @Test
    void userErrorsAreOneLineAndNonZero() throws Exception {
        Run missing = flexnbd("serve", "-l", "127.0.0.1");
        assertThat(missing.status()).isEqualTo(2);
        assertThat(missing.err()).isEqualTo("flexnbd serve: Missing required options: '--port=PORT', '--file=FILE'"
                + " (see 'flexnbd help serve')\n");

        Path gone = dir.resolve("gone");
        Run unreachable = flexnbd("status", "-s", gone.toString());
        assertThat(unreachable).isEqualTo(new Run(1, "", "flexnbd status: control socket " + gone + " does not exist\n"));
    }
}
