package net.flexnbd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import net.flexnbd.control.ControlResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The lean control-mode entry takes exactly the plain command lines, and sends for each the
 * request picocli sends; everything else it leaves to picocli.
 */
class QuickControlTest {

    /** What one run did, as far as anyone outside the process can tell. */
    record Outcome(int status, String out, String err, Object sent) {}

    private static Outcome throughPicocli(String[] args, ControlResponse answer) {
        FakeEnvironment fake = new FakeEnvironment();
        fake.controlAnswer = answer;
        int status = Main.commandLine(fake.environment()).execute(args);
        return new Outcome(status, fake.out(), fake.err(), fake.sent);
    }

    private static Outcome throughQuickPath(String[] args, ControlResponse answer) {
        FakeEnvironment fake = new FakeEnvironment();
        fake.controlAnswer = answer;
        int status = QuickControl.parse(args).orElseThrow().run(fake.environment());
        return new Outcome(status, fake.out(), fake.err(), fake.sent);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "status -s /run/ctl",
        "status --sock /run/ctl --timeout 5",
        "status --sock=/run/ctl --timeout=007 -v",
        "break -q -s /run/ctl",
        "acl -s /run/ctl",
        "acl 10.0.0.0/8 -s /run/ctl ::1 192.0.2.1",
        "mirror -s /run/ctl -l 10.0.0.2 -p 4000",
        "mirror --addr=fd00::2 --port 4000 --unlink --max-bps 5 -s /run/ctl",
        "mirror -s /run/ctl -l 10.0.0.2 -p 4000 -u -b 10.0.0.1 --max-bps 1000 --timeout 9",
        "mirror -s /run/ctl -l 10.0.0.2 -p 4000 --tls",
    })
    void aPlainCommandLineSendsWhatPicocliWouldSend(String commandLine) {
        String[] args = commandLine.split(" ");
        assertThat(QuickControl.parse(args)).isPresent();
        for (ControlResponse answer : new ControlResponse[] {ControlResponse.ok("fine"), ControlResponse.error(5, "no")}) {
            Outcome quick = throughQuickPath(args, answer);
            assertThat(quick).isEqualTo(throughPicocli(args, answer));
            assertThat(quick.sent()).asList().hasSize(1);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "status",
        "status -s",
        "status -s /run/ctl -s /run/other",
        "status -s /run/ctl extra",
        "status -s /run/ctl --timeout 0",
        "status -s /run/ctl --timeout 1e3",
        "status -s /run/ctl -h",
        "status -s -v",
        "status -sv /run/ctl",
        "status -s=/run/ctl",
        "status --verbose=true -s /run/ctl",
        "break -s /run/ctl --unlink",
        "acl -s /run/ctl not-an-address",
        "acl -s /run/ctl -- 10.0.0.1",
        "mirror -s /run/ctl -l 10.0.0.2",
        "mirror -s /run/ctl -l dest.example -p 4000",
        "mirror -s /run/ctl -l 10.0.0.2 -p 0",
        "mirror -s /run/ctl -l 10.0.0.2 -p 70000",
        "mirror -s /run/ctl -l 10.0.0.2 -p +4000",
        "mirror -s /run/ctl -l 10.0.0.2 -p 4000 --max-bps 0",
        "mirror -s /run/ctl -l 10.0.0.2 -p 4000 -b me",
        "mirror -s /run/ctl -l 10.0.0.2 -p 4000 -u -u",
        "serve -l 127.0.0.1 -p 4000 -f disk",
        "-v status -s /run/ctl",
        "help status",
    })
    void anythingElseIsLeftToPicocli(String commandLine) {
        assertThat(QuickControl.parse(commandLine.split(" "))).isEmpty();
    }

    @Test
    void noArgumentsAtAllIsLeftToPicocli() {
        assertThat(QuickControl.parse(new String[0])).isEmpty();
    }

    @Test
    void anUnreachableSocketIsTheSameOneLineAsThroughPicocli() {
        String[] args = {"status", "-s", "/run/gone"};
        FakeEnvironment quick = new FakeEnvironment();
        quick.controlFailure = new IOException("control socket /run/gone does not exist");
        FakeEnvironment picocli = new FakeEnvironment();
        picocli.controlFailure = quick.controlFailure;

        assertThat(QuickControl.parse(args).orElseThrow().run(quick.environment())).isEqualTo(1);
        assertThat(Main.commandLine(picocli.environment()).execute(args)).isEqualTo(1);
        assertThat(quick.err()).isEqualTo("flexnbd status: control socket /run/gone does not exist\n")
                .isEqualTo(picocli.err());
    }
}
