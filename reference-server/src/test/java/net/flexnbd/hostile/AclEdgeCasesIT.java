package net.flexnbd.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import net.flexnbd.control.ControlResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Access lists end to end, over real connections from 127.0.0.1, 127.0.0.2 and ::1:
 * IPv4-mapped IPv6 entries, CIDR boundaries and host bits, the empty list with and without
 * {@code --default-deny}, and lists replaced at run time.
 */
class AclEdgeCasesIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @TempDir
    Path directory;

    static Stream<Arguments> ipv4Cases() {
        return Stream.of(
                // entries, default-deny, allowed from 127.0.0.1, allowed from 127.0.0.2
                Arguments.of(List.of(), false, true, true),
                Arguments.of(List.of(), true, false, false),
                Arguments.of(List.of("127.0.0.1"), false, true, false),
                Arguments.of(List.of("127.0.0.1"), true, true, false),
                Arguments.of(List.of("::ffff:127.0.0.1"), false, true, false),
                Arguments.of(List.of("::ffff:127.0.0.2"), false, false, true),
                Arguments.of(List.of("::ffff:127.0.0.0/127"), false, true, false),
                Arguments.of(List.of("::ffff:127.0.0.0/126"), false, true, true),
                Arguments.of(List.of("::ffff:0:0/96"), false, true, true),
                Arguments.of(List.of("127.0.0.0/31"), false, true, false),
                Arguments.of(List.of("127.0.0.2/31"), false, false, true),
                Arguments.of(List.of("127.0.0.1/31"), false, true, false),
                Arguments.of(List.of("127.0.0.1/32"), false, true, false),
                Arguments.of(List.of("127.0.0.0/30"), false, true, true),
                Arguments.of(List.of("127.0.0.0/8"), false, true, true),
                Arguments.of(List.of("128.0.0.0/1"), false, false, false),
                Arguments.of(List.of("0.0.0.0/1"), false, true, true),
                Arguments.of(List.of("0.0.0.0/0"), false, true, true),
                Arguments.of(List.of("::/0"), false, true, true),
                Arguments.of(List.of("::1"), false, false, false),
                Arguments.of(List.of("::127.0.0.1"), false, false, false),
                Arguments.of(List.of("10.0.0.0/8", "127.0.0.2"), true, false, true));
    }

    @ParameterizedTest(name = "{0} default-deny={1}: 127.0.0.1 {2}, 127.0.0.2 {3}")
    @MethodSource("ipv4Cases")
    void ipv4Clients(List<String> entries, boolean defaultDeny, boolean fromOne, boolean fromTwo) throws IOException {
        try (ServerUnderTest server = ServerUnderTest.start(directory, "127.0.0.1", entries, defaultDeny)) {
            assertThat(admitted(server.address(), "127.0.0.1")).as("127.0.0.1 admitted").isEqualTo(fromOne);
            assertThat(admitted(server.address(), "127.0.0.2")).as("127.0.0.2 admitted").isEqualTo(fromTwo);
        }
    }

    static Stream<Arguments> ipv6Cases() {
        return Stream.of(
                Arguments.of(List.of("::1"), true),
                Arguments.of(List.of("::1/128"), true),
                Arguments.of(List.of("::/127"), true),
                Arguments.of(List.of("::2/127"), false),
                Arguments.of(List.of("::/0"), true),
                Arguments.of(List.of("127.0.0.1"), false),
                Arguments.of(List.of("::ffff:127.0.0.1"), false),
                Arguments.of(List.of("0.0.0.0/0"), false),
                Arguments.of(List.of(), true));
    }

    @ParameterizedTest(name = "{0}: ::1 {1}")
    @MethodSource("ipv6Cases")
    void ipv6LoopbackClient(List<String> entries, boolean admitted) throws IOException {
        try (ServerUnderTest server = ServerUnderTest.start(directory, "::1", entries, false)) {
            assertThat(admitted(server.address(), "::1")).isEqualTo(admitted);
        }
    }

    @Test
    void replacingTheListDisconnectsExactlyTheClientsItRefuses() throws IOException {
        try (ServerUnderTest server = ServerUnderTest.start(directory, "127.0.0.1", List.of(), false)) {
            RawClient one = connected(server, "127.0.0.1");
            RawClient two = connected(server, "127.0.0.2");

            assertThat(server.control("acl", "::ffff:127.0.0.2").code()).isZero();

            assertThat(one.closedByServerWithin(TIMEOUT)).as("127.0.0.1 disconnected").isTrue();
            assertThat(two.closedByServerWithin(Duration.ofMillis(500))).as("127.0.0.2 still connected").isFalse();
            assertThat(admitted(server.address(), "127.0.0.1")).isFalse();

            ControlResponse bad = server.control("acl", "127.0.0.1", "127.0.0.300");
            assertThat(bad.code()).isNotZero();
            assertThat(bad.message()).contains("127.0.0.300");
            assertThat(admitted(server.address(), "127.0.0.1")).as("a refused list changes nothing").isFalse();

            assertThat(server.control("acl").code()).as("the empty list").isZero();
            assertThat(admitted(server.address(), "127.0.0.1")).as("without --default-deny, everyone").isTrue();
            two.close();
            one.close();
        }
    }

    @Test
    void withDefaultDenyTheEmptyListDisconnectsEveryone() throws IOException {
        try (ServerUnderTest server = ServerUnderTest.start(directory, "127.0.0.1", List.of("127.0.0.0/8"), true)) {
            RawClient one = connected(server, "127.0.0.1");

            assertThat(server.control("acl").code()).isZero();

            assertThat(one.closedByServerWithin(TIMEOUT)).isTrue();
            assertThat(admitted(server.address(), "127.0.0.2")).isFalse();
            one.close();
        }
    }

    /** A client from {@code from} that has finished its handshake. */
    private static RawClient connected(ServerUnderTest server, String from) throws IOException {
        return RawClient.connect(server.address(), InetAddress.getByName(from), TIMEOUT).handshake();
    }

    /** Whether the server greets a client from {@code from} (a refused one is closed before the hello). */
    private static boolean admitted(InetSocketAddress server, String from) throws IOException {
        try (RawClient client = RawClient.connect(server, InetAddress.getByName(from), TIMEOUT)) {
            byte[] hello = new byte[8];
            int n = client.input().read(hello);
            if (n < 0) {
                return false;
            }
            assertThat(Arrays.copyOf(hello, n)).as("the start of NBDMAGIC").isEqualTo(Arrays.copyOf("NBDMAGIC".getBytes(), n));
            return true;
        } catch (java.net.SocketException e) {
            return false; // reset rather than closed
        }
    }
}
