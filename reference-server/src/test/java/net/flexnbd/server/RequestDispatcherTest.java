package net.flexnbd.server;

import static net.flexnbd.protocol.Nbd.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import net.flexnbd.export.RequestGate;
import net.flexnbd.export.StorageExecutor;
import net.flexnbd.export.WriteTrackingStore;
import net.flexnbd.protocol.Negotiation;
import net.flexnbd.protocol.Reply;
import net.flexnbd.protocol.ReplyChunk;
import net.flexnbd.protocol.StructuredReply;
import net.flexnbd.protocol.Request;
import net.flexnbd.storage.AllocationCachingStore;
import net.flexnbd.storage.MemoryBlockStore;
import org.junit.jupiter.api.Test;

/**
 * Validation, the gate, the storage executor, replies and read backpressure, on one
 * connection. The storage threads are a queue the test runs by hand.
 */
class RequestDispatcherTest {
    private static final int SIZE = 1 << 20;

    private final MemoryBlockStore store = new MemoryBlockStore(SIZE);
    private final List<String> changes = new ArrayList<>();
    private final RequestGate gate = new RequestGate();
    private final QueuedExecutor disk = new QueuedExecutor();
    private final EmbeddedChannel channel = new EmbeddedChannel(new RequestDispatcher(new RequestValidator(SIZE),
            new RequestExecutor(trackedStore()), gate, new StorageExecutor(disk)));

    private WriteTrackingStore trackedStore() {
        WriteTrackingStore tracked = new WriteTrackingStore(store);
        tracked.track((offset, length) -> changes.add(offset + "+" + length));
        return tracked;
    }

    private static Request write(long cookie, long offset, byte[] data) {
        return new Request(0, CMD_WRITE, cookie, offset, data.length, Unpooled.wrappedBuffer(data));
    }

    private void runDisk() {
        disk.runAll();
        channel.runPendingTasks();
    }

    @Test
    void anInvalidRequestIsRefusedWithItsErrnoAndNeverReachesTheStore() {
        channel.writeInbound(write(1, SIZE - 1, new byte[2]));
        channel.writeInbound(Request.of(0, CMD_ENTRUST, 2, 0, 0));

        assertThat(channel.<Reply>readOutbound()).isEqualTo(Reply.error(1, ENOSPC));
        assertThat(channel.<Reply>readOutbound()).isEqualTo(Reply.error(2, EINVAL));
        assertThat(changes).isEmpty();
        assertThat(gate.inFlight()).isZero();
    }

    @Test
    void aWriteIsObservedAndReadBack() {
        channel.writeInbound(write(1, 4096, new byte[] {1, 2, 3}));
        assertThat(channel.<Object>readOutbound()).as("not written on the event loop").isNull();
        runDisk();
        assertThat(channel.<Reply>readOutbound()).isEqualTo(Reply.ok(1));
        assertThat(changes).containsExactly("4096+3");

        channel.writeInbound(Request.of(0, CMD_READ, 2, 4095, 5));
        assertThat(channel.<Object>readOutbound()).as("not read on the event loop").isNull();
        runDisk();
        Reply read = channel.readOutbound();
        assertThat(read.cookie()).isEqualTo(2);
        assertThat(ByteBufUtil.getBytes(read.payload())).containsExactly(0, 1, 2, 3, 0);
        read.release();
        assertThat(gate.inFlight()).isZero();
    }

    @Test
    void repliesGoOutOfOrderWhenAFlushWaitsForTheDisk() {
        channel.writeInbound(Request.of(0, CMD_FLUSH, 1, 0, 0));
        channel.writeInbound(Request.of(0, CMD_READ, 2, 0, 512));
        disk.run(1);
        channel.runPendingTasks();
        Reply read = channel.readOutbound();
        assertThat(read.cookie()).isEqualTo(2);
        read.release();
        assertThat(store.flushes()).isZero();

        runDisk();
        assertThat(store.flushes()).isEqualTo(1);
        assertThat(channel.<Reply>readOutbound()).isEqualTo(Reply.ok(1));
    }

