package net.flexnbd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import net.flexnbd.control.ControlClient;
import net.flexnbd.control.ControlCommands;
import net.flexnbd.control.ControlResponse;
import net.flexnbd.control.ControlSocketServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The control modes through a real control socket, in process. */
@SuppressWarnings("try") // the server is only opened and closed around each test
class ControlModesEndToEndTest {

    @TempDir
    Path dir;

    private final List<String> received = Collections.synchronizedList(new ArrayList<>());

    private ControlSocketServer server(Path socket) throws Exception {
        return ControlSocketServer.open(socket, ControlCommands.of(Map.of(
                "status", (command, arguments) -> {
                    received.add(command + arguments);
                    return ControlResponse.ok("pid=1 size=4096 is_mirroring=false has_control=true");
                },
                "acl", (command, arguments) -> {
                    received.add(command + arguments);
                    return arguments.contains("10.9.9.9")
                            ? ControlResponse.error(4, "acl refused")
                            : ControlResponse.ok("acl replaced");
                })));
    }

    private static int run(FakeEnvironment fake, String... args) {
        return Main.run(args, fake.environment(ControlClient::send));
    }

    @Test
    void statusPrintsTheServersLineAndExitsZero() throws Exception {
        Path socket = dir.resolve("ctl");
        try (ControlSocketServer ignored = server(socket)) {
            FakeEnvironment fake = new FakeEnvironment();
            assertThat(run(fake, "status", "--sock", socket.toString())).isZero();
            assertThat(fake.out()).isEqualTo("pid=1 size=4096 is_mirroring=false has_control=true\n");
            assertThat(fake.err()).isEmpty();
        }
        assertThat(received).containsExactly("status[]");
    }

    @Test
    void statusJsonPrintsTheSameStateTyped() throws Exception {
        Path socket = dir.resolve("ctl");
        try (ControlSocketServer ignored = server(socket)) {
            FakeEnvironment fake = new FakeEnvironment();
            assertThat(run(fake, "status", "--json", "--sock", socket.toString())).isZero();
            assertThat(fake.out()).isEqualTo("{\"pid\":1,\"size\":4096,\"is_mirroring\":false,\"has_control\":true}\n");
        }
    }

    @Test
    void aclSendsItsEntriesAndExitsWithTheServersCode() throws Exception {
        Path socket = dir.resolve("ctl");
        try (ControlSocketServer ignored = server(socket)) {
            FakeEnvironment ok = new FakeEnvironment();
            assertThat(run(ok, "acl", "-s", socket.toString(), "127.0.0.1", "fd00::/8")).isZero();
            assertThat(ok.out()).isEqualTo("acl replaced\n");

            FakeEnvironment refused = new FakeEnvironment();
            assertThat(run(refused, "acl", "-s", socket.toString(), "10.9.9.9")).isEqualTo(4);
            assertThat(refused.err()).isEqualTo("acl refused\n");
            assertThat(refused.out()).isEmpty();
        }
        assertThat(received).containsExactly("acl[127.0.0.1, fd00::/8]", "acl[10.9.9.9]");
    }

    @Test
    void anUnknownCommandOnTheServerIsItsCodeAndMessage() throws Exception {
        Path socket = dir.resolve("ctl");
        try (ControlSocketServer ignored = server(socket)) {
            FakeEnvironment fake = new FakeEnvironment();
            assertThat(run(fake, "break", "-s", socket.toString())).isEqualTo(2);
            assertThat(fake.err()).isEqualTo("unknown command 'break'; expected one of acl, status\n");
        }
    }

    @Test
    void aMissingSocketIsOneLineNamingItAndStatusOne() {
        Path socket = dir.resolve("gone");
        FakeEnvironment fake = new FakeEnvironment();
        assertThat(run(fake, "status", "-s", socket.toString())).isEqualTo(1);
        assertThat(fake.errLines()).containsExactly("flexnbd status: control socket " + socket + " does not exist");
    }
}
