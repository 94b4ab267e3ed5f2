package net.flexnbd.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.IntFunction;
import net.flexnbd.protocol.Nbd;
import net.flexnbd.protocol.Negotiation;
import net.flexnbd.protocol.client.BlockingNbdClient;
import net.flexnbd.proxy.FakeUpstream.Fault;
import net.flexnbd.proxy.FakeUpstream.Script;
import net.flexnbd.proxy.StructuredClient.Answer;
import net.flexnbd.proxy.StructuredClient.Chunk;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Structured replies and base:allocation through the proxy, against scripted upstreams that
 * answer READs in two chunks (data, or a hole) and BLOCK_STATUS with their own context id:
 * the client gets each reply's chunks once, whole, under its own cookie and context id,
 * across a link lost in the middle of a reply; an upstream that comes back without what the
 * client negotiated ends it; a client that asked for nothing gets simple replies.
 */
class StructuredProxyTest {
    private static final int SIZE = 1 << 20;
    private static final int BLOCK = 4096;
    private static final Negotiation BOTH = new Negotiation(true, true);
    /** The id the fake upstreams give base:allocation, unlike the proxy's own (1). */
    private static final int UPSTREAM_ID = 7;
    private static final Duration WAIT = Duration.ofSeconds(30);

    private final List<AutoCloseable> closing = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = closing.size() - 1; i >= 0; i--) {
            closing.get(i).close();
        }
    }

    @Test
    void readChunksAndBlockStatusPassThroughUnderTheClientsCookieAndContextId() throws Exception {
        FakeUpstream upstream = upstream(k -> Script.structured(SIZE, UPSTREAM_ID));
        StructuredClient client = client(proxy(upstream), BOTH);
        assertThat(client.negotiated().structuredReplies()).isTrue();
        assertThat(client.negotiated().baseAllocationId()).hasValue(ChunkRelay.CLIENT_CONTEXT_ID);
        assertThat(client.negotiated().transmissionFlags() & Nbd.TFLAG_SEND_DF).isNotZero();
        byte[] data = filled((byte) 5);
        assertThat(answer(client, client.send(Nbd.CMD_WRITE, 0, BLOCK, data)).simpleError()).isZero();

        long read = client.send(Nbd.CMD_READ, BLOCK / 2, BLOCK, null);
        Answer answer = answer(client, read);
        assertThat(answer.chunks()).extracting(Chunk::type)
                .containsExactly(Nbd.REPLY_TYPE_OFFSET_DATA, Nbd.REPLY_TYPE_OFFSET_HOLE);
        assertThat(answer.chunks().get(0).data()).isEqualTo(offsetData(BLOCK / 2, BLOCK / 2, (byte) 5));
        assertThat(ByteBuffer.wrap(answer.chunks().get(1).data()).getLong()).isEqualTo(BLOCK);
        assertThat(answer.chunks()).extracting(Chunk::flags).containsExactly(0, Nbd.REPLY_FLAG_DONE);

        Answer status = answer(client, client.send(Nbd.CMD_BLOCK_STATUS, 0, 4 * BLOCK, null));
        assertThat(status.chunks()).hasSize(1);
        Chunk extents = status.chunks().get(0);
        assertThat(extents.type()).isEqualTo(Nbd.REPLY_TYPE_BLOCK_STATUS);
        assertThat(extents.contextId()).as("the proxy's id, not the upstream's").isEqualTo(ChunkRelay.CLIENT_CONTEXT_ID);
        ByteBuffer descriptors = ByteBuffer.wrap(extents.data(), 4, extents.data().length - 4);
        assertThat(new int[] {descriptors.getInt(), descriptors.getInt(), descriptors.getInt(), descriptors.getInt()})
                .containsExactly(BLOCK, 0, 3 * BLOCK, 3);
        assertThat(upstream.dataBytesSent()).as("the hole was never sent as zeroes").isEqualTo(BLOCK / 2);
    }

    @Test
    void aLinkLostMidReplyIsResentAndTheClientGetsEachChunkOnceWithTheNewContextId() throws Exception {
        FakeUpstream upstream = upstream(k -> switch (k) {
            case 0 -> Script.structured(SIZE, UPSTREAM_ID);
            case 1 -> Script.structured(SIZE, UPSTREAM_ID).with(Fault.CLOSE_MID_REPLY, 1);
            default -> Script.structured(SIZE, UPSTREAM_ID + 2); // a restarted upstream may number contexts anew
        });
        Proxy proxy = proxy(upstream);
        StructuredClient client = client(proxy, BOTH);
        byte[] data = new byte[BLOCK];
        new java.util.Random(3).nextBytes(data);
        assertThat(answer(client, client.send(Nbd.CMD_WRITE, 0, BLOCK, data)).simpleError()).isZero();

        Answer read = answer(client, client.send(Nbd.CMD_READ, 0, BLOCK, null));

        assertThat(read.chunks()).as("one reply's chunks, none from the lost link").hasSize(2)
                .allSatisfy(c -> assertThat(c.type()).isEqualTo(Nbd.REPLY_TYPE_OFFSET_DATA));
        byte[] joined = new byte[BLOCK];
        for (Chunk chunk : read.chunks()) {
            int at = (int) ByteBuffer.wrap(chunk.data()).getLong();
            System.arraycopy(chunk.data(), 8, joined, at, chunk.data().length - 8);
        }
        assertThat(joined).isEqualTo(data);
        assertThat(proxy.statusFields()).containsEntry("reconnects", "1");
        Answer status = answer(client, client.send(Nbd.CMD_BLOCK_STATUS, 0, BLOCK, null));
        assertThat(status.chunks().get(0).contextId()).isEqualTo(ChunkRelay.CLIENT_CONTEXT_ID);
    }

    @Test
    void anErrorChunkReachesTheClientAsAnError() throws Exception {
        FakeUpstream upstream = upstream(k -> Script.structured(SIZE, UPSTREAM_ID).with(Fault.ERROR_CHUNK, 0));
        StructuredClient client = client(proxy(upstream), BOTH);

        Answer read = answer(client, client.send(Nbd.CMD_READ, 3 * BLOCK, BLOCK, null));

        assertThat(read.chunks()).hasSize(1);
        Chunk error = read.chunks().get(0);
        assertThat(error.type()).isEqualTo(Nbd.REPLY_TYPE_ERROR_OFFSET);
        ByteBuffer fields = ByteBuffer.wrap(error.data());
        assertThat(fields.getInt()).isEqualTo(Nbd.EIO);
        byte[] message = new byte[fields.getShort()];
        fields.get(message);
        assertThat(new String(message, java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("the disk is gone");
        assertThat(fields.getLong()).as("the error's offset").isEqualTo(3 * BLOCK);
    }

    @Test
    void anEshutdownChunkIsNotPassedOnButTheReadSentAgainAfterAReconnection() throws Exception {
        FakeUpstream upstream = upstream(k -> k == 1
                ? Script.structured(SIZE, UPSTREAM_ID).with(Fault.ESHUTDOWN_CHUNK, 0)
                : Script.structured(SIZE, UPSTREAM_ID));
        Proxy proxy = proxy(upstream);
        StructuredClient client = client(proxy, BOTH);

        Answer read = answer(client, client.send(Nbd.CMD_READ, 0, BLOCK, null));

        assertThat(read.chunks()).as("the answer of the server that stayed").extracting(Chunk::type)
                .containsExactly(Nbd.REPLY_TYPE_OFFSET_HOLE, Nbd.REPLY_TYPE_OFFSET_HOLE);
        assertThat(proxy.statusFields()).containsEntry("reconnects", "1");
    }

    /** The upstream comes back, mid-request, without one of the two: the client is ended, its write never run. */
    @ParameterizedTest(name = "structured replies {0}, context id {1}")
    @CsvSource({"false, 0", "true, 0"})
    void anUpstreamThatComesBackWithoutWhatTheClientNegotiatedEndsTheClient(boolean structured, int contextId)
            throws Exception {
        FakeUpstream upstream = upstream(k -> switch (k) {
            case 0 -> Script.structured(SIZE, UPSTREAM_ID);
            case 1 -> Script.structured(SIZE, UPSTREAM_ID).with(Fault.HOLD_AND_CLOSE, 1);
            default -> new Script(SIZE, FakeUpstream.FLAGS, false, Fault.NONE, 0, structured, contextId);
        });
        Proxy proxy = proxy(upstream);
        StructuredClient client = client(proxy, BOTH);

        client.send(Nbd.CMD_WRITE, 0, BLOCK, filled((byte) 9));

        assertThat(client.closedByPeer()).as("closed without a reply").isTrue();
        assertThat(upstream.read(0, BLOCK)).as("no upstream ran the write").containsOnly(0);
        assertThat(proxy.statusFields()).containsEntry("wrong_disk_refusals", "1");
        await().atMost(WAIT).until(() -> proxy.statusFields().get("num_clients").equals("0"));
    }

    @Test
    void aClientThatAskedForNothingGetsSimpleRepliesAndItsUpstreamLinkNoChunks() throws Exception {
        FakeUpstream upstream = upstream(k -> Script.structured(SIZE, UPSTREAM_ID));
        Proxy proxy = proxy(upstream);
        BlockingNbdClient client = closeLater(BlockingNbdClient.connect(address(proxy), Optional.empty(), WAIT));
        assertThat(client.transmissionFlags() & Nbd.TFLAG_SEND_DF).as("DF only comes with structured replies").isZero();

        client.write(BLOCK, filled((byte) 4), false);

        assertThat(client.read(BLOCK, BLOCK)).isEqualTo(filled((byte) 4));
        assertThat(upstream.structuredConnections()).as("only the proxy's probe asked for structured replies").isEqualTo(1);
    }

    @Test
    void anUpstreamWithStructuredRepliesButNoContextsIsOfferedSoAndItsContextsListNothing() throws Exception {
        FakeUpstream upstream = upstream(k -> Script.structured(SIZE, 0));
        StructuredClient client = client(proxy(upstream), BOTH);

        assertThat(client.negotiated().structuredReplies()).isTrue();
        assertThat(client.negotiated().baseAllocationId()).isEmpty();
        Answer read = answer(client, client.send(Nbd.CMD_READ, 0, BLOCK, null));
        assertThat(read.chunks()).extracting(Chunk::type).containsOnly(Nbd.REPLY_TYPE_OFFSET_HOLE);
    }

    private static Answer answer(StructuredClient client, long cookie) throws IOException {
        Answer answer = client.await();
        assertThat(answer.cookie()).as("the answer's cookie").isEqualTo(cookie);
        return answer;
    }

    /** An OFFSET_DATA chunk's data: the offset, then {@code length} bytes of {@code value}. */
    private static byte[] offsetData(long offset, int length, byte value) {
        ByteBuffer data = ByteBuffer.allocate(8 + length).putLong(offset);
        byte[] bytes = new byte[length];
        Arrays.fill(bytes, value);
        return data.put(bytes).array();
    }

    private static byte[] filled(byte value) {
        byte[] data = new byte[BLOCK];
        Arrays.fill(data, value);
        return data;
    }

    private FakeUpstream upstream(IntFunction<Script> scripts) throws IOException {
        return closeLater(new FakeUpstream(SIZE, scripts));
    }

    private Proxy proxy(FakeUpstream upstream) throws Exception {
        return closeLater(Proxy.start(ProxySettings.of(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                upstream.address())));
    }

    private StructuredClient client(Proxy proxy, Negotiation wanted) throws IOException {
        return closeLater(new StructuredClient(address(proxy), wanted));
    }

    private static InetSocketAddress address(Proxy proxy) {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), ((InetSocketAddress) proxy.localAddress()).getPort());
    }

    private <T extends AutoCloseable> T closeLater(T resource) {
        closing.add(resource);
        return resource;
    }
}
