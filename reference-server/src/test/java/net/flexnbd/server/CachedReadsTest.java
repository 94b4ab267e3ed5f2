package net.flexnbd.server;

import static net.flexnbd.protocol.Nbd.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import net.flexnbd.protocol.Reply;
import net.flexnbd.protocol.ReplyChunk;
import net.flexnbd.protocol.Request;
import net.flexnbd.protocol.StructuredReply;
import net.flexnbd.storage.AllocationRun;
import net.flexnbd.storage.ForwardingStore;
import net.flexnbd.storage.MemoryBlockStore;
import org.junit.jupiter.api.Test;

/** Which READs the event loop answers from the page cache, and what it leaves to a storage thread. */
class CachedReadsTest {
    private final MemoryBlockStore store = new MemoryBlockStore(1 << 16);
    private final CachedReads reads = new CachedReads(store);

    private ByteBuf buffer(int length) {
        return Unpooled.directBuffer(length, length);
    }

    @Test
    void aMissLeavesTheBufferEmptyAndTheCallersOwn() {
        ByteBuf data = buffer(512);
        assertThat(reads.answer(Request.of(0, CMD_READ, 1, 0, 512), data, false)).isNull();
        assertThat(data.readableBytes()).isZero();
        assertThat(data.refCnt()).isEqualTo(1);
        data.release();
    }

    @Test
    void aFailingStoreIsLeftToTheStorageThreadToReport() {
        store.holdInCache(true);
        store.failWith(new IOException("disk on fire"));
        ByteBuf data = buffer(512);
        assertThat(reads.answer(Request.of(0, CMD_READ, 1, 0, 512), data, false)).isNull();
        data.release();
    }

    @Test
    void aSimpleReplyCarriesZeroesAsData() {
        store.holdInCache(true);
        Reply reply = (Reply) reads.answer(Request.of(0, CMD_READ, 1, 0, 8192), buffer(8192), false);
        assertThat(reply.payload().readableBytes()).isEqualTo(8192);
        reply.release();
    }

    @Test
    void underStructuredRepliesAZeroBlockGoesToTheAllocationMapUnlessTheClientSaidDf() throws IOException {
        store.holdInCache(true);
        byte[] tail = new byte[100];
        tail[99] = 1;
        store.write(8192 - 100, ByteBuffer.wrap(tail), false); // block 0 zero, block 1 not
        ByteBuf data = buffer(8192);
        assertThat(reads.answer(Request.of(0, CMD_READ, 1, 0, 8192), data, true)).isNull();
        assertThat(data.readableBytes()).isZero();
        data.release();

        StructuredReply df = (StructuredReply) reads.answer(Request.of(CMD_FLAG_DF, CMD_READ, 2, 0, 8192), buffer(8192), true);
        assertThat(df.chunks()).singleElement().isInstanceOfSatisfying(ReplyChunk.OffsetData.class, chunk -> {
            assertThat(chunk.offset()).isZero();
            assertThat(ByteBufUtil.getBytes(chunk.data(), 8191, 1)).containsExactly(1);
        });
        df.release();

        StructuredReply plain = (StructuredReply) reads.answer(Request.of(0, CMD_READ, 3, 4096, 4096), buffer(4096), true);
        assertThat(plain.chunks()).hasSize(1);
        plain.release();
    }

    @Test
    void underStructuredRepliesAZeroBlockWhoseRunsTheStoreKnowsIsAnsweredHereInChunks() throws IOException {
        store.holdInCache(true);
        byte[] data = new byte[4096];
        data[4095] = 3;
        store.write(8192, ByteBuffer.wrap(data), false); // block 2 data, its first bytes zero
        byte[] stray = {9};
        store.write(16384, ByteBuffer.wrap(stray), false); // block 4: the map says hole, wrongly
        CachedReads mapped = new CachedReads(new KnownRuns(store, List.of(
                new AllocationRun(0, 8192, true), new AllocationRun(8192, 4096, false),
                new AllocationRun(12288, 8192, true))));

        StructuredReply reply = (StructuredReply) mapped.answer(Request.of(0, CMD_READ, 1, 4096, 16384),
                buffer(16384), true);

        assertThat(reply.chunks()).hasSize(3);
        assertThat(reply.chunks().get(0)).isEqualTo(new ReplyChunk.OffsetHole(4096, 4096));
        assertThat(reply.chunks().get(1)).isInstanceOfSatisfying(ReplyChunk.OffsetData.class, chunk -> {
            assertThat(chunk.offset()).isEqualTo(8192);
            assertThat(ByteBufUtil.getBytes(chunk.data())).isEqualTo(data);
        });
        assertThat(reply.chunks().get(2)).as("a hole that holds data is sent as data")
                .isInstanceOfSatisfying(ReplyChunk.OffsetData.class, chunk -> {
                    assertThat(chunk.offset()).isEqualTo(12288);
                    assertThat(chunk.data().getByte(16384 - 12288)).isEqualTo((byte) 9);
                });
        reply.release();

        ByteBuf unknown = buffer(4096);
        assertThat(mapped.answer(Request.of(0, CMD_READ, 2, 40960, 4096), unknown, true))
                .as("runs not known: the storage thread maps them").isNull();
        assertThat(unknown.readableBytes()).isZero();
        unknown.release();
    }

    /** A store whose map of runs is known in memory, as the allocation cache would hold it. */
    private static final class KnownRuns extends ForwardingStore {
        private final List<AllocationRun> runs;

        KnownRuns(MemoryBlockStore store, List<AllocationRun> runs) {
            super(store);
            this.runs = runs;
        }

        @Override
        public boolean readCached(long offset, ByteBuffer dst) throws IOException {
            return store.readCached(offset, dst);
        }

        @Override
        public AllocationRun allocationCached(long offset, long end) {
            for (AllocationRun run : runs) {
                if (run.offset() <= offset && offset < run.end()) {
                    return new AllocationRun(offset, Math.min(run.end(), end) - offset, run.hole());
                }
            }
            return null;
        }
    }

    @Test
    void zeroBlocksAreFoundWhereverTheyAre() {
        ByteBuf data = Unpooled.buffer(3 * 4096 + 10).writeZero(3 * 4096 + 10);
        for (int i = 0; i < data.capacity(); i += 7) {
            data.setByte(i, 1);
        }
        assertThat(CachedReads.hasZeroBlock(data, data.capacity())).isFalse();
        data.setZero(4096, 4096);
        assertThat(CachedReads.hasZeroBlock(data, data.capacity())).isTrue();
        data.setByte(4096 + 4095, 1);
        data.setZero(3 * 4096, 10);
        assertThat(CachedReads.hasZeroBlock(data, data.capacity())).as("a short zero tail is a block too").isTrue();
    }
}
