package net.flexnbd.server;

import static net.flexnbd.server.ZeroBlocksAsHolesStore.BLOCK;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;
import net.flexnbd.protocol.Nbd;
import net.flexnbd.protocol.ReplyChunk;
import net.flexnbd.protocol.Request;
import net.flexnbd.protocol.StructuredReply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class StructuredRepliesTest {

    private static final UnpooledByteBufAllocator ALLOC = new UnpooledByteBufAllocator(false);

    private final byte[] disk = new byte[64 * BLOCK];
    private final StructuredReplies replies = new StructuredReplies(new ZeroBlocksAsHolesStore(disk));

    @Test
    void aSparseReadSendsHolesAsHoleChunksAndDataAsSlicesOfOneBuffer() throws IOException {
        fill(2, 3, (byte) 7);
        fill(10, 11, (byte) 9);

        StructuredReply reply = replies.read(read(0, 0, 16 * BLOCK), ALLOC);

        assertThat(reply.cookie()).isEqualTo(1);
        assertThat(reply.chunks()).hasSize(5);
        assertThat(reply.chunks().get(0)).isEqualTo(new ReplyChunk.OffsetHole(0, 2 * BLOCK));
        assertData(reply.chunks().get(1), 2 * BLOCK, BLOCK, (byte) 7);
        assertThat(reply.chunks().get(2)).isEqualTo(new ReplyChunk.OffsetHole(3 * BLOCK, 7 * BLOCK));
        assertData(reply.chunks().get(3), 10 * BLOCK, BLOCK, (byte) 9);
        assertThat(reply.chunks().get(4)).isEqualTo(new ReplyChunk.OffsetHole(11 * BLOCK, 5 * BLOCK));
        assertThat(reply.content().readableBytes()).as("only data is read").isEqualTo(2 * BLOCK);
        reply.release();
    }

    @Test
    void withDontFragmentTheWholeRangeIsOneDataChunk() throws IOException {
        fill(1, 2, (byte) 5);

        StructuredReply reply = replies.read(read(Nbd.CMD_FLAG_DF, 100, 3 * BLOCK), ALLOC);

        assertThat(reply.chunks()).hasSize(1);
        ReplyChunk.OffsetData data = (ReplyChunk.OffsetData) reply.chunks().get(0);
        assertThat(data.offset()).isEqualTo(100);
        assertThat(data.data().readableBytes()).isEqualTo(3 * BLOCK);
        assertThat(data.data().getByte(BLOCK)).isEqualTo((byte) 5);
        assertThat(data.data().getByte(0)).isZero();
        reply.release();
    }

    @Test
    void anAllHoleReadIsOneHoleChunkWithoutABuffer() throws IOException {
        StructuredReply reply = replies.read(read(0, 5, 7 * BLOCK), ALLOC);

        assertThat(reply.chunks()).containsExactly(new ReplyChunk.OffsetHole(5, 7 * BLOCK));
        assertThat(reply.content().readableBytes()).isZero();
        reply.release();
    }

    @Test
    void blockStatusReportsHolesAsHoleAndZero() throws IOException {
        fill(4, 8, (byte) 1);

        StructuredReply reply = replies.blockStatus(Request.of(0, Nbd.CMD_BLOCK_STATUS, 3, BLOCK, 20 * BLOCK));

        assertThat(reply.chunks()).containsExactly(new ReplyChunk.BlockStatus(Nbd.BASE_ALLOCATION_ID, List.of(
                new ReplyChunk.Extent(3 * BLOCK, Nbd.STATE_HOLE | Nbd.STATE_ZERO),
                new ReplyChunk.Extent(4 * BLOCK, 0),
                new ReplyChunk.Extent(13 * BLOCK, Nbd.STATE_HOLE | Nbd.STATE_ZERO))));
    }

    @Test
    void requestOneGivesOneExtent() throws IOException {
        fill(0, 1, (byte) 1);

        StructuredReply reply = replies.blockStatus(Request.of(Nbd.CMD_FLAG_REQ_ONE, Nbd.CMD_BLOCK_STATUS, 3, 0, 20 * BLOCK));

        assertThat(reply.chunks()).containsExactly(new ReplyChunk.BlockStatus(Nbd.BASE_ALLOCATION_ID,
                List.of(new ReplyChunk.Extent(BLOCK, 0))));
    }

    static LongStream seeds() {
        return LongStream.range(1, 21);
    }

    /** Any sparse read, put back together from its chunks, is exactly the bytes on disk. */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void randomSparseReadsReassembleToTheDisk(long seed) throws IOException {
        Random random = new Random(seed);
        for (int i = random.nextInt(20); i > 0; i--) {
            int from = random.nextInt(64);
            fill(from, Math.min(64, from + 1 + random.nextInt(4)), (byte) (1 + random.nextInt(255)));
        }
        int offset = random.nextInt(disk.length - 1);
        int length = 1 + random.nextInt(disk.length - offset);

        StructuredReply reply = replies.read(read(0, offset, length), ALLOC);

        byte[] assembled = new byte[length];
        long at = offset;
        boolean lastWasHole = false;
        List<Boolean> kinds = new ArrayList<>();
        for (ReplyChunk chunk : reply.chunks()) {
            if (chunk instanceof ReplyChunk.OffsetData data) {
                assertThat(data.offset()).isEqualTo(at);
                data.data().getBytes(data.data().readerIndex(), assembled, (int) (at - offset), data.data().readableBytes());
                at += data.data().readableBytes();
                kinds.add(false);
            } else {
                ReplyChunk.OffsetHole hole = (ReplyChunk.OffsetHole) chunk;
                assertThat(hole.offset()).isEqualTo(at);
                at += hole.length();
                kinds.add(true);
            }
        }
        assertThat(at).as("seed %d: chunks cover the request", seed).isEqualTo(offset + length);
        assertThat(assembled).as("seed %d", seed).isEqualTo(java.util.Arrays.copyOfRange(disk, offset, offset + length));
        for (int k = 1; k < kinds.size(); k++) {
            assertThat(kinds.get(k)).as("seed %d: runs alternate", seed).isNotEqualTo(kinds.get(k - 1));
        }
        reply.release();
    }

    private static Request read(int flags, long offset, long length) {
        return Request.of(flags, Nbd.CMD_READ, 1, offset, length);
    }

    private void fill(int fromBlock, int toBlock, byte value) {
        java.util.Arrays.fill(disk, fromBlock * BLOCK, toBlock * BLOCK, value);
    }

    private static void assertData(ReplyChunk chunk, long offset, int length, byte value) {
        assertThat(chunk).isInstanceOf(ReplyChunk.OffsetData.class);
        ReplyChunk.OffsetData data = (ReplyChunk.OffsetData) chunk;
        assertThat(data.offset()).isEqualTo(offset);
        ByteBuf bytes = data.data();
        assertThat(bytes.readableBytes()).isEqualTo(length);
        for (int i = 0; i < length; i++) {
            assertThat(bytes.getByte(bytes.readerIndex() + i)).isEqualTo(value);
        }
    }
}
