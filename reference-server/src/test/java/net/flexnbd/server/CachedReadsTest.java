package net.flexnbd.server;

import static net.flexnbd.protocol.Nbd.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.ByteBuffer;
import net.flexnbd.protocol.Reply;
import net.flexnbd.protocol.ReplyChunk;
import net.flexnbd.protocol.Request;
import net.flexnbd.protocol.StructuredReply;
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