    @Test
    void aPausedGateHoldsRequestsUntilResumedAndAClosedOneRefusesThem() {
        assertThat(gate.pause()).isDone();
        channel.writeInbound(write(1, 0, new byte[] {9}));
        assertThat(channel.<Object>readOutbound()).isNull();
        assertThat(gate.waiting()).isEqualTo(1);

        gate.resume();
        channel.runPendingTasks();
        runDisk();
        assertThat(channel.<Reply>readOutbound()).isEqualTo(Reply.ok(1));

        gate.close();
        channel.writeInbound(write(2, 0, new byte[] {9}));
        channel.runPendingTasks();
        assertThat(channel.<Object>readOutbound()).as("no reply (never ESHUTDOWN) to a request that never ran").isNull();
        assertThat(channel.isActive()).as("the connection closes instead").isFalse();
        assertThat(gate.inFlight()).isZero();
    }

    @Test
    void aRequestHeldInAFinalPassGetsNoReplyWhenTheGateClosesOnlyAClosedConnection() {
        gate.pause();
        channel.writeInbound(write(1, 0, new byte[] {9}));
        assertThat(gate.waiting()).isEqualTo(1);

        gate.close();
        channel.runPendingTasks();
        assertThat(channel.<Object>readOutbound()).as("no ESHUTDOWN").isNull();
        assertThat(channel.isActive()).isFalse();
        assertThat(gate.inFlight()).isZero();
    }

    @Test
    void aFailedStoreCallAnswersEio() {
        store.failWith(new IOException("disk on fire"));
        channel.writeInbound(Request.of(0, CMD_READ, 1, 0, 512));
        runDisk();
        assertThat(channel.<Reply>readOutbound()).isEqualTo(Reply.error(1, EIO));
    }

    @Test
    void disconnectClosesOnlyOnceEveryEarlierRequestIsAnswered() {
        channel.writeInbound(Request.of(0, CMD_FLUSH, 1, 0, 0));
        channel.writeInbound(Request.of(0, CMD_DISC, 2, 0, 0));
        channel.writeInbound(Request.of(0, CMD_READ, 3, 0, 512));
        assertThat(channel.isActive()).isTrue();

        runDisk();
        assertThat(channel.<Reply>readOutbound()).isEqualTo(Reply.ok(1));
        assertThat(channel.<Object>readOutbound()).as("nothing after DISC is answered").isNull();
        assertThat(channel.isActive()).isFalse();
    }

    @Test
    void readsWaitWhileTheClientIsNotTakingItsReplies() {
        channel.config().setWriteBufferWaterMark(new WriteBufferWaterMark(8, 16));
        channel.write(Unpooled.wrappedBuffer(new byte[64])); // written, not yet taken
        assertThat(channel.isWritable()).isFalse();
        assertThat(channel.config().isAutoRead()).as("the client is no longer read").isFalse();

        channel.writeInbound(Request.of(0, CMD_READ, 1, 0, 512));
        assertThat(disk.queued()).as("the read waits on the event loop").isZero();
        channel.flushOutbound();
        runDisk();
        assertThat(channel.<Object>readOutbound()).as("the earlier bytes").isNotNull();
        Reply read = channel.readOutbound();
        assertThat(read).as("the read ran once the client took the earlier bytes").isNotNull();
        assertThat(read.cookie()).isEqualTo(1);
        read.release();
        assertThat(channel.config().isAutoRead()).isTrue();
    }

    @Test
    void readsOnTheStorageThreadsCountAsRepliesAlreadyWritten() {
        channel.config().setWriteBufferWaterMark(new WriteBufferWaterMark(4096, 8192));
        channel.writeInbound(Request.of(0, CMD_READ, 1, 0, 8192));
        channel.writeInbound(Request.of(0, CMD_READ, 2, 0, 8192));
        assertThat(disk.queued()).as("the second read would go past the high mark").isEqualTo(1);

        disk.run(0);
        channel.runPendingTasks();
        assertThat(disk.queued()).as("the first reply has left: the second read runs").isEqualTo(1);
        runDisk();
        assertThat(replyCookiesReleasing()).containsExactly(1L, 2L);
    }

    private List<Long> replyCookiesReleasing() {
        List<Long> cookies = new ArrayList<>();
        for (Reply reply; (reply = channel.readOutbound()) != null; ) {
            cookies.add(reply.cookie());
            reply.release();
        }
        return cookies;
    }

