package net.flexnbd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import net.flexnbd.protocol.HandshakeStyle;
import net.flexnbd.protocol.TlsMode;
import net.flexnbd.proxy.ProxySettings;
import net.flexnbd.tls.TlsSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code flexnbd proxy}: its options as flexnbd-proxy names them, ours, and one-line usage errors. */
class ProxyModeTest {
    private final FakeEnvironment fake = new FakeEnvironment();
    private final List<ProxySettings> started = new ArrayList<>();

    private int run(String... args) {
        CliEnvironment base = fake.environment();
        CliEnvironment env = new CliEnvironment(base.out(), base.err(), base.in(), base.servers(), base.control(),
                base.nbd(), base.signals(), base.logs(), settings -> {
                    started.add(settings);
                    return new CliEnvironment.RunningServer() {
                        @Override
                        public int awaitExit() {
                            return 0;
                        }

                        @Override
                        public void shutdown() {}
                    };
                });
        return Main.run(args, env);
    }

    @Test
    void longAndShortOptionsGiveTheSameSettings() throws Exception {
        assertThat(run("proxy", "--addr", "127.0.0.1", "--port", "4000", "--conn-addr", "127.0.0.2",
                "--conn-port", "5000", "--bind", "127.0.0.3", "--sock", "/tmp/p.sock")).isZero();
        assertThat(run("proxy", "-l", "127.0.0.1", "-p", "4000", "-C", "127.0.0.2", "-P", "5000", "-b", "127.0.0.3",
                "-s", "/tmp/p.sock")).isZero();
        assertThat(started).hasSize(2);
        assertThat(started.get(0)).isEqualTo(started.get(1));
        ProxySettings settings = started.get(0);
        assertThat(settings.listen()).isEqualTo(new InetSocketAddress("127.0.0.1", 4000));
        assertThat(settings.upstream()).isEqualTo(new InetSocketAddress("127.0.0.2", 5000));
        assertThat(settings.bind()).contains(InetAddress.getByName("127.0.0.3"));
        assertThat(settings.controlSocket()).contains(Path.of("/tmp/p.sock"));
        assertThat(settings.maxWait()).isEmpty();
        assertThat(settings.queueDepth()).isEqualTo(ProxySettings.DEFAULT_QUEUE_DEPTH);
        assertThat(settings.handshake()).isEqualTo(HandshakeStyle.NEWSTYLE);
    }

    @Test
    void tlsOnEachSideIsReadAndTheServerSideDefaultsToTheClientSideDirectory(@TempDir Path pki) throws Exception {
        assertThat(run("proxy", "-l", "127.0.0.1", "-p", "4000", "-C", "127.0.0.1", "-P", "5000",
                "--tls", "require", "--tls-certificates", pki.toString(), "--tls-verify-peer", "--conn-tls")).isZero();
        assertThat(run("proxy", "-l", "127.0.0.1", "-p", "4000", "-C", "127.0.0.1", "-P", "5000",
                "--conn-tls", "--conn-tls-certificates", pki.toString())).isZero();
        assertThat(started.get(0).tls()).isEqualTo(new TlsSettings(TlsMode.REQUIRE, Optional.of(pki), true));
        assertThat(started.get(0).upstreamTls()).contains(pki);
        assertThat(started.get(1).tls()).isEqualTo(TlsSettings.OFF);
        assertThat(started.get(1).upstreamTls()).contains(pki);
        assertThat(run("proxy", "-l", "127.0.0.1", "-p", "4000", "-C", "127.0.0.1", "-P", "5000", "--conn-tls")).isEqualTo(2);
        assertThat(run("proxy", "-l", "127.0.0.1", "-p", "4000", "-C", "127.0.0.1", "-P", "5000",
                "--conn-tls-certificates", pki.toString())).isEqualTo(2);
        assertThat(started).hasSize(2);
    }

    @Test
    void anAddrStartingWithASlashIsAUnixSocketAndOurOptionsAreRead() throws Exception {
        assertThat(run("proxy", "-l", "/tmp/nbd.sock", "-C", "127.0.0.1", "-P", "5000", "--max-wait", "1500ms",
                "--queue-depth", "1", "--reply-timeout", "2m", "--handshake", "oldstyle")).isZero();
        ProxySettings settings = started.get(0);
        assertThat(settings.listen()).isEqualTo(UnixDomainSocketAddress.of("/tmp/nbd.sock"));
        assertThat(settings.maxWait()).contains(Duration.ofMillis(1500));
        assertThat(settings.queueDepth()).isEqualTo(1);
        assertThat(settings.replyTimeout()).isEqualTo(Duration.ofMinutes(2));
        assertThat(settings.handshake()).isEqualTo(HandshakeStyle.OLDSTYLE);
        assertThat(settings.bind()).isEqualTo(Optional.empty());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "proxy -l 127.0.0.1 -C 127.0.0.1 -P 5000                      | missing --port",
        "proxy -l /tmp/s -p 4000 -C 127.0.0.1 -P 5000                 | --port does not apply to a Unix socket",
        "proxy -l 127.0.0.1 -p 4000 -P 5000                           | --conn-addr",
        "proxy -l 127.0.0.1 -p 4000 -C 127.0.0.1 -P 0                 | port 0 is not from 1 to 65535",
        "proxy -l example.com -p 4000 -C 127.0.0.1 -P 5000            | invalid value for --addr",
        "proxy -l 127.0.0.1 -p 4000 -C 127.0.0.1 -P 5000 --max-wait 5x | is not a duration",
        "proxy -l 127.0.0.1 -p 4000 -C 127.0.0.1 -P 5000 --queue-depth 0 | --queue-depth: 0 is not from 1",
    })
    void everyUsageErrorIsOneLineOnStderrAndStatusTwo(String commandLine, String message) {
        assertThat(run(commandLine.trim().split("\\s+"))).isEqualTo(2);
        assertThat(fake.errLines()).hasSize(1);
        assertThat(fake.err()).contains(message);
        assertThat(started).isEmpty();
    }
}
