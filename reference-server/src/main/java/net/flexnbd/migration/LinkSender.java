package net.flexnbd.migration;

import static net.flexnbd.protocol.Nbd.CMD_ENTRUST;
import static net.flexnbd.protocol.Nbd.CMD_FLUSH;
import static net.flexnbd.protocol.Nbd.CMD_WRITE_ZEROES;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.util.function.BooleanSupplier;
import net.flexnbd.protocol.Reply;
import net.flexnbd.protocol.client.BlockingNbdClient;
import net.flexnbd.protocol.client.NbdErrorException;
import net.flexnbd.protocol.Errno;
import net.flexnbd.storage.BlockStore;

/**
 * Copies ranges of the served file over the migration link as pipelined writes, keeping a
 * window of them in flight and checking every reply. One thread uses it.
 *
 * <p>Every {@link #FLUSH_EVERY} bytes it also sends a FLUSH without waiting for it: the
 * destination writes the data to disk while more arrives, so that ENTRUST, whose flush is
 * made while the source's clients are paused, finds at most that much left to write;
 * {@link #drainDurable()} ends a pass the same way, so that before the final pass nothing is
 * left to write but what the final pass sends.
 *
 * <p>While a cut-off time is set ({@link #cutOffAt(long)}), a chunk that would start after it
 * is not sent: {@link FinalPassCutOff} is thrown instead.
 */
final class LinkSender {
    /** Bytes sent between two FLUSH requests in the window. */
    static final long FLUSH_EVERY = 64L << 20;

    private final BlockStore store;
    private final BlockingNbdClient link;
    private final RateLimiter limiter;
    private final MigrationProgress progress;
    private final int window;
    private final ByteBuffer buffer;
    private final BooleanSupplier cancelled;
    private static final int MIN_CHUNK = 4096;
    private long sinceFlush;
    /** {@link System#nanoTime()} after which no chunk starts; {@link Long#MAX_VALUE} for none. */
    private long cutOff = Long.MAX_VALUE;

    LinkSender(BlockStore store, BlockingNbdClient link, RateLimiter limiter, MigrationProgress progress,
            int chunkBytes, int window, BooleanSupplier cancelled) {
        this.cancelled = cancelled;
        this.store = store;
        this.link = link;
        this.limiter = limiter;
        this.progress = progress;
        this.window = window;
        this.buffer = ByteBuffer.allocateDirect(chunkBytes);
    }

    /** From {@code deadlineNanos} on ({@link System#nanoTime()}), {@link #send} sends no further chunk. */
    void cutOffAt(long deadlineNanos) {
        cutOff = deadlineNanos;
    }

    void noCutOff() {
        cutOff = Long.MAX_VALUE;
    }

    /**
     * Sends {@code [offset, offset + length)} in chunks.
     *
     * @throws FinalPassCutOff when the cut-off time came before a chunk; chunks before it were sent
     */
    void send(long offset, long length) throws IOException {
        long end = offset + length;
        for (long at = offset; at < end; ) {
            int chunk = (int) Math.min(chunkFor(limiter.bytesPerSecond()), end - at);
            if (cancelled.getAsBoolean()) {
                throw new InterruptedIOException("migration cancelled");
            }
            checkCutOff();
            try {
                limiter.acquire(chunk, cancelled);
            } catch (InterruptedException e) {
                // A cancel stops the wait without an interrupt; keep a real one for the caller.
                if (!cancelled.getAsBoolean()) {
                    Thread.currentThread().interrupt();
                }
                throw new InterruptedIOException(e.getMessage());
            }
            awaitRoom();
            checkCutOff();
            buffer.clear().limit(chunk);
            store.read(at, buffer);
            buffer.flip();
            if (allZero(buffer)) {
                // The destination punches a hole: its copy stays as sparse as ours, and no bytes cross.
                link.sendRequest(CMD_WRITE_ZEROES, 0, at, chunk);
            } else {
                link.sendWrite(at, buffer, 0);
            }
            progress.sent(chunk);
            at += chunk;
            sinceFlush += chunk;
            if (sinceFlush >= FLUSH_EVERY) {
                awaitRoom();
                link.sendRequest(CMD_FLUSH, 0, 0, 0);
                sinceFlush = 0;
            }
        }
    }

    private void checkCutOff() throws FinalPassCutOff {
        if (cutOff != Long.MAX_VALUE) {
            long over = System.nanoTime() - cutOff;
            if (over >= 0) {
                throw new FinalPassCutOff(over / 1_000_000);
            }
        }
    }

    private void awaitRoom() throws IOException {
        while (link.inFlight() >= window) {
            check(link.awaitReply());
        }
    }

    /**
     * Under a low cap, smaller chunks: a whole chunk is paid for before it goes, and a link
     * left silent for longer than its timeout would be dropped by the destination.
     */
    private int chunkFor(long bytesPerSecond) {
        if (bytesPerSecond <= 0) {
            return buffer.capacity();
        }
        long tenthOfASecond = Math.max(MIN_CHUNK, bytesPerSecond / 10 / MIN_CHUNK * MIN_CHUNK);
        return (int) Math.min(buffer.capacity(), tenthOfASecond);
    }

    /**
     * Asks the destination to make everything sent so far durable (a FLUSH, unless nothing
     * was sent since the last one) and waits for every reply, that FLUSH's included.
     */
    void drainDurable() throws IOException {
        if (sinceFlush > 0) {
            awaitRoom();
            link.sendRequest(CMD_FLUSH, 0, 0, 0);
            sinceFlush = 0;
        }
        drain();
    }

    /**
     * Sends ENTRUST with {@code token} right behind the writes still in flight, without waiting
     * for their replies first: the destination runs ENTRUST once every write received before it
     * has reached its store, and makes them durable before it answers. Then waits for every
     * reply. Returns only when all of them are successful, ENTRUST's included: that commits the
     * handover. A refused write or a refused ENTRUST throws, and the handover is not committed.
     */
    void entrust(long token) throws IOException {
        long cookie = link.sendRequest(CMD_ENTRUST, 0, token, 0);
        sinceFlush = 0;
        IOException refused = null;
        while (link.inFlight() > 0) {
            Reply reply = link.awaitReply();
            reply.payload().release();
            if (reply.error() != 0 && refused == null) {
                refused = reply.cookie() == cookie ? new NbdErrorException(reply.error(), "ENTRUST")
                        : new MigrationFailure("the destination refused a write: " + Errno.describe(reply.error()));
            }
        }
        if (refused != null) {
            throw refused;
        }
    }

    /** Waits for every write in flight to be acknowledged. */
    void drain() throws IOException {
        while (link.inFlight() > 0) {
            check(link.awaitReply());
        }
    }

    private static void check(Reply reply) throws IOException {
        reply.payload().release();
        if (reply.error() != 0) {
            throw new MigrationFailure("the destination refused a write or flush: " + Errno.describe(reply.error()));
        }
    }

    /** Whether the buffer, position to limit, holds only zero bytes. */
    private static boolean allZero(ByteBuffer data) {
        int i = data.position();
        int end = data.limit();
        for (; i + Long.BYTES <= end; i += Long.BYTES) {
            if (data.getLong(i) != 0) {
                return false;
            }
        }
        for (; i < end; i++) {
            if (data.get(i) != 0) {
                return false;
            }
        }
        return true;
    }
}
