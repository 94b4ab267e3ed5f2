package net.flexnbd.protocol.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import net.flexnbd.protocol.HandshakeStyle;
import net.flexnbd.protocol.Nbd;
import net.flexnbd.protocol.Reply;
import net.flexnbd.protocol.Request;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BlockingNbdClientTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final int SIZE = 1 << 20;

    private TestNbdServer server;
    private BlockingNbdClient client;

    @AfterEach
    void tearDown() throws Exception {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void newstyleHandshakeLearnsSizeAndFlags() throws Exception {
        connect(HandshakeStyle.NEWSTYLE);

        assertThat(client.exportSize()).isEqualTo(SIZE);
        assertThat(client.transmissionFlags()).isEqualTo(TestNbdServer.FLAGS);
    }

    @Test
    void theClientAsksForNoStructuredRepliesFromAServerThatOffersThem() throws Exception {
        connect(HandshakeStyle.NEWSTYLE);
        client.write(0, new byte[] {1, 2}, false);

        assertThat(client.read(0, 2)).containsExactly(1, 2);
        assertThat(server.negotiations).containsExactly(net.flexnbd.protocol.Negotiation.SIMPLE);
    }

    @Test
    void oldstyleHelloIsDetected() throws Exception {
        connect(HandshakeStyle.OLDSTYLE);

        assertThat(client.exportSize()).isEqualTo(SIZE);
        assertThat(client.transmissionFlags()).isEqualTo(TestNbdServer.FLAGS);
        client.write(0, new byte[] {5, 6, 7}, false);
        assertThat(client.read(0, 3)).containsExactly(5, 6, 7);
    }

    @Test
    void writtenDataReadsBack() throws Exception {
        connect(HandshakeStyle.NEWSTYLE);
        byte[] data = new byte[8192];
        new java.util.Random(1).nextBytes(data);

        client.write(4096, data, true);

        assertThat(client.read(4096, data.length)).isEqualTo(data);
        assertThat(client.read(0, 0)).isEmpty();
        assertThat(server.seen.get(0).flags()).isEqualTo(Nbd.CMD_FLAG_FUA);
        assertThat(client.inFlight()).isZero();
    }

    @Test
    void aLargeWriteFromADirectBufferSendsExactlyItsRemainingBytes() throws Exception {
        server = TestNbdServer.start(HandshakeStyle.NEWSTYLE, 8 * SIZE);
        client = BlockingNbdClient.connect(server.address(), Optional.empty(), TIMEOUT);
        byte[] data = new byte[4 * SIZE + 8];
        new java.util.Random(2).nextBytes(data);
        ByteBuffer direct = ByteBuffer.allocateDirect(data.length).put(data);
        direct.position(3).limit(data.length - 5);

        long cookie = client.sendWrite(SIZE, direct, 0);
        Reply reply = client.awaitReply();

        assertThat(reply.cookie()).isEqualTo(cookie);
        assertThat(reply.error()).isZero();
        assertThat(direct.position()).as("the caller's buffer is left alone").isEqualTo(3);
        assertThat(java.util.Arrays.copyOfRange(server.disk, SIZE, SIZE + data.length - 8))
                .isEqualTo(java.util.Arrays.copyOfRange(data, 3, data.length - 5));
        assertThat(client.read(SIZE + data.length - 8, 8)).containsOnly(0);
    }

    @Test
    void anEmptyWriteStillSendsItsHeader() throws Exception {
        connect(HandshakeStyle.NEWSTYLE);

        client.write(4096, new byte[0], false);

        assertThat(server.seen).hasSize(1);
        assertThat(server.seen.get(0).length()).isZero();
        assertThat(client.inFlight()).isZero();
    }

    @Test
    void errorReplyBecomesNbdErrorExceptionAndTheConnectionGoesOn() throws Exception {
        connect(HandshakeStyle.NEWSTYLE);

        assertThatThrownBy(() -> client.read(SIZE - 512, 1024))
                .isInstanceOfSatisfying(NbdErrorException.class, e -> assertThat(e.errno()).isEqualTo(Nbd.EINVAL))
                .hasMessageContaining("EINVAL (22)")
                .hasMessageContaining("READ offset=1048064 length=1024");
        assertThatThrownBy(() -> client.write(SIZE, new byte[512], false))
                .isInstanceOfSatisfying(NbdErrorException.class, e -> assertThat(e.errno()).isEqualTo(Nbd.ENOSPC))
                .hasMessageContaining("ENOSPC (28)");

        assertThat(client.read(0, 512)).hasSize(512);
    }

    @Test
    void flushTrimWriteZeroesAndEntrustSendTheirCommandsAndFlags() throws Exception {
        connect(HandshakeStyle.NEWSTYLE);
        client.write(0, new byte[] {1, 1, 1, 1}, false);

        client.flush();
        client.trim(0, 4096);
        client.writeZeroes(0, 2, true);
        client.writeZeroes(2, 2, false);
        server.entrustErrno = 0;
        client.entrust();

        assertThat(server.seen).extracting(Request::type, Request::flags, Request::offset, Request::length)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(Nbd.CMD_WRITE, 0, 0L, 4L),
                        org.assertj.core.groups.Tuple.tuple(Nbd.CMD_FLUSH, 0, 0L, 0L),
                        org.assertj.core.groups.Tuple.tuple(Nbd.CMD_TRIM, 0, 0L, 4096L),
                        org.assertj.core.groups.Tuple.tuple(Nbd.CMD_WRITE_ZEROES, Nbd.CMD_FLAG_NO_HOLE, 0L, 2L),
                        org.assertj.core.groups.Tuple.tuple(Nbd.CMD_WRITE_ZEROES, 0, 2L, 2L),
                        org.assertj.core.groups.Tuple.tuple(Nbd.CMD_ENTRUST, 0, 0L, 0L));
        assertThat(client.read(0, 4)).containsExactly(0, 0, 0, 0);
    }

    @Test
    void refusedEntrustIsAnError() throws Exception {
        connect(HandshakeStyle.NEWSTYLE);
        server.entrustErrno = Nbd.ESHUTDOWN;

        assertThatThrownBy(() -> client.entrust())
                .isInstanceOfSatisfying(NbdErrorException.class, e -> assertThat(e.errno()).isEqualTo(Nbd.ESHUTDOWN))
                .hasMessageContaining("ENTRUST")
                .hasMessageContaining("ESHUTDOWN (108)");
    }

    @Test
    void disconnectSendsDiscAndCloses() throws Exception {
        connect(HandshakeStyle.NEWSTYLE);

        client.disconnect();

        await().atMost(5, TimeUnit.SECONDS).untilAsserted(() ->
                assertThat(server.seen).extracting(Request::type).containsExactly(Nbd.CMD_DISC));
        assertThatThrownBy(() -> client.read(0, 512)).isInstanceOf(IOException.class);
    }

    @Test
    void pipelinedWritesOnOneThreadAndRepliesOnAnotherMatchByCookie() throws Exception {
        server = TestNbdServer.startReversing(SIZE, 8);
        client = BlockingNbdClient.connect(server.address(), Optional.empty(), TIMEOUT);
        int count = 1024;
        Set<Long> sent = ConcurrentHashMap.newKeySet();

        CompletableFuture<Set<Long>> replied = CompletableFuture.supplyAsync(() -> {
            Set<Long> cookies = new HashSet<>();
            try {
                for (int i = 0; i < count; i++) {
                    Reply reply = client.awaitReply();
                    assertThat(reply.error()).isZero();
                    cookies.add(reply.cookie());
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return cookies;
        });
        ByteBuffer block = ByteBuffer.allocateDirect(1024);
        for (int i = 0; i < count; i++) {
            block.clear();
            while (block.hasRemaining()) {
                block.put((byte) i);
            }
            block.flip();
            sent.add(client.sendWrite((long) i * 1024, block, 0));
            assertThat(block.position()).as("the caller's buffer is left alone").isZero();
        }

        assertThat(replied.get(30, TimeUnit.SECONDS)).isEqualTo(sent).hasSize(count);
        assertThat(client.inFlight()).isZero();
        assertThat(java.util.Arrays.copyOfRange(server.disk, 1000 * 1024, 1001 * 1024)).containsOnly((byte) 1000);
    }

    @Test
    void pipelinedReadsCarryTheirOwnData() throws Exception {
        server = TestNbdServer.startReversing(SIZE, 2);
        client = BlockingNbdClient.connect(server.address(), Optional.empty(), TIMEOUT);
        server.disk[0] = 10;
        server.disk[4096] = 20;

        long first = client.sendRequest(Nbd.CMD_READ, 0, 0, 1);
        long second = client.sendRequest(Nbd.CMD_READ, 0, 4096, 2);
        assertThat(client.inFlight()).isEqualTo(2);

        Reply a = client.awaitReply();
        Reply b = client.awaitReply();
        assertThat(a.cookie()).isEqualTo(second);
        assertThat(a.payload().readableBytes()).isEqualTo(2);
        assertThat(a.payload().getByte(0)).isEqualTo((byte) 20);
        assertThat(b.cookie()).isEqualTo(first);
        assertThat(b.payload().getByte(0)).isEqualTo((byte) 10);
        assertThat(client.inFlight()).isZero();
    }

    @Test
    void connectsFromTheGivenBindAddress() throws Exception {
        server = TestNbdServer.start(HandshakeStyle.NEWSTYLE, SIZE);
        InetAddress loopback = InetAddress.getLoopbackAddress();

        client = BlockingNbdClient.connect(server.address(), Optional.of(loopback), TIMEOUT);

        assertThat(server.peers).extracting(a -> a.getAddress()).containsExactly(loopback);
    }

    @Test
    void badHelloMagicIsAProtocolError() throws Exception {
        try (ScriptedServer fake = new ScriptedServer((in, out) -> out.writeLong(0x4e42444d41474945L))) {
            assertThatThrownBy(() -> BlockingNbdClient.connect(fake.address(), Optional.empty(), TIMEOUT))
                    .isInstanceOf(NbdProtocolException.class)
                    .hasMessageContaining("got 0x4e42444d41474945")
                    .hasMessageContaining("expected 0x4e42444d41474943");
        }
    }

    @Test
    void badSecondMagicNamesBothAcceptableValues() throws Exception {
        try (ScriptedServer fake = new ScriptedServer((in, out) -> {
            out.writeLong(Nbd.INIT_PASSWD);
            out.writeLong(42);
        })) {
            assertThatThrownBy(() -> BlockingNbdClient.connect(fake.address(), Optional.empty(), TIMEOUT))
                    .isInstanceOf(NbdProtocolException.class)
                    .hasMessageContaining("got 0x000000000000002a")
                    .hasMessageContaining("IHAVEOPT 0x49484156454f5054")
                    .hasMessageContaining("0x0000420281861253");
        }
    }

    @Test
    void fallsBackToExportNameWhenGoIsUnsupported() throws Exception {
        try (ScriptedServer fake = new ScriptedServer((in, out) -> {
            out.writeLong(Nbd.INIT_PASSWD);
            out.writeLong(Nbd.IHAVEOPT);
            out.writeShort(Nbd.FLAG_FIXED_NEWSTYLE); // no NO_ZEROES: the client must not ask for it
            out.flush();
            assertThat(in.readInt()).isEqualTo(Nbd.FLAG_C_FIXED_NEWSTYLE);
            assertThat(in.readLong()).isEqualTo(Nbd.IHAVEOPT);
            assertThat(in.readInt()).isEqualTo(Nbd.OPT_GO);
            in.skipNBytes(in.readInt());
            out.writeLong(Nbd.OPTION_REPLY_MAGIC);
            out.writeInt(Nbd.OPT_GO);
            out.writeInt(Nbd.REP_ERR_UNSUP);
            out.writeInt(0);
            out.flush();
            assertThat(in.readLong()).isEqualTo(Nbd.IHAVEOPT);
            assertThat(in.readInt()).isEqualTo(Nbd.OPT_EXPORT_NAME);
            in.skipNBytes(in.readInt());
            out.writeLong(12345 * 512L);
            out.writeShort(Nbd.TFLAG_HAS_FLAGS | Nbd.TFLAG_READ_ONLY);
            out.write(new byte[Nbd.HELLO_PADDING]);
            out.writeInt(0xabcdef); // a stray byte after the padding would be misread as a reply
        })) {
            client = BlockingNbdClient.connect(fake.address(), Optional.empty(), TIMEOUT);

            assertThat(client.exportSize()).isEqualTo(12345 * 512L);
            assertThat(client.transmissionFlags()).isEqualTo(Nbd.TFLAG_HAS_FLAGS | Nbd.TFLAG_READ_ONLY);
        }
    }

    @Test
    void replyForAnUnknownCookieIsAProtocolError() throws Exception {
        try (ScriptedServer fake = new ScriptedServer((in, out) -> {
            ScriptedServer.oldstyleHello(out, SIZE);
            in.skipNBytes(Nbd.REQUEST_HEADER_LENGTH);
            out.writeInt(Nbd.SIMPLE_REPLY_MAGIC);
            out.writeInt(0);
            out.writeLong(999_999);
        })) {
            client = BlockingNbdClient.connect(fake.address(), Optional.empty(), TIMEOUT);

            client.sendRequest(Nbd.CMD_FLUSH, 0, 0, 0);
            assertThatThrownBy(() -> client.awaitReply())
                    .isInstanceOf(NbdProtocolException.class)
                    .hasMessageContaining("cookie 999999");
        }
    }

    @Test
    void badReplyMagicIsAProtocolError() throws Exception {
        try (ScriptedServer fake = new ScriptedServer((in, out) -> {
            ScriptedServer.oldstyleHello(out, SIZE);
            in.skipNBytes(Nbd.REQUEST_HEADER_LENGTH);
            out.writeInt(0x12345678);
            out.writeInt(0);
            out.writeLong(1);
        })) {
            client = BlockingNbdClient.connect(fake.address(), Optional.empty(), TIMEOUT);

            assertThatThrownBy(() -> client.flush())
                    .isInstanceOf(NbdProtocolException.class)
                    .hasMessageContaining("got 0x12345678, expected 0x67446698");
        }
    }

    @Test
    void silentServerTimesOut() throws Exception {
        try (ScriptedServer fake = new ScriptedServer((in, out) -> ScriptedServer.oldstyleHello(out, SIZE))) {
            client = BlockingNbdClient.connect(fake.address(), Optional.empty(), Duration.ofMillis(200));
            long start = System.nanoTime();

            assertThatThrownBy(() -> client.flush()).isInstanceOf(SocketTimeoutException.class);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(150), Duration.ofSeconds(5));
        }
    }

    @Test
    void badArgumentsAreRefusedWithTheValue() throws Exception {
        connect(HandshakeStyle.NEWSTYLE);

        assertThatThrownBy(() -> client.sendRequest(Nbd.CMD_WRITE, 0, 0, 512))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("512");
        assertThatThrownBy(() -> client.sendRequest(Nbd.CMD_READ, 0x10000, 0, 512))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("flags (65536)");
        assertThatThrownBy(() -> client.trim(0, -1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("length (-1)");
        assertThatThrownBy(() -> BlockingNbdClient.connect(server.address(), Optional.empty(), Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("timeout (PT0S)");
        assertThat(client.inFlight()).isZero();
    }

    @Test
    void oversizedReadIsRefusedByTheServerWithoutDesync() throws Exception {
        connect(HandshakeStyle.NEWSTYLE);

        assertThatThrownBy(() -> client.read(0, Nbd.MAX_PAYLOAD + 1))
                .isInstanceOfSatisfying(NbdErrorException.class, e -> assertThat(e.errno()).isEqualTo(Nbd.EINVAL));
        long cookie = client.sendRequest(Nbd.CMD_READ, 0, 0, 0xFFFF_FFFFL);
        assertThat(client.awaitReply()).isEqualTo(Reply.error(cookie, Nbd.EINVAL));
        assertThat(client.read(0, 16)).hasSize(16);
    }

    private void connect(HandshakeStyle style) throws Exception {
        server = TestNbdServer.start(style, SIZE);
        client = BlockingNbdClient.connect(server.address(), Optional.empty(), TIMEOUT);
    }
}