    @Test
    void readsHeldBackWhenTheClientGoesLeaveTheGate() {
        channel.config().setWriteBufferWaterMark(new WriteBufferWaterMark(8, 16));
        channel.write(Unpooled.wrappedBuffer(new byte[64]));
        channel.writeInbound(Request.of(0, CMD_READ, 1, 0, 512));
        assertThat(gate.inFlight()).isEqualTo(1);

        channel.close();
        assertThat(gate.inFlight()).isZero();
    }

    @Test
    void aRequestTheClosedExecutorRefusesIsAnsweredEioAndLeavesTheGate() {
        EmbeddedChannel closed = new EmbeddedChannel(new RequestDispatcher(new RequestValidator(SIZE),
                new RequestExecutor(store), gate, new StorageExecutor(task -> {
                    throw new java.util.concurrent.RejectedExecutionException("closed");
                })));
        closed.writeInbound(write(1, 0, new byte[] {1}));
        assertThat(closed.<Reply>readOutbound()).isEqualTo(Reply.error(1, EIO));
        assertThat(gate.inFlight()).isZero();
    }

    @Test
    void aFuaWriteIsDurableBeforeItsReply() {
        channel.writeInbound(new Request(CMD_FLAG_FUA, CMD_WRITE, 1, 0, 2, Unpooled.wrappedBuffer(new byte[2])));
        assertThat(channel.<Object>readOutbound()).isNull();
        runDisk();
        assertThat(store.calls()).containsExactly("write 0+2 durable");
        assertThat(channel.<Reply>readOutbound()).isEqualTo(Reply.ok(1));
    }

    @Test
    void aFlushAnswersOnlyAfterEveryWriteReceivedBeforeItCompleted() {
        channel.writeInbound(write(1, 0, new byte[] {1}));
        channel.writeInbound(new Request(CMD_FLAG_FUA, CMD_WRITE, 2, 512, 1, Unpooled.wrappedBuffer(new byte[] {2})));
        channel.writeInbound(Request.of(0, CMD_FLUSH, 3, 0, 0));
        channel.writeInbound(write(4, 1024, new byte[] {4}));
        assertThat(disk.queued()).as("the connection's lane (writes 1 and 4) and the FUA write; the flush waits")
                .isEqualTo(2);

        disk.run(1); // the FUA write
        channel.runPendingTasks();
        assertThat(replyCookies()).containsExactly(2L);
        assertThat(disk.queued()).as("write 1 has not run: no flush yet").isEqualTo(1);

        disk.run(0); // the lane: write 1, then write 4; the flush is queued once write 1 is done
        channel.runPendingTasks();
        assertThat(replyCookies()).containsExactly(1L, 4L);
        disk.run(0);
        channel.runPendingTasks();
        assertThat(replyCookies()).containsExactly(3L);
        assertThat(store.calls()).containsExactly("write 512+1 durable", "write 0+1", "write 1024+1", "flush");
    }

    @Test
    void aFlushInTheSameBurstAsWritesWaitsForThemAll() {
        channel.writeInbound(write(1, 0, new byte[] {1}), write(2, 512, new byte[] {2}),
                Request.of(0, CMD_FLUSH, 3, 0, 0));
        assertThat(disk.queued()).as("both writes in one call; the flush waits for it").isEqualTo(1);

        disk.run(0);
        assertThat(store.calls()).containsExactly("write 0+1", "write 512+1");
        assertThat(disk.queued()).as("now the flush").isEqualTo(1);
        runDisk();
        assertThat(replyCookies()).containsExactly(1L, 2L, 3L);
        assertThat(store.calls()).endsWith("flush");
    }

    @Test
    void aConnectionsPlainWritesRunInOrderOnOneWorker() {
        for (int i = 0; i < 5; i++) {
            channel.writeInbound(write(i, 512L * i, new byte[] {(byte) i}));
        }
        assertThat(disk.queued()).as("one worker lent to the lane, not one per burst").isEqualTo(1);
        runDisk();
        assertThat(replyCookies()).containsExactly(0L, 1L, 2L, 3L, 4L);
        assertThat(store.calls()).containsExactly("write 0+1", "write 512+1", "write 1024+1", "write 1536+1", "write 2048+1");
    }

