package net.flexnbd.server;

import static net.flexnbd.protocol.Nbd.CMD_FLAG_FUA;
import static net.flexnbd.protocol.Nbd.CMD_BLOCK_STATUS;
import static net.flexnbd.protocol.Nbd.CMD_READ;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import java.util.List;
import net.flexnbd.export.StorageExecutor;
import net.flexnbd.protocol.Request;
import net.flexnbd.protocol.ServerReply;

/**
 * How one connection's admitted requests reach the store, so that the event loop never
 * waits for the disk and pays as few thread hops as it can:
 * <ul>
 * <li>a READ the page cache holds whole is answered on the event loop ({@link CachedReads});
 *     any other READ runs on a storage thread of its own, so that misses overlap;</li>
 * <li>plain writes (WRITE without FUA, TRIM, WRITE_ZEROES) are gathered per burst of socket
 *     reads into a {@link WriteBatch}, one call in the connection's lane;</li>
 * <li>a BLOCK_STATUS whose runs the store knows from memory is answered on the event loop
 *     ({@link net.flexnbd.storage.BlockStore#allocationCached}); any other on a storage thread;</li>
 * <li>the rest (FLUSH, a FUA WRITE, CACHE) runs on a storage thread of its own,
 *     a FLUSH once every write received before it is done.</li>
 * </ul>
 * Answers come back on the event loop. Event loop only.
 */
final class StorageRequests {
    /** Receives each request's reply, or the failure of a request that never ran; on the event loop. */
    interface Answers {
        void answer(Request request, ServerReply reply, Throwable failure);
    }

    private final RequestExecutor executor;
    private final StorageExecutor storage;
    private final boolean structured;
    private final WriteBatch writes;
    private ChannelHandlerContext ctx;
    private Answers answers;
    /** Bytes of READs on storage threads whose replies are not written yet. */
    private long readBytesInFlight;

    StorageRequests(RequestExecutor executor, StorageExecutor storage, boolean structured) {
        this.executor = executor;
        this.storage = storage;
        this.structured = structured;
        this.writes = new WriteBatch(storage, executor);
    }

    /** Binds to the connection: replies are built with its allocator and answered on its loop. */
    void attach(ChannelHandlerContext context, Answers to) {
        this.ctx = context;
        this.answers = to;
    }

    /** Runs or gathers {@code request}; true when it went into the burst's writes (send them with {@link #sendWrites}). */
    boolean run(Request request) {
        switch (RequestExecutor.kindOf(request)) {
            case WRITE -> {
                if (!request.hasFlag(CMD_FLAG_FUA)) {
                    writes.add(request);
                    return true;
                }
                submit(request); // its sync need not wait behind the connection's other writes
            }
            case READ -> {
                if (request.type() == CMD_READ) {
                    read(request);
                } else if (request.type() == CMD_BLOCK_STATUS) {
                    blockStatus(request);
                } else {
                    submit(request);
                }
            }
            case FLUSH -> submit(request);
        }
        return false;
    }

    long readBytesInFlight() {
        return readBytesInFlight;
    }

    /** From the page cache at once, or on a storage thread; the buffer comes from this event loop's allocator. */
    private void read(Request request) {
        int length = (int) request.length();
        ByteBuf data = ctx.alloc().directBuffer(length, length);
        ServerReply cached = executor.readCached(request, data, structured);
        if (cached != null) {
            answers.answer(request, cached, null);
            return;
        }
        readBytesInFlight += length;
        storage.submit(StorageExecutor.Kind.READ, () -> executor.readInto(request, data, structured))
                .whenComplete((reply, failure) -> onEventLoop(() -> {
                    readBytesInFlight -= length;
                    if (failure != null && data.refCnt() > 0) {
                        data.release();
                    }
                    answers.answer(request, reply, failure);
                }));
    }

    /** From the store's memory of its runs at once, or on a storage thread (lseek). */
    private void blockStatus(Request request) {
        ServerReply known = executor.blockStatusCached(request);
        if (known != null) {
            answers.answer(request, known, null);
        } else {
            submit(request);
        }
    }

    private void submit(Request request) {
        storage.submit(RequestExecutor.kindOf(request), () -> executor.execute(request, ctx.alloc(), structured))
                .whenComplete((reply, failure) -> onEventLoop(() -> answers.answer(request, reply, failure)));
    }

    /** Hands the burst's writes to a worker; their replies come back together. */
    void sendWrites() {
        WriteBatch.Sent sent = writes.send(ctx.alloc());
        if (sent != null) {
            sent.replies().whenComplete((replies, failure) -> onEventLoop(() -> {
                List<Request> requests = sent.requests();
                for (int i = 0; i < requests.size(); i++) {
                    Request request = requests.get(i);
                    request.release(); // the hold WriteBatch took: the buffers return on this thread
                    answers.answer(request, failure == null ? replies.get(i) : null, failure);
                }
            }));
        }
    }

    /** The gathered writes, unrun: the connection is gone. */
    List<Request> discardWrites() {
        return writes.discard();
    }

    private void onEventLoop(Runnable task) {
        if (ctx.executor().inEventLoop()) {
            task.run();
        } else {
            ctx.executor().execute(task);
        }
    }
}
