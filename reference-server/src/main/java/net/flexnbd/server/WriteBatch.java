package net.flexnbd.server;

import io.netty.buffer.ByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import net.flexnbd.export.StorageExecutor;
import net.flexnbd.protocol.Request;
import net.flexnbd.protocol.ServerReply;

/**
 * The writes (WRITE without FUA, TRIM, WRITE_ZEROES) one connection received in one burst of
 * socket reads, run on one storage thread one after the other as one call, so that a burst
 * costs one hand-off to a worker and one back, not one each. The bursts go through the
 * connection's own {@linkplain StorageExecutor#lane() lane}, so a client that keeps writing
 * keeps one worker busy rather than waking one per burst. The first write of a burst
 * reserves its call on the {@link StorageExecutor} ({@link StorageExecutor#reserveWrite()}):
 * a FLUSH or ENTRUST received behind it, even in the same burst, waits for all of them.
 * Event loop only.
 */
final class WriteBatch {
    /**
     * What {@link #send} handed to the worker: the requests, each held once more for the
     * event loop to release once the replies are in, and their replies in the same order.
     */
    record Sent(List<Request> requests, CompletableFuture<List<ServerReply>> replies) {}

    private final StorageExecutor storage;
    private final RequestExecutor executor;
    private final StorageExecutor.Lane lane;
    private List<Request> requests = new ArrayList<>();
    private StorageExecutor.WriteSlot<List<ServerReply>> slot;

    WriteBatch(StorageExecutor storage, RequestExecutor executor) {
        this.storage = storage;
        this.executor = executor;
        this.lane = storage.lane();
    }

    void add(Request request) {
        if (slot == null) {
            slot = storage.reserveWrite();
        }
        requests.add(request);
    }

    boolean isEmpty() {
        return requests.isEmpty();
    }

    /** Runs the gathered writes on a worker, in the order received; null when there are none. */
    Sent send(ByteBufAllocator alloc) {
        if (requests.isEmpty()) {
            return null;
        }
        List<Request> taken = take();
        for (Request request : taken) {
            // The worker releases its payload when written; this hold lets the event loop give
            // the socket buffers back, into its own allocator cache ({@link Sent#requests()}).
            request.retain();
        }
        StorageExecutor.WriteSlot<List<ServerReply>> reserved = slot;
        slot = null;
        long handedOff = System.nanoTime();
        return new Sent(taken, reserved.runIn(lane, () -> {
            long started = System.nanoTime();
            List<ServerReply> replies = new ArrayList<>(taken.size());
            for (Request request : taken) {
                replies.add(executor.execute(request, alloc, false)); // never throws: a failure is EIO
            }
            SlowWrites.check(taken.size(), handedOff, started, System.nanoTime());
            return replies;
        }));
    }

    /** Gives the gathered writes back unrun (the connection is gone); flushes stop waiting for them. */
    List<Request> discard() {
        if (slot != null) {
            slot.cancel();
            slot = null;
        }
        return take();
    }

    private List<Request> take() {
        List<Request> taken = requests;
        requests = new ArrayList<>();
        return taken;
    }
}