    @Test
    void aReadThePageCacheHoldsIsAnsweredOnTheEventLoop() {
        store.holdInCache(true);
        channel.writeInbound(write(1, 0, new byte[] {4, 5}));
        runDisk();
        channel.readOutbound();

        channel.writeInbound(Request.of(0, CMD_READ, 2, 0, 3), Request.of(0, CMD_READ, 3, 1, 1));
        assertThat(disk.queued()).as("nothing for the storage threads").isZero();
        Reply first = channel.readOutbound();
        Reply second = channel.readOutbound();
        assertThat(ByteBufUtil.getBytes(first.payload())).containsExactly(4, 5, 0);
        assertThat(ByteBufUtil.getBytes(second.payload())).containsExactly(5);
        first.release();
        second.release();
        assertThat(store.cachedReads()).isEqualTo(2);
        assertThat(gate.inFlight()).isZero();
    }

    @Test
    void aReadThePageCacheDoesNotHoldGoesToAStorageThread() {
        channel.writeInbound(Request.of(0, CMD_READ, 1, 0, 8));
        assertThat(channel.<Object>readOutbound()).isNull();
        assertThat(disk.queued()).isEqualTo(1);
        runDisk();
        Reply read = channel.readOutbound();
        assertThat(read.payload().readableBytes()).isEqualTo(8);
        read.release();
    }

    private List<Long> replyCookies() {
        List<Long> cookies = new ArrayList<>();
        for (Reply reply; (reply = channel.readOutbound()) != null; ) {
            assertThat(reply.error()).isZero();
            cookies.add(reply.cookie());
        }
        return cookies;
    }

    // ---- a client that negotiated structured replies and base:allocation ----------------

    private final EmbeddedChannel structured = new EmbeddedChannel(new RequestDispatcher(
            new RequestValidator(SIZE, new Negotiation(true, true), false),
            new RequestExecutor(trackedStore()), gate,
            new StorageExecutor(disk), true));

    private <T> T structuredReply() {
        disk.runAll();
        structured.runPendingTasks();
        return structured.readOutbound();
    }

    @Test
    void underStructuredRepliesAReadIsChunksAndItsErrorsAreErrorChunks() {
        structured.writeInbound(write(1, 0, new byte[] {7, 7}));
        assertThat(this.<Reply>structuredReply()).isEqualTo(Reply.ok(1));

        structured.writeInbound(Request.of(0, CMD_READ, 2, 0, 4));
        StructuredReply read = structuredReply();
        assertThat(read.cookie()).isEqualTo(2);
        assertThat(read.chunks()).hasSize(1);
        ReplyChunk.OffsetData data = (ReplyChunk.OffsetData) read.chunks().get(0);
        assertThat(ByteBufUtil.getBytes(data.data())).containsExactly(7, 7, 0, 0);
        read.release();

        structured.writeInbound(Request.of(0, CMD_READ, 3, SIZE, 512));
        StructuredReply refused = structured.readOutbound();
        assertThat(refused.chunks()).singleElement().isInstanceOfSatisfying(ReplyChunk.Error.class,
                error -> assertThat(error.errno()).isEqualTo(EINVAL));
        structured.writeInbound(Request.of(0, CMD_TRIM, 4, SIZE, 512));
        assertThat(structured.<Object>readOutbound()).as("other commands keep simple replies").isEqualTo(Reply.error(4, EINVAL));

        store.failWith(new IOException("disk on fire"));
        structured.writeInbound(Request.of(0, CMD_READ, 5, 0, 512));
        StructuredReply failed = structuredReply();
        assertThat(failed.chunks()).singleElement().isInstanceOfSatisfying(ReplyChunk.Error.class,
                error -> assertThat(error.errno()).isEqualTo(EIO));
    }

    @Test
    void underStructuredRepliesACachedReadWithoutZeroBlocksIsOneDataChunkAndOneWithThemIsMapped() {
        store.holdInCache(true);
        byte[] data = new byte[8192];
        java.util.Arrays.fill(data, 0, 4096, (byte) 9);
        structured.writeInbound(write(1, 0, data));
        assertThat(this.<Reply>structuredReply()).isEqualTo(Reply.ok(1));

        structured.writeInbound(Request.of(0, CMD_READ, 2, 0, 4096));
        assertThat(disk.queued()).isZero();
        StructuredReply cached = structured.readOutbound();
        assertThat(cached.chunks()).singleElement().isInstanceOfSatisfying(ReplyChunk.OffsetData.class,
                chunk -> assertThat(chunk.data().readableBytes()).isEqualTo(4096));
        cached.release();

        structured.writeInbound(Request.of(0, CMD_READ, 3, 0, 8192));
        assertThat(structured.<Object>readOutbound()).as("a zero block may be a hole: the storage thread maps it")
                .isNull();
        assertThat(disk.queued()).isEqualTo(1);
        StructuredReply mapped = structuredReply();
        assertThat(mapped.cookie()).isEqualTo(3);
        mapped.release();
    }

