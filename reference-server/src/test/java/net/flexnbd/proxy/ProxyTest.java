package net.flexnbd.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.IntFunction;
import net.flexnbd.protocol.HandshakeStyle;
import net.flexnbd.protocol.Nbd;
import net.flexnbd.protocol.Reply;
import net.flexnbd.protocol.client.BlockingNbdClient;
import net.flexnbd.protocol.client.ClientHandshake;
import net.flexnbd.proxy.FakeUpstream.Fault;
import net.flexnbd.proxy.FakeUpstream.Script;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The proxy against scripted upstreams that fail at each step: clients see every request
 * answered, with the data they wrote, as if nothing had happened; a different disk on
 * reconnection ends them; {@code --max-wait} turns a lasting outage into EIO.
 */
class ProxyTest {
    private static final int SIZE = 4 << 20;
    private static final int BLOCK = 4096;
    private static final int REQUESTS = 64;
    private static final Duration WAIT = Duration.ofSeconds(30);

    private final List<AutoCloseable> closing = new ArrayList<>();

    @TempDir
    Path dir;

    @AfterEach
    void closeAll() throws Exception {
        for (int i = closing.size() - 1; i >= 0; i--) {
            closing.get(i).close();
        }
    }

    @Test
    void passesTheUpstreamsSizeAndFlagsOnAndCarriesDataBothWays() throws Exception {
        FakeUpstream upstream = upstream(k -> Script.normal(SIZE));
        Proxy proxy = proxy(upstream, s -> s);
        BlockingNbdClient client = client(proxy);

        assertThat(client.exportSize()).isEqualTo(SIZE);
        assertThat(client.transmissionFlags()).isEqualTo(FakeUpstream.FLAGS);
        writeAndCheck(client, (byte) 7);
        client.flush();
        client.trim(0, BLOCK);
        client.writeZeroes(BLOCK, BLOCK, true);
        assertThat(upstream.read(BLOCK * 5, BLOCK)).containsOnly(block(5, (byte) 7));
    }

