package net.flexnbd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import net.flexnbd.control.ControlResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** mirror, break, acl, status, read, write and help, against fakes. */
class ClientModesTest {

    private final FakeEnvironment fake = new FakeEnvironment();

    private List<String> sentArguments(String... args) {
        assertThat(fake.run(args)).isZero();
        assertThat(fake.sent).hasSize(1);
        return fake.sent.get(0).arguments();
    }

    @Test
    void statusAndBreakSendNoArguments() {
        assertThat(sentArguments("status", "-s", "/run/ctl")).isEmpty();
        assertThat(fake.sent.get(0)).isEqualTo(
                new FakeEnvironment.SentRequest(Path.of("/run/ctl"), "status", List.of(), Duration.ofSeconds(60)));
        FakeEnvironment other = new FakeEnvironment();
        assertThat(other.run("break", "--sock", "/run/ctl", "--timeout", "5")).isZero();
        assertThat(other.sent).containsExactly(
                new FakeEnvironment.SentRequest(Path.of("/run/ctl"), "break", List.of(), Duration.ofSeconds(5)));
    }

    @Test
    void aclSendsOneLinePerEntryAndMaySendNone() {
        assertThat(sentArguments("acl", "-s", "/run/ctl", "10.0.0.0/8", "::1", "192.0.2.1"))
                .containsExactly("10.0.0.0/8", "::1", "192.0.2.1");
        FakeEnvironment other = new FakeEnvironment();
        assertThat(other.run("acl", "-s", "/run/ctl")).isZero();
        assertThat(other.sent.get(0).arguments()).isEmpty();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "-l 10.0.0.2 -p 4000                                  | 10.0.0.2,4000,exit",
        "--addr 10.0.0.2 --port 4000 --unlink                 | 10.0.0.2,4000,unlink",
        "-l 10.0.0.2 -p 4000 -u -b 10.0.0.1                   | 10.0.0.2,4000,unlink,10.0.0.1",
        "-l 10.0.0.2 -p 4000 --bind 10.0.0.1 --max-bps 1000   | 10.0.0.2,4000,exit,10.0.0.1,1000",
        "-l 10.0.0.2 -p 4000 --max-bps 1000                   | 10.0.0.2,4000,exit,0.0.0.0,1000",
        "-l fd00::2 -p 4000 --max-bps 5                       | fd00::2,4000,exit,::,5",
        "-l fd00::2 -p 4000 -b fd00::1                        | fd00::2,4000,exit,fd00::1",
        "-l 10.0.0.2 -p 4000 --tls                            | 10.0.0.2,4000,exit,tls",
        "-l 10.0.0.2 -p 4000 -u --max-bps 9 --tls             | 10.0.0.2,4000,unlink,0.0.0.0,9,tls",
    })
    void mirrorSendsAddressPortActionThenTheOptionalBindAndCap(String options, String expected) {
        String[] args = ("mirror -s /run/ctl " + options).split(" ");
        assertThat(sentArguments(args)).containsExactly(expected.split(","));
        assertThat(fake.sent.get(0).command()).isEqualTo("mirror");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "mirror -l 10.0.0.2 -p 4000                    | Missing required option: '--sock=SOCK'",
        "mirror -s S -p 4000                           | Missing required option: '--addr=ADDR'",
        "mirror -s S -l 10.0.0.2                       | Missing required option: '--port=PORT'",
        "mirror -s S -l dest.example -p 4000           | invalid value for --addr: not an IPv4 or IPv6 address: 'dest.example'",
        "mirror -s S -l 10.0.0.2 -p 0                  | invalid value for --port: port 0 is not from 1 to 65535",
        "mirror -s S -l 10.0.0.2 -p 4000 -b me         | invalid value for --bind: not an IPv4 or IPv6 address: 'me'",
        "mirror -s S -l 10.0.0.2 -p 4000 --max-bps 0   | invalid value for --max-bps: 0 is not a number of bytes per second of at least 1 (leave it off for no cap)",
        "mirror -s S -l 10.0.0.2 -p 4000 --timeout 0   | invalid value for --timeout: 0 is not a number of seconds of at least 1",
        "break                                         | Missing required option: '--sock=SOCK'",
        "break -s S extra                              | Unmatched argument at index 3: 'extra'",
        "status                                        | Missing required option: '--sock=SOCK'",
        "acl 10.0.0.1                                  | Missing required option: '--sock=SOCK'",
        "acl -s S 10.0.0.1 bogus                       | invalid access list entry: not an IPv4/IPv6 address or CIDR range: 'bogus'",
        "read -l 127.0.0.1 -p 4000 -F 0                | Missing required option: '--size=SIZE'",
        "read -l 127.0.0.1 -p 4000 -S 1                | Missing required option: '--from=OFFSET'",
        "read -p 4000 -F 0 -S 1                        | Missing required option: '--addr=ADDR'",
        "read -l 127.0.0.1 -F 0 -S 1                   | Missing required option: '--port=PORT'",
        "read -l 127.0.0.1 -p 4000 -F -1 -S 1          | invalid value for --from: -1 is negative; expected a byte offset",
        "read -l 127.0.0.1 -p 4000 -F 0 -S -5          | invalid value for --size: -5 is not from 0 to 9223372036854775807",
        "write -l 127.0.0.1 -p 4000 -F 0 -S 1073741825 | invalid value for --size: 1073741825 is not from 0 to 1073741824",
        "write -l 127.0.0.1 -p 4000 -F 9223372036854775807 -S 1 | --from 9223372036854775807 plus --size 1 is past the largest offset",
        "write -l 127.0.0.1 -p 4000 -F 0 -S 1 -b host  | invalid value for --bind: not an IPv4 or IPv6 address: 'host'",
        "help frob                                     | unknown mode 'frob': expected one of serve, listen, mirror, break, acl, status, read, write, proxy, help",
    })
    void everyUsageErrorIsOneLineOnStderrAndStatusTwo(String commandLine, String message) {
        String[] args = commandLine.split(" +");
        String mode = args[0];
        assertThat(fake.run(args)).isEqualTo(2);
        assertThat(fake.errLines()).containsExactly(
                "flexnbd " + mode + ": " + message + " (see 'flexnbd help " + mode + "')");
        assertThat(fake.sent).isEmpty();
        assertThat(fake.nbdConnections).isEmpty();
    }

    @Test
    void aSuccessfulAnswerGoesToStdoutAndExitsZero() {
        fake.controlAnswer = ControlResponse.ok("pid=42 size=4096 is_mirroring=false");
        assertThat(fake.run("status", "-s", "/run/ctl")).isZero();
        assertThat(fake.out()).isEqualTo("pid=42 size=4096 is_mirroring=false\n");
        assertThat(fake.err()).isEmpty();
    }

    @Test
    void aFailedAnswerGoesToStderrAndItsCodeIsTheExitStatus() {
        fake.controlAnswer = ControlResponse.error(5, "already mirroring");
        assertThat(fake.run("mirror", "-s", "/run/ctl", "-l", "10.0.0.2", "-p", "4000")).isEqualTo(5);
        assertThat(fake.err()).isEqualTo("already mirroring\n");
        assertThat(fake.out()).isEmpty();
    }

    @Test
    void anUnreachableControlSocketIsOneLineAndStatusOne() {
        fake.controlFailure = new IOException("control socket /run/ctl does not exist");
        assertThat(fake.run("break", "-s", "/run/ctl")).isEqualTo(1);
        assertThat(fake.errLines()).containsExactly("flexnbd break: control socket /run/ctl does not exist");
    }

    @Test
    void readWritesTheServersBytesToStdout() {
        fake.disk = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
        assertThat(fake.run("read", "--addr", "127.0.0.1", "--port", "4000", "--from", "3", "--size", "5")).isZero();
        assertThat(fake.out()).isEqualTo("34567");
        assertThat(fake.nbdCalls).containsExactly(
                new FakeEnvironment.NbdCall("read", 3, 5, false), new FakeEnvironment.NbdCall("close", 0, 0, false));
        assertThat(fake.nbdBinds).containsExactly(java.util.Optional.empty());
    }

    @Test
    void readSplitsRangesLongerThanOneRequest() {
        int size = NbdModeCommand.CHUNK + 10;
        fake.disk = new byte[size + 1];
        assertThat(fake.run("read", "-l", "::1", "-p", "4000", "-F", "1", "-S", Integer.toString(size), "-b", "::1"))
                .isZero();
        assertThat(fake.out.size()).isEqualTo(size);
        assertThat(fake.nbdCalls).containsExactly(
                new FakeEnvironment.NbdCall("read", 1, NbdModeCommand.CHUNK, false),
                new FakeEnvironment.NbdCall("read", 1 + NbdModeCommand.CHUNK, 10, false),
                new FakeEnvironment.NbdCall("close", 0, 0, false));
        assertThat(fake.nbdBinds.get(0)).isPresent();
    }

    @Test
    void writeSendsExactlySizeBytesOfStdinDurably() {
        fake.stdin = "hello, world".getBytes(StandardCharsets.US_ASCII);
        assertThat(fake.run("write", "-l", "127.0.0.1", "-p", "4000", "-F", "2", "-S", "5")).isZero();
        assertThat(new String(fake.disk, 2, 5, StandardCharsets.US_ASCII)).isEqualTo("hello");
        assertThat(fake.nbdCalls).containsExactly(
                new FakeEnvironment.NbdCall("write", 2, 5, true), new FakeEnvironment.NbdCall("close", 0, 0, false));
    }

    @Test
    void shortInputWritesNothingAndSaysHowShort() {
        fake.stdin = "hey".getBytes(StandardCharsets.US_ASCII);
        assertThat(fake.run("write", "-l", "127.0.0.1", "-p", "4000", "-F", "0", "-S", "5")).isEqualTo(1);
        assertThat(fake.errLines()).containsExactly("flexnbd write: stdin ended after 3 of 5 bytes; nothing written");
        assertThat(fake.nbdConnections).isEmpty();
    }

    @Test
    void aFailedConnectionIsOneLineAndStatusOne() {
        fake.nbdFailure = new IOException("connection refused: 127.0.0.1:4000");
        assertThat(fake.run("read", "-l", "127.0.0.1", "-p", "4000", "-F", "0", "-S", "1")).isEqualTo(1);
        assertThat(fake.errLines()).containsExactly("flexnbd read: connection refused: 127.0.0.1:4000");
    }

    @Test
    void helpPrintsTheUsageOfFlexnbdOrOfOneMode() {
        assertThat(fake.run("help")).isZero();
        assertThat(fake.out()).contains("Usage: flexnbd", "serve", "listen", "mirror", "break", "acl", "status",
                "read", "write", "Exit status:");
        FakeEnvironment listen = new FakeEnvironment();
        assertThat(listen.run("help", "listen")).isZero();
        assertThat(listen.out()).contains("Usage: flexnbd listen", "-L, --rebind-addr=ADDR", "-P, --rebind-port=PORT",
                "--handshake", "Exit status:");
        FakeEnvironment dashH = new FakeEnvironment();
        assertThat(dashH.run("mirror", "-h")).isZero();
        assertThat(dashH.out()).contains("Usage: flexnbd mirror", "-u, --unlink", "-b, --bind=ADDR", "--max-bps");
        assertThat(dashH.sent).isEmpty();
    }

    @Test
    void noModeOrAnUnknownModeIsOneLine() {
        assertThat(fake.run()).isEqualTo(2);
        assertThat(fake.errLines()).containsExactly("flexnbd: missing MODE: expected one of serve, listen, mirror,"
                + " break, acl, status, read, write, proxy, help (see 'flexnbd help')");
        FakeEnvironment unknown = new FakeEnvironment();
        assertThat(unknown.run("serv")).isEqualTo(2);
        assertThat(unknown.errLines()).containsExactly("flexnbd: unknown MODE 'serv': expected one of serve, listen,"
                + " mirror, break, acl, status, read, write, proxy, help (see 'flexnbd help')");
    }
}
