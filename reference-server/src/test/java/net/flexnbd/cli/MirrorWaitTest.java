package net.flexnbd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import net.flexnbd.control.ControlResponse;
import org.junit.jupiter.api.Test;

/** mirror --wait follows the source's status to the end of the migration and exits with its outcome. */
class MirrorWaitTest {
    private static final String MIRRORING = "pid=1 size=1048576 is_mirroring=true clients_allowed=true num_clients=0 "
            + "has_control=true migration_speed=2097152 migration_duration=1 migration_seconds_left=%d "
            + "migration_bytes_left=%d migration_speed_limit=unlimited migration_pass=%d migration_attempts=1";

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    private final Deque<Object> answers = new ArrayDeque<>();
    private int pauses;

    private MirrorWait waiting(boolean terminal) {
        CliEnvironment.ControlSender control = (socket, command, arguments, timeout) -> {
            assertThat(command).isEqualTo("status");
            Object next = answers.isEmpty() ? new IOException("control socket /run/a.sock does not exist") : answers.poll();
            if (next instanceof IOException e) {
                throw e;
            }
            return (ControlResponse) next;
        };
        return new MirrorWait(control, Path.of("/run/a.sock"), out, terminal, () -> pauses++);
    }

    private void mirroring(int secondsLeft, long bytesLeft, int pass) {
        answers.add(ControlResponse.ok(String.format(MIRRORING, secondsLeft, bytesLeft, pass)));
    }

    @Test
    void plainLinesThenZeroOnceTheSourceHasGone() throws Exception {
        mirroring(1, 786432, 1);
        mirroring(0, 262144, 2);

        assertThat(waiting(false).await()).isZero();

        assertThat(bytes.toString(StandardCharsets.UTF_8).lines().toList()).containsExactly(
                "mirror: 25% of this pass sent, 2.0 MiB/s, about 1 s left, pass 1, attempt 1",
                "mirror: 75% of this pass sent, 2.0 MiB/s, about 0 s left, pass 2, attempt 1",
                "mirror: migration complete: the source has handed over and exited");
        assertThat(pauses).isEqualTo(2);
    }

    @Test
    void aBarRewrittenInPlaceOnATerminal() throws Exception {
        mirroring(1, 524288, 1);
        answers.add(ControlResponse.ok("pid=1 size=1048576 is_mirroring=false clients_allowed=false num_clients=0 "
                + "has_control=false"));

        assertThat(waiting(true).await()).isZero();

        String shown = bytes.toString(StandardCharsets.UTF_8);
        assertThat(shown).startsWith("\r[###############...............]  50%  2.0 MiB/s  ETA 1 s  pass 1, attempt 1\033[K");
        assertThat(shown).endsWith("\r\033[Kmirror: migration complete: the destination has taken over" + System.lineSeparator());
    }

    @Test
    void aStoppedMigrationIsElevenAndSaysSo() throws Exception {
        mirroring(5, 1048576, 1);
        answers.add(ControlResponse.ok("pid=1 size=1048576 is_mirroring=false clients_allowed=true num_clients=0 "
                + "has_control=true"));

        assertThat(waiting(false).await()).isEqualTo(MirrorWait.STOPPED);
        assertThat(bytes.toString(StandardCharsets.UTF_8)).contains("stopped before the handover");
    }

    @Test
    void anUnchangedLineIsNotRepeatedEveryPoll() throws Exception {
        for (int i = 0; i < 5; i++) {
            mirroring(3, 524288, 1);
        }
        waiting(false).await();
        assertThat(bytes.toString(StandardCharsets.UTF_8).lines().filter(l -> l.contains("50%")).toList()).hasSize(1);
        assertThat(List.of(pauses)).containsExactly(5);
    }
}
