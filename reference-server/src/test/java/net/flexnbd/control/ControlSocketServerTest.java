package net.flexnbd.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ControlSocketServerTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private final List<String> calls = Collections.synchronizedList(new ArrayList<>());
    private final List<AutoCloseable> toClose = new ArrayList<>();

    /** Echoes what it was given, so a test can see exactly what reached the handler. */
    private final ControlHandler echo = (command, arguments) -> {
        calls.add(command + arguments);
        return ControlResponse.ok(command + " " + arguments.size() + " " + String.join("|", arguments));
    };

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    private ControlSocketServer open(Path socket, ControlHandler handler) throws IOException {
        ControlSocketServer server = ControlSocketServer.open(socket, handler);
        toClose.add(server);
        return server;
    }

    @Test
    void socketFileIsMode0600WhileOpenAndRemovedOnClose() throws Exception {
        Path socket = dir.resolve("ctl");
        ControlSocketServer server = open(socket, echo);
        assertThat(server.socketPath()).isEqualTo(socket.toAbsolutePath());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket))).isEqualTo("rw-------");
        server.close();
        assertThat(socket).doesNotExist();
        assertThatThrownBy(() -> ControlClient.send(socket, "status", List.of(), TIMEOUT))
                .isInstanceOf(IOException.class).hasMessageContaining(socket.toString());
    }

    @Test
    void requestAndAnswerRoundTrip() throws Exception {
        Path socket = dir.resolve("ctl");
        open(socket, echo);
        ControlResponse response = ControlClient.send(socket, "acl", List.of("10.0.0.0/8", "::1"), TIMEOUT);
        assertThat(response).isEqualTo(ControlResponse.ok("acl 2 10.0.0.0/8|::1"));
        assertThat(calls).containsExactly("acl[10.0.0.0/8, ::1]");
    }

    @Test
    void argumentsReachTheHandlerExactlyAsSentIncludingMissingOnes() throws Exception {
        Path socket = dir.resolve("ctl");
        open(socket, echo);
        assertThat(ControlClient.send(socket, "status", List.of(), TIMEOUT).message()).isEqualTo("status 0 ");
        assertThat(ControlClient.send(socket, "mirror", List.of("127.0.0.1"), TIMEOUT).message())
                .isEqualTo("mirror 1 127.0.0.1");
        assertThat(ControlClient.send(socket, "mirror", List.of(" ", " 4000 "), TIMEOUT).message())
                .isEqualTo("mirror 2  | 4000 ");
        assertThat(calls).containsExactly("status[]", "mirror[127.0.0.1]", "mirror[ ,  4000 ]");
    }

    @Test
    void endOfStreamEndsARequestLikeAnEmptyLineAndCrLfIsAccepted() throws Exception {
        Path socket = dir.resolve("ctl");
        open(socket, echo);
        assertThat(raw(socket, "acl\r\n10.0.0.1\r\n10.0.0.2", true)).isEqualTo("0: acl 2 10.0.0.1|10.0.0.2\n");
    }

    @Test
    void aLineLongerThanTheLimitIsRefusedWithoutCallingTheHandler() throws Exception {
        Path socket = dir.resolve("ctl");
        open(socket, echo);
        String longArgument = "a".repeat(ControlRequestReader.MAX_LINE_BYTES + 1);
        assertThat(raw(socket, "acl\n" + longArgument + "\n\n", false))
                .startsWith("2: ").contains("line 2 is longer than 4096 bytes");
        String exactlyAtLimit = "a".repeat(ControlRequestReader.MAX_LINE_BYTES);
        assertThat(raw(socket, "acl\n" + exactlyAtLimit + "\n\n", false)).startsWith("0: acl 1 ");
        assertThat(calls).hasSize(1);
    }

    @Test
    void aHugeLineWithoutBreaksCostsNoMoreThanTheLimit() throws Exception {
        Path socket = dir.resolve("ctl");
        open(socket, echo);
        assertThat(raw(socket, "x".repeat(1 << 20), false)).startsWith("2: ").contains("longer than");
        assertThat(calls).isEmpty();
    }

    @Test
    void tooManyArgumentsAreRefused() throws Exception {
        Path socket = dir.resolve("ctl");
        open(socket, echo);
        String lines = "10.0.0.1\n".repeat(ControlRequestReader.MAX_ARGUMENTS);
        assertThat(raw(socket, "acl\n" + lines + "\n", false)).startsWith("0: acl 64 ");
        assertThat(raw(socket, "acl\n" + lines + "10.0.0.1\n\n", false)).startsWith("2: too many arguments");
        assertThat(calls).hasSize(1);
    }

    @Test
    void binaryJunkIsAnsweredWithAnErrorAndTheServerCarriesOn() throws Exception {
        Path socket = dir.resolve("ctl");
        open(socket, echo);
        byte[] junk = {(byte) 0xff, (byte) 0xfe, 0x00, 0x01, (byte) 0x80, '\n', '\n'};
        assertThat(raw(socket, junk, false)).startsWith("2: line 1 is not UTF-8 text");
        assertThat(raw(socket, "sta\0tus\n\n", false)).startsWith("2: line 1 holds control character 0x0");
        assertThat(raw(socket, "\n", false)).startsWith("2: empty request");
        assertThat(raw(socket, "", true)).startsWith("2: empty request");
        assertThat(calls).isEmpty();
        assertThat(ControlClient.send(socket, "status", List.of(), TIMEOUT).code()).isZero();
    }

    @Test
    void unknownCommandsGetANonZeroCodeNamingTheKnownOnes() throws Exception {
        Path socket = dir.resolve("ctl");
        ControlCommands commands = ControlCommands.of(Map.of(
                "status", (c, a) -> ControlResponse.ok("pid=1"),
                "break", (c, a) -> ControlResponse.ok("stopped")));
        assertThat(commands.names()).containsExactly("break", "status");
        open(socket, commands);
        ControlResponse unknown = ControlClient.send(socket, "frobnicate", List.of(), TIMEOUT);
        assertThat(unknown.code()).isEqualTo(ControlCodes.BAD_REQUEST);
        assertThat(unknown.message()).isEqualTo("unknown command 'frobnicate'; expected one of break, status");
        assertThat(ControlClient.send(socket, "status", List.of(), TIMEOUT)).isEqualTo(ControlResponse.ok("pid=1"));
    }

    @Test
    void commandNamesMustBeOneWord() {
        assertThatThrownBy(() -> ControlCommands.of(Map.of("two words", echo)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'two words'");
        assertThatThrownBy(() -> ControlCommands.of(Map.of("", echo)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aHandlerThatThrowsIsAnsweredWithItsMessage() throws Exception {
        Path socket = dir.resolve("ctl");
        open(socket, (command, arguments) -> {
            if (command.equals("null")) {
                return null;
            }
            throw new IllegalStateException("disk on fire");
        });
        assertThat(ControlClient.send(socket, "mirror", List.of("x"), TIMEOUT))
                .isEqualTo(ControlResponse.error(ControlCodes.FAILED, "mirror failed: disk on fire"));
        assertThat(ControlClient.send(socket, "null", List.of(), TIMEOUT).code()).isEqualTo(ControlCodes.FAILED);
    }

    @Test
    void aSilentClientTimesOutWhileOthersAreServed() throws Exception {
        Path socket = dir.resolve("ctl");
        ControlSocketServer server = ControlSocketServer.open(socket, echo, Duration.ofMillis(300));
        toClose.add(server);
        try (SocketChannel silent = SocketChannel.open(UnixDomainSocketAddress.of(socket));
             SocketChannel halfway = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            halfway.write(ByteBuffer.wrap("status\n".getBytes(StandardCharsets.US_ASCII)));
            assertThat(ControlClient.send(socket, "status", List.of(), TIMEOUT).code()).isZero();
            assertTimeoutPreemptively(TIMEOUT, () -> {
                assertThat(readAll(silent)).startsWith("2: request not complete within 300 ms");
                assertThat(readAll(halfway)).startsWith("2: request not complete within 300 ms");
            });
        }
        assertThat(calls).containsExactly("status[]");
    }

    @Test
    void aSlowHandlerDoesNotHoldUpOtherConnections() throws Exception {
        Path socket = dir.resolve("ctl");
        CountDownLatch release = new CountDownLatch(1);
        open(socket, (command, arguments) -> {
            if (command.equals("slow")) {
                try {
                    release.await(20, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return ControlResponse.ok(command);
        });
        assertThatThrownBy(() -> ControlClient.send(socket, "slow", List.of(), Duration.ofMillis(200)))
                .isInstanceOf(IOException.class).hasMessageContaining("did not answer within 200 ms")
                .hasMessageContaining(socket.toString());
        assertThat(ControlClient.send(socket, "fast", List.of(), TIMEOUT)).isEqualTo(ControlResponse.ok("fast"));
        release.countDown();
    }

    @Test
    void aLiveServerIsNeverReplaced() throws Exception {
        Path socket = dir.resolve("ctl");
        open(socket, echo);
        assertThatThrownBy(() -> ControlSocketServer.open(socket, echo))
                .isInstanceOf(IOException.class)
                .hasMessage("control socket in use: " + socket.toAbsolutePath());
        assertThat(ControlClient.send(socket, "status", List.of(), TIMEOUT).code()).isZero();
    }

    @Test
    void aStaleSocketFileIsReplaced() throws Exception {
        Path socket = dir.resolve("ctl");
        ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        dead.bind(UnixDomainSocketAddress.of(socket));
        dead.close();
        assertThat(socket).exists();
        assertThatThrownBy(() -> ControlClient.send(socket, "status", List.of(), TIMEOUT))
                .isInstanceOf(IOException.class).hasMessageContaining(socket.toString()).hasMessageContaining("refused");
        open(socket, echo);
        assertThat(ControlClient.send(socket, "status", List.of(), TIMEOUT).code()).isZero();
    }

    @Test
    void aPathThatIsNotASocketIsLeftAlone() throws Exception {
        Path file = dir.resolve("precious");
        Files.writeString(file, "data");
        assertThatThrownBy(() -> ControlSocketServer.open(file, echo))
                .isInstanceOf(IOException.class).hasMessageContaining("not a socket").hasMessageContaining(file.toString());
        assertThat(file).hasContent("data");
    }

    @Test
    void aMissingDirectoryIsAClearError() {
        Path socket = dir.resolve("no/such/dir/ctl");
        assertThatThrownBy(() -> ControlSocketServer.open(socket, echo))
                .isInstanceOf(IOException.class).hasMessageContaining("cannot open control socket " + socket);
    }

    @Test
    void theClientNamesAMissingSocket() {
        Path socket = dir.resolve("absent");
        assertThatThrownBy(() -> ControlClient.send(socket, "status", List.of(), TIMEOUT))
                .isInstanceOf(IOException.class).hasMessage("control socket " + socket + " does not exist");
    }

    @Test
    void theClientRefusesArgumentsTheWireCannotCarry() throws Exception {
        Path socket = dir.resolve("ctl");
        open(socket, echo);
        assertThatThrownBy(() -> ControlClient.send(socket, "acl", List.of("10.0.0.1", ""), TIMEOUT))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("argument 2 is empty");
        assertThatThrownBy(() -> ControlClient.send(socket, "acl", List.of("a\nb"), TIMEOUT))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("line break");
        assertThatThrownBy(() -> ControlClient.send(socket, "", List.of(), TIMEOUT))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("command is empty");
        assertThat(calls).isEmpty();
    }

    @Test
    void theClientRejectsAnAnswerThatIsNotCodeColonMessage() throws Exception {
        Path socket = dir.resolve("fake");
        try (ServerSocketChannel fake = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            fake.bind(UnixDomainSocketAddress.of(socket));
            Thread peer = new Thread(() -> {
                try (SocketChannel c = fake.accept()) {
                    c.write(ByteBuffer.wrap("hello there\n".getBytes(StandardCharsets.US_ASCII)));
                } catch (IOException ignored) {
                    // The test fails on its own if this does not happen.
                }
            });
            peer.start();
            assertThatThrownBy(() -> ControlClient.send(socket, "status", List.of(), TIMEOUT))
                    .isInstanceOf(IOException.class).hasMessageContaining("answered 'hello there'");
            peer.join();
        }
    }

    private static String raw(Path socket, String request, boolean closeOutput) throws IOException {
        return raw(socket, request.getBytes(StandardCharsets.UTF_8), closeOutput);
    }

    /** Sends bytes as they are (no framing; a write cut short by the server is fine), then reads the answer. */
    private static String raw(Path socket, byte[] request, boolean closeOutput) throws IOException {
        try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            ByteBuffer out = ByteBuffer.wrap(request);
            try {
                while (out.hasRemaining()) {
                    channel.write(out);
                }
            } catch (IOException e) {
                // The server answered before reading everything: the answer is still there to read.
            }
            if (closeOutput) {
                channel.shutdownOutput();
            }
            return assertTimeoutPreemptively(TIMEOUT, () -> readAll(channel));
        }
    }

    private static String readAll(SocketChannel channel) throws IOException {
        ByteArrayOutputStream answer = new ByteArrayOutputStream();
        ByteBuffer buffer = ByteBuffer.allocate(1024);
        while (channel.read(buffer.clear()) >= 0) {
            answer.write(buffer.array(), 0, buffer.position());
        }
        return answer.toString(StandardCharsets.UTF_8);
    }
}