    @Test
    void speaksOldstyleToTheUpstreamAndToItsClients() throws Exception {
        FakeUpstream upstream = upstream(k -> Script.normal(SIZE).asOldstyle());
        Proxy proxy = proxy(upstream, s -> s.withHandshake(HandshakeStyle.OLDSTYLE));
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port(proxy))) {
            DataInputStream in = new DataInputStream(socket.getInputStream());
            assertThat(in.readLong()).isEqualTo(Nbd.INIT_PASSWD);
            assertThat(in.readLong()).isEqualTo(Nbd.OLDSTYLE_MAGIC);
            assertThat(in.readLong()).isEqualTo(SIZE);
        }
        writeAndCheck(client(proxy), (byte) 3);
    }

    @Test
    void servesClientsOnAUnixSocket() throws Exception {
        FakeUpstream upstream = upstream(k -> Script.normal(SIZE));
        Path socketPath = dir.resolve("proxy.sock");
        Proxy proxy = closeLater(Proxy.start(ProxySettings.of(UnixDomainSocketAddress.of(socketPath), upstream.address())));
        try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(socketPath))) {
            ClientHandshake.Negotiated negotiated = ClientHandshake.negotiate(
                    new DataInputStream(Channels.newInputStream(channel)),
                    new DataOutputStream(Channels.newOutputStream(channel)));
            assertThat(negotiated.exportSize()).isEqualTo(SIZE);
        }
        proxy.close();
        assertThat(socketPath).doesNotExist();
    }

    /** The first connection of the client fails at one step; the second serves. */
    @ParameterizedTest(name = "{0} at request {1}")
    @CsvSource({
        "CLOSE_AFTER_HELLO, 0",
        "CLOSE_MID_REQUEST, 10",
        "CLOSE_MID_REPLY, 70",
        "HOLD_AND_CLOSE, 64",
        "ESHUTDOWN, 20",
    })
    void aLinkLostAtAnyStepIsReconnectedAndEveryRequestAnswered(Fault fault, int after) throws Exception {
        FakeUpstream upstream = upstream(k -> k == 1 ? Script.normal(SIZE).with(fault, after) : Script.normal(SIZE));
        Proxy proxy = proxy(upstream, s -> s);
        BlockingNbdClient client = client(proxy);

        writeAndCheck(client, (byte) (fault.ordinal() + 1));

        assertThat(upstream.connections()).as("the probe, the faulty link, the new one").isGreaterThanOrEqualTo(3);
        Map<String, String> status = proxy.statusFields();
        assertThat(status).containsEntry("reconnects", "1").containsEntry("upstream_state", "connected")
                .containsEntry("requests_in_flight", "0");
    }

    @Test
    void anUpstreamThatStopsAnsweringIsLostAfterTheReplyTimeout() throws Exception {
        FakeUpstream upstream = upstream(k -> k == 1 ? Script.normal(SIZE).with(Fault.SILENT, 0) : Script.normal(SIZE));
        Proxy proxy = proxy(upstream, s -> s.withReplyTimeout(Duration.ofMillis(300)));
        writeAndCheck(client(proxy), (byte) 9);
        assertThat(upstream.held()).isEqualTo(REQUESTS);
        assertThat(proxy.statusFields()).containsEntry("reconnects", "1");
    }

    @Test
    void anUpstreamThatComesBackWithAnotherSizeDisconnectsItsClients() throws Exception {
        FakeUpstream upstream = upstream(k -> switch (k) {
            case 0 -> Script.normal(SIZE);
            case 1 -> Script.normal(SIZE).with(Fault.HOLD_AND_CLOSE, 4);
            default -> Script.normal(SIZE * 2);
        });
        Proxy proxy = proxy(upstream, s -> s);
        BlockingNbdClient client = client(proxy);
        for (int i = 0; i < 4; i++) {
            client.sendWrite(i * BLOCK, ByteBuffer.wrap(block(i, (byte) 1)), 0);
        }
        assertThatThrownBy(client::awaitReply).as("the connection closes without a reply").isInstanceOf(IOException.class);
        assertThat(upstream.read(0, 4 * BLOCK)).as("no write was run by the wrong disk").containsOnly(0);
        assertThat(proxy.statusFields()).containsEntry("wrong_disk_refusals", "1");
        await().atMost(WAIT).until(() -> proxy.statusFields().get("num_clients").equals("0"));
    }

    @Test
    void withAMaximumWaitARequestForAVanishedUpstreamGetsEio() throws Exception {
        // Every link after the first is cut at once: the upstream flaps, never serving again.
        FakeUpstream upstream = upstream(k -> switch (k) {
            case 0 -> Script.normal(SIZE);
            case 1 -> Script.normal(SIZE).with(Fault.HOLD_AND_CLOSE, 1);
            default -> Script.normal(SIZE).with(Fault.CLOSE_AFTER_HELLO, 0);
        });
        Proxy proxy = proxy(upstream, s -> s.withMaxWait(Duration.ofMillis(500)));
        BlockingNbdClient client = client(proxy);
        long started = System.nanoTime();
        long cookie = client.sendWrite(0, ByteBuffer.wrap(block(0, (byte) 1)), 0);

        Reply reply = client.awaitReply();
        double waited = (System.nanoTime() - started) / 1e9;
        assertThat(reply.cookie()).isEqualTo(cookie);
        assertThat(reply.error()).isEqualTo(Nbd.EIO);
        assertThat(waited).as("seconds until EIO").isBetween(0.3, 10.0);
        assertThat(proxy.statusFields()).containsEntry("requests_expired", "1");
        assertThat(upstream.read(0, BLOCK)).as("the write was never run").containsOnly(0);
    }

    @Test
    void neverSendsMoreThanTheQueueDepthUpstream() throws Exception {
        FakeUpstream upstream = upstream(k -> k == 1 ? Script.normal(SIZE).with(Fault.SILENT, 0) : Script.normal(SIZE));
        Proxy proxy = proxy(upstream, s -> s.withQueueDepth(4));
        BlockingNbdClient client = client(proxy);
        for (int i = 0; i < 10; i++) {
            client.sendWrite(i * BLOCK, ByteBuffer.wrap(block(i, (byte) 1)), 0);
        }
        await().atMost(WAIT).until(() -> upstream.held() == 4);
        await().during(Duration.ofMillis(300)).atMost(WAIT).until(() -> upstream.held() == 4);
        assertThat(proxy.statusFields()).containsEntry("requests_in_flight", "10");
    }

    @Test
    void aClientsBadInputEndsOnlyThatClient() throws Exception {
        FakeUpstream upstream = upstream(k -> Script.normal(SIZE));
        Proxy proxy = proxy(upstream, s -> s);
        BlockingNbdClient honest = client(proxy);

        BlockingNbdClient oversized = client(proxy);
        long read = oversized.sendRequest(Nbd.CMD_READ, 0, 0, Nbd.MAX_PAYLOAD + 1L);
        assertThat(oversized.awaitReply()).satisfies(r -> {
            assertThat(r.cookie()).isEqualTo(read);
            assertThat(r.error()).isEqualTo(Nbd.EINVAL);
        });
        long unknown = oversized.sendRequest(0x99, 0, 0, 0);
        assertThat(oversized.awaitReply().error()).as("an unknown command, answered by the upstream").isEqualTo(Nbd.EINVAL);
        assertThat(unknown).isPositive();

        try (Socket raw = new Socket(InetAddress.getLoopbackAddress(), port(proxy))) {
            DataInputStream in = new DataInputStream(raw.getInputStream());
            DataOutputStream out = new DataOutputStream(raw.getOutputStream());
            ClientHandshake.negotiate(in, out);
            out.writeInt(0xdeadbeef);
            out.write(new byte[24]);
            out.flush();
            assertThat(in.read()).as("bad magic closes the connection").isEqualTo(-1);
        }
        writeAndCheck(honest, (byte) 5);

        int disconnects = upstream.disconnects(); // the proxy's probe at start disconnected once
        oversized.disconnect();
        await().atMost(WAIT).until(() -> upstream.disconnects() == disconnects + 1);
    }

    /** 64 pipelined writes of distinct blocks, then 64 pipelined reads that must return them. */
    private static void writeAndCheck(BlockingNbdClient client, byte tag) throws IOException {
        Map<Long, Integer> cookies = new HashMap<>();
        for (int i = 0; i < REQUESTS; i++) {
            cookies.put(client.sendWrite((long) i * BLOCK, ByteBuffer.wrap(block(i, tag)), 0), i);
        }
        for (int i = 0; i < REQUESTS; i++) {
            Reply reply = client.awaitReply();
            assertThat(reply.error()).as("write reply").isZero();
            assertThat(cookies.remove(reply.cookie())).as("a write's cookie").isNotNull();
        }
        for (int i = 0; i < REQUESTS; i++) {
            cookies.put(client.sendRequest(Nbd.CMD_READ, 0, (long) i * BLOCK, BLOCK), i);
        }
        for (int i = 0; i < REQUESTS; i++) {
            Reply reply = client.awaitReply();
            assertThat(reply.error()).as("read reply").isZero();
            int block = cookies.remove(reply.cookie());
            byte[] data = new byte[BLOCK];
            reply.payload().readBytes(data);
            assertThat(Arrays.equals(data, block(block, tag))).as("block %d reads back as written", block).isTrue();
        }
    }

    private static byte[] block(int index, byte tag) {
        byte[] data = new byte[BLOCK];
        Arrays.fill(data, (byte) (tag * 31 + index));
        return data;
    }

    private FakeUpstream upstream(IntFunction<Script> scripts) throws IOException {
        return closeLater(new FakeUpstream(SIZE * 2, scripts));
    }

    private Proxy proxy(FakeUpstream upstream, java.util.function.UnaryOperator<ProxySettings> tweak) throws Exception {
        ProxySettings settings = tweak.apply(ProxySettings.of(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), upstream.address()));
        return closeLater(Proxy.start(settings));
    }

    private BlockingNbdClient client(Proxy proxy) throws IOException {
        return closeLater(BlockingNbdClient.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port(proxy)),
                Optional.empty(), WAIT));
    }

    private static int port(Proxy proxy) {
        return ((InetSocketAddress) proxy.localAddress()).getPort();
    }

    private <T extends AutoCloseable> T closeLater(T resource) {
        closing.add(resource);
        return resource;
    }
}
