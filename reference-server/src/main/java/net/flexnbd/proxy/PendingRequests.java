package net.flexnbd.proxy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import net.flexnbd.protocol.ChunkFrame;
import net.flexnbd.protocol.Nbd;
import net.flexnbd.protocol.Request;

/**
 * One client's requests that have no answer yet, each under an id of the proxy's own (the
 * cookie it uses upstream), in the order they arrived. A request is either waiting to be
 * sent or sent and awaiting its reply; when the upstream is lost every sent one goes back to
 * waiting, in its original order, to be sent again, and the chunks of its structured reply
 * received so far are dropped, so that the client is never given a reply made of two
 * attempts' chunks. The ledger owns each request's payload (and held chunks) until
 * {@link Pending#release()}. Used on one event loop only.
 */
final class PendingRequests {

    /** One request and where it stands. */
    static final class Pending {
        final long id;
        final Request request;
        /** Since when it waits for an upstream: its arrival, or the loss of the link it was sent on. */
        long waitingSinceNanos;
        /** Chunks of its structured reply received so far, held until the one marked done; null before the first. */
        private List<ChunkFrame> chunks;

        Pending(long id, Request request, long waitingSinceNanos) {
            this.id = id;
            this.request = request;
            this.waitingSinceNanos = waitingSinceNanos;
        }

        /** The request as sent upstream: the proxy's id as cookie, the payload shared, not copied. */
        Request upstreamCopy() {
            return new Request(request.flags(), request.type(), id, request.offset(), request.length(),
                    request.payload().retainedDuplicate());
        }

        long clientCookie() {
            return request.cookie();
        }

        /** Holds one chunk of the reply (the pending request owns it now). */
        void hold(ChunkFrame chunk) {
            if (chunks == null) {
                chunks = new ArrayList<>(2);
            }
            chunks.add(chunk);
        }

        /** The chunks held, in the order received, and {@code last}: now the caller's. */
        List<ChunkFrame> takeChunks(ChunkFrame last) {
            if (chunks == null) {
                return List.of(last); // most replies are one chunk: no list to grow
            }
            List<ChunkFrame> taken = chunks;
            chunks = null;
            taken.add(last);
            return taken;
        }

        /** Frees the chunks of a reply that will not be completed (the link was lost: the request goes again). */
        void discardChunks() {
            if (chunks != null) {
                chunks.forEach(ChunkFrame::release);
                chunks = null;
            }
        }

        void release() {
            discardChunks();
            request.payload().release();
        }
    }

    private final TreeMap<Long, Pending> waiting = new TreeMap<>();
    private final Map<Long, Pending> sent = new HashMap<>();
    private long nextId = 1;
    private long waitingBytes;
    private long sentBytes;

    Pending add(Request request, long nowNanos) {
        Pending pending = new Pending(nextId++, request, nowNanos);
        waiting.put(pending.id, pending);
        waitingBytes += request.payload().readableBytes();
        return pending;
    }

    /** The oldest waiting request, now counted as sent; null when none waits. */
    Pending nextToSend() {
        Map.Entry<Long, Pending> first = waiting.pollFirstEntry();
        if (first == null) {
            return null;
        }
        Pending pending = first.getValue();
        waitingBytes -= pending.request.payload().readableBytes();
        sentBytes += dataBytes(pending);
        sent.put(pending.id, pending);
        return pending;
    }

    /** The sent request that {@code id} answers, no longer pending; null when no sent request has it. */
    Pending answered(long id) {
        Pending pending = sent.remove(id);
        if (pending != null) {
            sentBytes -= dataBytes(pending);
        }
        return pending;
    }

    /** The sent request that {@code id} answers, left in flight (a chunk that is not the last); null when none. */
    Pending inFlight(long id) {
        return sent.get(id);
    }

    /** The data a request moves: a WRITE's payload or a READ's reply. */
    private static long dataBytes(Pending pending) {
        int type = pending.request.type();
        return type == Nbd.CMD_READ || type == Nbd.CMD_WRITE ? pending.request.length() : 0;
    }

    /** Bytes of data that sent requests move, WRITE payloads and READ replies. */
    long sentBytes() {
        return sentBytes;
    }

    /** The oldest waiting request, without taking it; null when none waits. */
    Pending nextWaiting() {
        Map.Entry<Long, Pending> first = waiting.firstEntry();
        return first == null ? null : first.getValue();
    }

    /** What {@link #nextWaiting()} would add to {@link #sentBytes()}. */
    static long weight(Pending pending) {
        return dataBytes(pending);
    }

    /** The bytes a successful reply to {@code id} carries: a sent READ's length, else 0. */
    int replyLength(long id) {
        Pending pending = sent.get(id);
        if (pending == null || pending.request.type() != Nbd.CMD_READ) {
            return 0;
        }
        return (int) Math.min(Integer.MAX_VALUE, pending.request.length());
    }

    /**
     * The link they were sent on is gone: every sent request waits again, in arrival order,
     * and none counts as waiting since before {@code outageSinceNanos}.
     *
     * @return how many sent requests will be sent again
     */
    int resendAll(long outageSinceNanos) {
        int count = sent.size();
        for (Pending pending : sent.values()) {
            pending.discardChunks();
            waiting.put(pending.id, pending);
            waitingBytes += pending.request.payload().readableBytes();
        }
        sent.clear();
        sentBytes = 0;
        waiting.values().forEach(p -> p.waitingSinceNanos = Math.max(p.waitingSinceNanos, outageSinceNanos));
        return count;
    }

    /** Puts one sent request back in line, for instance after an ESHUTDOWN reply. */
    void resend(Pending pending) {
        if (sent.remove(pending.id) != null) {
            sentBytes -= dataBytes(pending);
        }
        pending.discardChunks();
        waiting.put(pending.id, pending);
        waitingBytes += pending.request.payload().readableBytes();
    }

    /** Removes and returns the waiting requests that have waited longer than {@code limitNanos}. */
    List<Pending> expired(long nowNanos, long limitNanos) {
        List<Pending> expired = new ArrayList<>();
        for (Iterator<Pending> it = waiting.values().iterator(); it.hasNext(); ) {
            Pending pending = it.next();
            if (nowNanos - pending.waitingSinceNanos >= limitNanos) {
                it.remove();
                waitingBytes -= pending.request.payload().readableBytes();
                expired.add(pending);
            }
        }
        return expired;
    }

    int sentCount() {
        return sent.size();
    }

    int waitingCount() {
        return waiting.size();
    }

    /** WRITE payload bytes held by waiting requests. */
    long waitingBytes() {
        return waitingBytes;
    }

    int size() {
        return sent.size() + waiting.size();
    }

    boolean isEmpty() {
        return sent.isEmpty() && waiting.isEmpty();
    }

    /** Frees every payload; the ledger is empty afterwards. */
    void releaseAll() {
        sent.values().forEach(Pending::release);
        waiting.values().forEach(Pending::release);
        sent.clear();
        waiting.clear();
        waitingBytes = 0;
        sentBytes = 0;
    }
}
