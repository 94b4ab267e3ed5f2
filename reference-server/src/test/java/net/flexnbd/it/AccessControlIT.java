package net.flexnbd.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import net.flexnbd.protocol.client.BlockingNbdClient;
import net.flexnbd.protocol.client.NbdErrorException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The access list at the door and at run time, with two loopback addresses: a refused
 * client is closed before any byte of the hello, and {@code flexnbd acl} drops connected
 * clients the new list refuses while letting the newly allowed ones in.
 */
class AccessControlIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final long SIZE = 4L * 1024 * 1024;

    @TempDir
    Path dir;

    @Test
    void aClientOutsideTheListNeverSeesAHello() throws Exception {
        Path file = TestFiles.sparse(dir.resolve("disk.img"), SIZE);
        try (FlexnbdServer server = FlexnbdServer.serve(dir, file, "127.0.0.1")) {
            try (RawNbdConnection refused = RawNbdConnection.connect(server.address(), address("127.0.0.2"))) {
                assertThat(refused.bytesUntilClosed()).as("bytes a refused client receives").isZero();
            }
            try (BlockingNbdClient allowed = connect(server, "127.0.0.1")) {
                assertThat(allowed.exportSize()).isEqualTo(SIZE);
                assertThat(allowed.read(0, 512)).isEqualTo(new byte[512]);
            }
        }
    }

    @Test
    void defaultDenyWithAnEmptyListRefusesEveryone() throws Exception {
        Path file = TestFiles.sparse(dir.resolve("disk.img"), SIZE);
        try (FlexnbdServer server = FlexnbdServer.serve(dir, file, "--default-deny");
             RawNbdConnection refused = RawNbdConnection.connect(server.address(), address("127.0.0.1"))) {
            assertThat(refused.bytesUntilClosed()).as("bytes a refused client receives").isZero();
            assertThat(server.connectedClients()).as("clients the server counts").isZero();
        }
    }

    @Test
    void aclAtRunTimeDropsTheNewlyRefusedAndLetsTheNewlyAllowedIn() throws Exception {
        Path file = TestFiles.sparse(dir.resolve("disk.img"), SIZE);
        try (FlexnbdServer server = FlexnbdServer.serve(dir, file, "--default-deny", "127.0.0.1");
             BlockingNbdClient first = connect(server, "127.0.0.1")) {
            first.write(0, new byte[] {1, 2, 3, 4}, false);
            try (RawNbdConnection early = RawNbdConnection.connect(server.address(), address("127.0.0.2"))) {
                assertThat(early.bytesUntilClosed()).as("bytes 127.0.0.2 receives before the change").isZero();
            }

            Tool.Outcome acl = Tool.run(TIMEOUT, FlexnbdServer.LAUNCHER.toString(), "acl",
                    "--sock", server.controlSocket().toString(), "127.0.0.2/32").requireSuccess();
            assertThat(acl.err()).isEmpty();

            await("the 127.0.0.1 client is disconnected").atMost(TIMEOUT).until(() -> connectionLost(first));
            try (BlockingNbdClient second = connect(server, "127.0.0.2")) {
                assertThat(second.read(0, 4)).isEqualTo(new byte[] {1, 2, 3, 4});
                second.write(512, new byte[] {9}, true);
                assertThat(second.read(512, 1)).isEqualTo(new byte[] {9});
            }
            try (RawNbdConnection late = RawNbdConnection.connect(server.address(), address("127.0.0.1"))) {
                assertThat(late.bytesUntilClosed()).as("bytes 127.0.0.1 receives after the change").isZero();
            }
        }
    }

    /** True once a request on {@code client} fails for want of a connection (not for an error reply). */
    private static boolean connectionLost(BlockingNbdClient client) {
        try {
            client.read(0, 512);
            return false;
        } catch (NbdErrorException e) {
            throw new AssertionError("the server answered with an error instead of disconnecting", e);
        } catch (IOException e) {
            return true;
        }
    }

    private static BlockingNbdClient connect(FlexnbdServer server, String from) throws IOException {
        return BlockingNbdClient.connect(server.address(), Optional.of(address(from)), TIMEOUT);
    }

    private static InetAddress address(String literal) throws IOException {
        return InetAddress.getByName(literal);
    }
}
