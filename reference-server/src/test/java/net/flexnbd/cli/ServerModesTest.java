package net.flexnbd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import net.flexnbd.protocol.HandshakeStyle;
import net.flexnbd.export.ExportOptions;
import net.flexnbd.export.MigrationTuning;
import net.flexnbd.limits.ConnectionLimits;
import net.flexnbd.limits.KeepAlive;
import net.flexnbd.server.ServerSettings;
import net.flexnbd.server.StartupException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** serve and listen: options to settings, errors as one line, running until a signal. */
class ServerModesTest {

    @TempDir
    Path dir;

    private Path disk;
    private final FakeEnvironment fake = new FakeEnvironment();

    @BeforeEach
    void createDisk() throws Exception {
        disk = Files.write(dir.resolve("disk.img"), new byte[4096]);
    }

    @Test
    void longAndShortOptionsGiveTheSameSettings() throws Exception {
        FakeEnvironment longForm = new FakeEnvironment();
        assertThat(longForm.run("serve", "--addr", "127.0.0.1", "--port", "4000", "--file", disk.toString(),
                "--sock", dir.resolve("ctl").toString(), "--default-deny", "--killswitch", "10.0.0.0/8", "::1"))
                .isZero();
        FakeEnvironment shortForm = new FakeEnvironment();
        assertThat(shortForm.run("serve", "-l", "127.0.0.1", "-p", "4000", "-f", disk.toString(),
                "-s", dir.resolve("ctl").toString(), "-d", "-k", "10.0.0.0/8", "::1")).isZero();
        FakeEnvironment clustered = new FakeEnvironment();
        assertThat(clustered.run("serve", "-dk", "-l127.0.0.1", "-p4000", "-f", disk.toString(),
                "-s", dir.resolve("ctl").toString(), "10.0.0.0/8", "::1")).isZero();

        ServerSettings expected = new ServerSettings(ServerSettings.Mode.SERVE,
                new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 4000), disk,
                Optional.of(dir.resolve("ctl")), List.of("10.0.0.0/8", "::1"), true, true,
                ServerSettings.DEFAULT_REQUEST_TIMEOUT, HandshakeStyle.NEWSTYLE, Optional.empty());
        assertThat(longForm.started).containsExactly(expected);
        assertThat(shortForm.started).containsExactly(expected);
        assertThat(clustered.started).containsExactly(expected);
    }

    @Test
    void defaultsAreNoSocketNoAclNewstyleAnd120Seconds() {
        assertThat(fake.run("serve", "-l", "::1", "-p", "0", "-f", disk.toString())).isZero();
        ServerSettings settings = fake.started.get(0);
        assertThat(settings.bind().getAddress().getHostAddress()).isEqualTo("0:0:0:0:0:0:0:1");
        assertThat(settings.bind().getPort()).isZero();
        assertThat(settings.controlSocket()).isEmpty();
        assertThat(settings.aclEntries()).isEmpty();
        assertThat(settings.defaultDeny()).isFalse();
        assertThat(settings.killswitch()).isFalse();
        assertThat(settings.requestTimeout()).isEqualTo(Duration.ofSeconds(120));
        assertThat(settings.handshake()).isEqualTo(HandshakeStyle.NEWSTYLE);
        assertThat(settings.rebind()).isEmpty();
    }

    @Test
    void handshakeAndRequestTimeoutAreOurAdditions() {
        assertThat(fake.run("serve", "-l", "127.0.0.1", "-p", "4000", "-f", disk.toString(),
                "--handshake", "OldStyle", "--request-timeout", "7", "-k")).isZero();
        assertThat(fake.started.get(0).handshake()).isEqualTo(HandshakeStyle.OLDSTYLE);
        assertThat(fake.started.get(0).requestTimeout()).isEqualTo(Duration.ofSeconds(7));
    }

    @Test
    void readOnlyAndDescriptionSetTheExportOptions() {
        assertThat(fake.run("serve", "-l", "127.0.0.1", "-p", "4000", "-f", disk.toString(),
                "--read-only", "--description", "VM disk \u00e9")).isZero();
        assertThat(fake.run("serve", "-r", "-l", "127.0.0.1", "-p", "4000", "-f", disk.toString())).isZero();
        assertThat(fake.run("serve", "-l", "127.0.0.1", "-p", "4000", "-f", disk.toString())).isZero();

        assertThat(fake.started).extracting(ServerSettings::export).containsExactly(
                new ExportOptions(true, "VM disk \u00e9"), new ExportOptions(true, ""), ExportOptions.DEFAULTS);
    }

    @Test
    void anOverlongDescriptionIsAUsageError() {
        assertThat(fake.run("serve", "-l", "127.0.0.1", "-p", "4000", "-f", disk.toString(),
                "--description", "x".repeat(4097))).isEqualTo(2);
        assertThat(fake.err()).contains("--description").contains("4097 bytes");
        assertThat(fake.started).isEmpty();
    }

    @Test
    void migrationTimeoutAndRetryDelayAreOurAdditionsWithTheTuningDefaultsOtherwise() {
        assertThat(fake.run("listen", "-l", "127.0.0.1", "-p", "4000", "-f", disk.toString(),
                "--migration-timeout", "4", "--retry-delay", "200")).isZero();
        assertThat(fake.run("serve", "-l", "127.0.0.1", "-p", "4000", "-f", disk.toString(),
                "--retry-delay", "0")).isZero();
        assertThat(fake.run("serve", "-l", "127.0.0.1", "-p", "4000", "-f", disk.toString())).isZero();

        assertThat(fake.started.get(0).migration()).isEqualTo(MigrationTuning.DEFAULTS
                .withLinkTimeout(Duration.ofSeconds(4)).withRetryDelay(Duration.ofMillis(200)));
        assertThat(fake.started.get(1).migration()).isEqualTo(MigrationTuning.DEFAULTS.withRetryDelay(Duration.ZERO));
        assertThat(fake.started.get(2).migration()).isEqualTo(MigrationTuning.DEFAULTS);
    }

    @Test
    void listenRebindsWhereToldDefaultingEachPartToTheListeningAddress() throws Exception {
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        assertThat(fake.run("listen", "-l", "127.0.0.1", "-p", "4000", "-f", disk.toString())).isZero();
        assertThat(fake.run("listen", "-l", "127.0.0.1", "-p", "4000", "-f", disk.toString(),
                "--rebind-addr", "127.0.0.2", "--rebind-port", "4001")).isZero();
        assertThat(fake.run("listen", "-l", "127.0.0.1", "-p", "4000", "-f", disk.toString(), "-P", "4002")).isZero();
        assertThat(fake.run("listen", "-l", "127.0.0.1", "-p", "4000", "-f", disk.toString(), "-L", "127.0.0.3")).isZero();

        assertThat(fake.started).extracting(ServerSettings::mode).containsOnly(ServerSettings.Mode.LISTEN);
        assertThat(fake.started).extracting(ServerSettings::rebind).containsExactly(
                Optional.empty(),
                Optional.of(new InetSocketAddress(InetAddress.getByName("127.0.0.2"), 4001)),
                Optional.of(new InetSocketAddress(loopback, 4002)),
                Optional.of(new InetSocketAddress(InetAddress.getByName("127.0.0.3"), 4000)));
        assertThat(fake.started.get(0).servingAddress()).isEqualTo(new InetSocketAddress(loopback, 4000));
    }

    @Test
    void limitsDefaultToFlexnbdsAndTakeTheirOptions() throws Exception {
        assertThat(fake.run("serve", "-l", "127.0.0.1", "-p", "4000", "-f", disk.toString())).isZero();
        assertThat(fake.run("listen", "-l", "127.0.0.1", "-p", "4000", "-f", disk.toString(),
                "--max-payload-memory", "1G", "--receive-timeout", "5", "--max-clients", "10",
                "--keepalive-idle", "7", "--keepalive-interval", "2", "--keepalive-count", "4",
                "--exit-after-migration")).isZero();

        assertThat(fake.started.get(0).limits()).isEqualTo(ConnectionLimits.DEFAULTS);
        assertThat(fake.started.get(0).exitAfterMigration()).isFalse();
        assertThat(fake.started.get(1).limits()).isEqualTo(new ConnectionLimits(1L << 30, Duration.ofSeconds(5),
                new KeepAlive(Duration.ofSeconds(7), Duration.ofSeconds(2), 4), 10));
        assertThat(fake.started.get(1).exitAfterMigration()).isTrue();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "serve -l 127.0.0.1 -p 1 -f DISK --max-payload-memory 16M | invalid value for --max-payload-memory: 16M is less than one largest request (32M)",
        "serve -l 127.0.0.1 -p 1 -f DISK --max-payload-memory lots | invalid value for --max-payload-memory: lots is not a number of bytes (digits, optionally followed by K, M or G)",
        "serve -l 127.0.0.1 -p 1 -f DISK --max-clients 0 | invalid value for --max-clients: 0 must be at least 1",
        "serve -l 127.0.0.1 -p 1 -f DISK --receive-timeout 0 | invalid value for --receive-timeout: 0 must be at least 1",
        "serve -l 127.0.0.1 -p 1 -f DISK --keepalive-count 0 | invalid value for --keepalive-count: 0 must be at least 1",
        "serve -l 127.0.0.1 -p 1 -f DISK --exit-after-migration | Unknown option: '--exit-after-migration'",
        "serve -l 127.0.0.1 -p 1 -f DISK --tls require | --tls require needs --tls-certificates (a directory of PEM files)",
        "serve -l 127.0.0.1 -p 1 -f DISK --tls-certificates DIR --tls-verify-peer | --tls-verify-peer needs --tls on or --tls require",
        "serve -l 127.0.0.1 -p 1 -f DISK --tls-certificates DIR/absent | invalid value for --tls-certificates: DIR/absent is not a directory",
        "serve -l 127.0.0.1 -p 1 -f DISK --tls on --tls-certificates DIR/absent | invalid value for --tls-certificates: DIR/absent is not a directory",
        "serve -l 127.0.0.1 -p 1 -f DISK --tls on --tls-certificates DIR --handshake oldstyle | --tls needs the newstyle handshake (the oldstyle hello has no options)",
        "serve -l 127.0.0.1 -p 1 -f DISK --tls maybe | Invalid value for option '--tls': expected one of [OFF, ON, REQUIRE] (case-insensitive) but was 'maybe'",
        "serve                                   | Missing required options: '--addr=ADDR', '--port=PORT', '--file=FILE'",
        "serve -p 4000 -f DISK                   | Missing required option: '--addr=ADDR'",
        "serve -l 127.0.0.1 -f DISK              | Missing required option: '--port=PORT'",
        "serve -l 127.0.0.1 -p 4000              | Missing required option: '--file=FILE'",
        "listen -l 127.0.0.1 -p 4000             | Missing required option: '--file=FILE'",
        "serve -l localhost -p 4000 -f DISK      | invalid value for --addr: not an IPv4 or IPv6 address: 'localhost'",
        "serve -l 127.0.0.1 -p 65536 -f DISK     | invalid value for --port: port 65536 is not from 0 to 65535",
        "serve -l 127.0.0.1 -p -1 -f DISK        | invalid value for --port: port -1 is not from 0 to 65535",
        "serve -l 127.0.0.1 -p http -f DISK      | Invalid value for option '--port': 'http' is not an int",
        "serve -l 127.0.0.1 -p 1 -f DIR/absent   | invalid value for --file: DIR/absent does not exist",
        "serve -l 127.0.0.1 -p 1 -f DIR          | invalid value for --file: DIR is a directory; expected a file",
        "serve -l 127.0.0.1 -p 1 -f DISK 10.0.0  | invalid access list entry: not an IPv4/IPv6 address or CIDR range: '10.0.0'",
        "serve -l 127.0.0.1 -p 1 -f DISK ::/200  | invalid access list entry: prefix length '200' in '::/200' is not a number from 0 to 128",
        "serve -l 127.0.0.1 -p 1 -f DISK --request-timeout 0 | invalid value for --request-timeout: 0 is not a number of seconds of at least 1",
        "serve -l 127.0.0.1 -p 1 -f DISK --migration-timeout 0 | invalid value for --migration-timeout: 0 is not a number of seconds of at least 1",
        "listen -l 127.0.0.1 -p 1 -f DISK --retry-delay -5 | invalid value for --retry-delay: -5 is not a number of milliseconds of at least 0",
        "serve -l 127.0.0.1 -p 1 -f DISK --retry-delay soon | Invalid value for option '--retry-delay': 'soon' is not a long",
        "serve -l 127.0.0.1 -p 1 -f DISK --handshake v2 | Invalid value for option '--handshake': expected one of [NEWSTYLE, OLDSTYLE] (case-insensitive) but was 'v2'",
        "serve -l 127.0.0.1 -p 1 -f DISK --frob  | Unknown option: '--frob'",
        "serve --frob                            | unknown option or argument '--frob'",
        "listen -l 127.0.0.1 -p 1 -f DISK -L x   | invalid value for --rebind-addr: not an IPv4 or IPv6 address: 'x'",
        "listen -l 127.0.0.1 -p 1 -f DISK -P 70000 | invalid value for --rebind-port: port 70000 is not from 0 to 65535",
        "serve -l 127.0.0.1 -p 1 -f DISK -L 127.0.0.1 | Unknown option: '-L'",
    })
    void everyUsageErrorIsOneLineOnStderrAndStatusTwo(String commandLine, String message) {
        String[] args = commandLine.replace("DISK", disk.toString()).replace("DIR", dir.toString()).split(" ");
        String mode = args[0];

        assertThat(fake.run(args)).isEqualTo(2);

        String expectedMessage = message.replace("DIR", dir.toString());
        assertThat(fake.errLines()).containsExactly(
                "flexnbd " + mode + ": " + expectedMessage + " (see 'flexnbd help " + mode + "')");
        assertThat(fake.out()).isEmpty();
        assertThat(fake.started).isEmpty();
    }

    @Test
    void aServerThatCannotStartIsOneLineAndStatusOne() {
        fake.startupFailure = new StartupException("cannot bind 127.0.0.1:4000: Address already in use");
        assertThat(fake.run("serve", "-l", "127.0.0.1", "-p", "4000", "-f", disk.toString())).isEqualTo(1);
        assertThat(fake.errLines()).containsExactly("flexnbd serve: cannot bind 127.0.0.1:4000: Address already in use");
        assertThat(fake.events).doesNotContain("shutdown");
    }

    @Test
    void theServersExitStatusIsTheProcesssExitStatus() {
        fake.exitStatus = 3;
        assertThat(fake.run("listen", "-l", "127.0.0.1", "-p", "4000", "-f", disk.toString())).isEqualTo(3);
    }

    @Test
    void aShutdownSignalShutsTheServerDownAndTheModeReturnsItsStatus() throws Exception {
        fake.awaitShutdown = true;
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(
                () -> fake.run("serve", "-l", "127.0.0.1", "-p", "4000", "-f", disk.toString()));
        assertThat(fake.signalsInstalled.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(exit).isNotDone();

        fake.signalAction.accept("SIGQUIT");

        assertThat(exit.get(10, TimeUnit.SECONDS)).isZero();
        assertThat(fake.events).containsExactly("log NORMAL", "signals", "start", "shutdown");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "''          | NORMAL",
        "-v          | VERBOSE",
        "-q          | QUIET",
        "-v -q       | QUIET",
        "-q -v       | VERBOSE",
        "-qv         | VERBOSE",
        "-vq         | QUIET",
        "--quiet --verbose --quiet | QUIET",
        "-v -v       | VERBOSE",
    })
    void theLastOfVerboseAndQuietWinsAndIsAppliedBeforeTheServerStarts(String flags, Verbosity expected) {
        List<String> args = new java.util.ArrayList<>(List.of("serve", "-l", "127.0.0.1", "-p", "4000"));
        if (!flags.isEmpty()) {
            args.addAll(List.of(flags.split(" ")));
        }
        args.addAll(List.of("-f", disk.toString()));
        assertThat(fake.run(args.toArray(String[]::new))).isZero();
        assertThat(fake.verbosity).isEqualTo(expected);
        assertThat(fake.events).startsWith("log " + expected, "signals", "start");
    }

    @Test
    void globalOptionsMayAlsoComeBeforeTheMode() {
        assertThat(fake.run("-q", "serve", "-l", "127.0.0.1", "-p", "4000", "-f", disk.toString())).isZero();
        assertThat(fake.verbosity).isEqualTo(Verbosity.QUIET);
        FakeEnvironment other = new FakeEnvironment();
        assertThat(other.run("-q", "serve", "-v", "-l", "127.0.0.1", "-p", "4000", "-f", disk.toString())).isZero();
        assertThat(other.verbosity).isEqualTo(Verbosity.VERBOSE);
    }
}
