package net.flexnbd.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.flexnbd.protocol.Nbd;
import net.flexnbd.protocol.Reply;
import net.flexnbd.protocol.client.BlockingNbdClient;
import net.flexnbd.protocol.client.NbdErrorException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Requests the server must refuse (out of range, too long, unknown) get the spec's errno,
 * and the connection they came on goes on serving: for our own client, which shows the
 * exact errno, and for libnbd's nbdsh, a real client that must survive the error replies.
 */
class ErrorRepliesIT {
    private static final int SIZE = 1024 * 1024;
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @Test
    void refusedRequestsGetTheirErrnoAndTheSameConnectionGoesOn() throws Exception {
        Path file = TestFiles.sparse(dir.resolve("disk.img"), SIZE);
        try (FlexnbdServer server = FlexnbdServer.serve(dir, file);
             BlockingNbdClient client = BlockingNbdClient.connect(server.address(),
                     Optional.of(InetAddress.getByName("127.0.0.1")), TIMEOUT)) {
            assertThat(errno(() -> client.read(SIZE - 512, 1024))).as("read past the end").isEqualTo(Nbd.EINVAL);
            assertThat(errno(() -> client.write(SIZE, new byte[512], false))).as("write at the end")
                    .isEqualTo(Nbd.ENOSPC);
            assertThat(errno(() -> client.write(SIZE - 512, new byte[1024], true))).as("write past the end")
                    .isEqualTo(Nbd.ENOSPC);
            assertThat(errno(() -> client.trim(SIZE - 4096, 8192))).as("trim past the end").isEqualTo(Nbd.EINVAL);
            assertThat(errno(() -> client.writeZeroes(SIZE, 512, false))).as("write zeroes past the end")
                    .isEqualTo(Nbd.ENOSPC);
            assertThat(errno(() -> client.read(0, Nbd.MAX_PAYLOAD + 512))).as("read over 32 MiB").isEqualTo(Nbd.EINVAL);
            assertThat(errno(() -> client.entrust())).as("ENTRUST from a client").isEqualTo(Nbd.EINVAL);
            long unknown = client.sendRequest(99, 0, 0, 512);
            assertThat(errorOf(client.awaitReply(), unknown)).as("unknown command").isEqualTo(Nbd.EINVAL);
            // A WRITE over the limit: its payload is read and dropped, so the stream stays in step.
            byte[] tooLong = new byte[Nbd.MAX_PAYLOAD + 4096];
            Arrays.fill(tooLong, (byte) 0x77);
            long oversized = client.sendWrite(0, ByteBuffer.wrap(tooLong), 0);
            assertThat(errorOf(client.awaitReply(), oversized)).as("write over 32 MiB").isEqualTo(Nbd.EINVAL);

            byte[] data = new byte[4096 + 512];
            Arrays.fill(data, (byte) 0x3c);
            client.write(SIZE - data.length, data, true);
            assertThat(client.read(SIZE - data.length, data.length)).isEqualTo(data);
            assertThat(client.read(0, 4096)).as("nothing of the refused write landed").isEqualTo(new byte[4096]);
        }
    }

    @Test
    void nbdshGetsTheErrorsAndGoesOnOnTheSameConnection() throws Exception {
        Path file = TestFiles.sparse(dir.resolve("disk.img"), SIZE);
        String script = String.join("\n",
                "import errno",
                "h.set_strict_mode(0)  # let libnbd send what it would otherwise refuse itself",
                "size = h.get_size()",
                "def attempt(name, op):",
                "    try:",
                "        op()",
                "        print(name, 'succeeded')",
                "    except nbd.Error as e:",
                "        code = e.errno if isinstance(e.errno, str) else errno.errorcode.get(e.errno, e.errno)",
                "        print(name, code)",
                "attempt('read', lambda: h.pread(1024, size - 512))",
                "attempt('write', lambda: h.pwrite(b'x' * 512, size))",
                "attempt('trim', lambda: h.trim(8192, size - 4096))",
                "h.pwrite(b'\\xab' * 4096, 8192)",
                "print('read back', h.pread(4096, 8192) == b'\\xab' * 4096)",
                "");
        try (FlexnbdServer server = FlexnbdServer.serve(dir, file)) {
            // nbdsh runs "python3 -m nbd": the system's Python has the module, whatever PATH says first.
            Tool.Outcome outcome = Tool.run(Duration.ofSeconds(60),
                    Map.of("PATH", "/usr/bin:/bin:" + System.getenv().getOrDefault("PATH", "")),
                    List.of("nbdsh", "-u", server.uri(), "-c", script)).requireSuccess();

            assertThat(outcome.out().lines()).containsExactly("read EINVAL", "write ENOSPC", "trim EINVAL",
                    "read back True");
        }
    }

    /** A call that the server must refuse. */
    private interface Refused {
        void run() throws Exception;
    }

    /** The error of a reply, checked to answer the request with {@code cookie}. */
    private static int errorOf(Reply reply, long cookie) {
        assertThat(reply.cookie()).as("reply's cookie").isEqualTo(cookie);
        reply.release();
        return reply.error();
    }

    private static int errno(Refused call) {
        NbdErrorException refused = catchThrowableOfType(NbdErrorException.class, call::run);
        assertThat(refused).as("the server's error reply").isNotNull();
        return refused.errno();
    }
}