    @Test
    void blockStatusAndCacheAreAnswered() {
        structured.writeInbound(Request.of(CMD_FLAG_REQ_ONE, CMD_BLOCK_STATUS, 1, 0, 4096));
        StructuredReply status = structuredReply();
        assertThat(status.chunks()).containsExactly(new ReplyChunk.BlockStatus(BASE_ALLOCATION_ID,
                List.of(new ReplyChunk.Extent(4096, 0))));

        structured.writeInbound(Request.of(0, CMD_CACHE, 2, 0, 4096));
        assertThat(this.<Object>structuredReply()).isEqualTo(Reply.ok(2));
    }

    @Test
    void aBlockStatusWhoseRunsAreKnownIsAnsweredOnTheEventLoopAndAWriteMakesThemUnknown() {
        byte[] bytes = new byte[64 * ZeroBlocksAsHolesStore.BLOCK];
        int size = bytes.length;
        EmbeddedChannel mapped = new EmbeddedChannel(new RequestDispatcher(
                new RequestValidator(size, new Negotiation(true, true), false),
                new RequestExecutor(new AllocationCachingStore(new ZeroBlocksAsHolesStore(bytes))), gate,
                new StorageExecutor(disk), true));
        Request status = Request.of(CMD_FLAG_REQ_ONE, CMD_BLOCK_STATUS, 1, 0, size);
        ReplyChunk.BlockStatus allHole = new ReplyChunk.BlockStatus(BASE_ALLOCATION_ID,
                List.of(new ReplyChunk.Extent(size, STATE_HOLE | STATE_ZERO)));

        mapped.writeInbound(status);
        assertThat(disk.queued()).as("first asked of the store on a storage thread").isEqualTo(1);
        disk.runAll();
        mapped.runPendingTasks();
        assertThat(mapped.<StructuredReply>readOutbound().chunks()).containsExactly(allHole);

        mapped.writeInbound(status.replace(Unpooled.EMPTY_BUFFER));
        assertThat(disk.queued()).as("then known").isZero();
        assertThat(mapped.<StructuredReply>readOutbound().chunks()).containsExactly(allHole);

        mapped.writeInbound(write(2, 0, new byte[] {1}));
        disk.runAll();
        mapped.runPendingTasks();
        assertThat(mapped.<Reply>readOutbound()).isEqualTo(Reply.ok(2));
        mapped.writeInbound(Request.of(0, CMD_BLOCK_STATUS, 3, 0, size));
        assertThat(disk.queued()).as("the write made the runs near it unknown").isEqualTo(1);
        disk.runAll();
        mapped.runPendingTasks();
        assertThat(mapped.<StructuredReply>readOutbound().chunks()).containsExactly(new ReplyChunk.BlockStatus(
                BASE_ALLOCATION_ID, List.of(new ReplyChunk.Extent(ZeroBlocksAsHolesStore.BLOCK, 0),
                        new ReplyChunk.Extent(size - ZeroBlocksAsHolesStore.BLOCK, STATE_HOLE | STATE_ZERO))));
        assertThat(gate.inFlight()).isZero();
    }

    @Test
    void fastZeroIsRefusedWithEnotsupWhereZeroingIsNotFast() {
        channel.writeInbound(write(1, 0, new byte[] {5}));
        runDisk();
        channel.readOutbound();
        channel.writeInbound(Request.of(CMD_FLAG_FAST_ZERO, CMD_WRITE_ZEROES, 2, 0, 512));
        runDisk();

        assertThat(channel.<Object>readOutbound()).isEqualTo(Reply.error(2, ENOTSUP));
        channel.writeInbound(Request.of(0, CMD_READ, 3, 0, 1));
        runDisk();
        Reply read = channel.readOutbound();
        assertThat(ByteBufUtil.getBytes(read.payload())).as("the data is untouched").containsExactly(5);
        read.release();
    }
}
